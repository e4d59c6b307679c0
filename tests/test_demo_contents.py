"""What the demo holds (loaded once for the module): states, traffic, settings, users and their scopes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.sessions import verify_password
from portal.customers.scope import customer_invoices, scope_for_user
from portal.demo import load_demo_data
from portal.demo.clock import demo_now
from portal.demo.users import ADMIN_PASSWORD, CUSTOMER_PASSWORD
from portal.documents.einvoices import credit_note_lines
from portal.extensions import db
from portal.models import (
    Account,
    AdminUser,
    AuditEvent,
    BillStyle,
    Cdr,
    CustomerUser,
    DiscountPlan,
    Invoice,
    MessageTemplate,
    Organization,
    PaymentStatus,
    Transaction,
    UsageReportProfile,
)
from portal.statement import build_statement
from tests.conftest import _empty_tables
from tests.test_demo_data import SMALL


@pytest.fixture(scope="module")
def demo(_app):
    """One small demo for every test here; they only read it."""
    with _app.app_context():
        summary = load_demo_data(seed=7, **SMALL)
        yield summary
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        db.session.remove()


def test_every_invoice_state_and_payment_status_exists(demo):
    today = demo_now().date()
    invoices = db.session.scalars(select(Invoice)).all()
    assert {i.state for i in invoices} == {"New", "Pending", "Approved"}
    statuses = {i.payment_status(today) for i in invoices if i.is_approved}
    assert {"paid", "partially paid", "overdue", "open"} <= statuses
    assert {"Manual", "Auto Full"} <= {i.invoice_type for i in invoices}


def test_invoice_amounts_come_from_the_engine(demo):
    for invoice in db.session.scalars(select(Invoice).where(Invoice.state == "Approved")):
        if invoice.is_credit_note:
            continue  # its amounts are its stored lines' (test_demo_credit_notes_reconcile)
        rows = sum((r.amount if r.spent else -r.amount) for r in invoice.destinations)
        services = sum((r.amount if r.spent else -r.amount) for r in invoice.service_data)
        assert invoice.amount_total == rows + services
        assert invoice.outstanding == invoice.total_amount - invoice.paid_amount - invoice.credited_amount
        assert invoice.paid_amount == sum((p.amount for p in invoice.payments), 0)


def test_traffic_looks_like_a_switch(demo):
    s = db.session
    last = s.scalar(select(func.count()).select_from(Cdr).where(Cdr.is_last_cdr.is_(True)))
    answered = s.scalar(select(func.count()).select_from(Cdr).where(Cdr.success.is_(True)))
    assert 0.5 < answered / last < 0.75
    assert s.scalar(select(func.count()).select_from(Cdr).where(Cdr.success.is_(False), Cdr.duration != 0)) == 0
    assert s.scalar(select(func.count()).select_from(Cdr).where(Cdr.is_last_cdr.is_(False))) > 0
    assert s.scalar(select(func.count(func.distinct(Cdr.vendor_acc_id)))) >= 3
    assert s.scalar(select(func.max(Cdr.duration))) > 10 * s.scalar(select(func.avg(Cdr.duration)))
    now = demo_now()
    assert s.scalar(select(func.max(Cdr.time_start))) < now
    assert {"recurring", "one-off", "refund"} <= set(s.scalars(select(Transaction.category).distinct()))


def test_catalog_uses_real_country_prefixes(demo):
    prefixes = set(db.session.scalars(select(Cdr.dst_prefix).distinct()))
    assert {"49", "4477", "336"} & prefixes
    assert all(p[:2] in {"49", "44", "33", "31", "34", "39", "48", "90", "91"} or p.startswith("1") for p in prefixes)


def test_organization_accounts_and_settings(demo):
    org = db.session.scalars(select(Organization)).one()
    assert org.slug == "telco" and org.vat_number and org.bank_details and org.legal_name
    accounts = db.session.scalars(select(Account)).all()
    assert {"EUR", "USD", "GBP"} <= {a.currency for a in accounts}
    assert None in {a.invoice_period for a in accounts}
    assert {"Monthly", "SemiMonthly", "Weekly"} <= {a.invoice_period for a in accounts}
    assert len({a.timezone for a in accounts}) >= 5
    assert all(a.next_invoice_at > demo_now() for a in accounts if a.invoice_period)
    assert db.session.scalar(select(func.count()).select_from(DiscountPlan)) >= 1
    assert set(db.session.scalars(select(BillStyle.name))) == {"Full", "Summary"}
    assert db.session.scalar(select(func.count()).select_from(MessageTemplate)) >= 1
    assert db.session.scalar(select(func.count()).select_from(UsageReportProfile)) >= 1


def test_demo_users_have_the_printed_passwords_and_levels(demo):
    admins = db.session.scalars(select(AdminUser)).all()
    assert sorted(a.level for a in admins) == [1, 2, 3, 4, 5]
    admin = next(a for a in admins if a.email == "admin@telco.example")
    assert admin.level == 5 and verify_password(admin.password_hash, ADMIN_PASSWORD)
    users = db.session.scalars(select(CustomerUser)).all()
    assert len({u.customer_id for u in users}) >= 2
    assert all(verify_password(u.password_hash, CUSTOMER_PASSWORD) for u in users)


def test_each_customer_user_sees_only_its_own_invoices(demo):
    users = db.session.scalars(select(CustomerUser)).all()
    limited = [u for u in users if u.accounts]
    assert len(limited) == 1 and len(limited[0].accounts) == 1
    assert [u.limited_to_accounts for u in users].count(True) == 1 and limited[0].limited_to_accounts
    for user in users:
        customer_id, allowed = scope_for_user(user)
        seen = db.session.scalars(customer_invoices(customer_id, allowed)).all()
        assert seen, user.email
        assert {i.customer_id for i in seen} == {user.customer_id}
        assert all(i.state == "Approved" for i in seen)
        if allowed:
            assert {i.account_id for i in seen} == set(allowed)
        else:
            own = set(db.session.scalars(select(Account.id).where(Account.customer_id == user.customer_id)))
            assert {i.account_id for i in seen} <= own


def test_demo_credit_notes_full_and_partial_with_reasons_reconcile_and_show_to_the_customer(demo):
    """The demo holds credit notes in full, for a line and for an amount, issued by the manager through the
    credit-note service; each reconciles with its lines and the invoice it corrects, and the customer's
    users see both in their list and the lower balance on the invoice's statement."""
    today = demo_now().date()
    notes = db.session.scalars(
        select(Invoice).where(Invoice.credited_invoice_id.is_not(None)).order_by(Invoice.id)
    ).all()
    assert demo.invoices["credit notes"] == len(notes) == 3
    events = {
        e.invoice_id: e for e in db.session.scalars(select(AuditEvent).filter_by(action="invoice.credit_note_issued"))
    }
    modes = []
    for note in notes:
        invoice = note.credited_invoice
        event = events[note.id]
        modes.append(event.details["mode"])
        assert event.actor == "manager@telco.example" and note.credit_reason == event.details["reason"]
        assert note.invoice_number.startswith("CN-") and note.payment_status(today) == PaymentStatus.CREDIT_NOTE
        # its lines make its net; the invoice owes its total less what was paid and credited
        assert sum(line.net_amount for line in credit_note_lines(note)) == -note.net_amount > 0
        assert invoice.credited_amount == -note.total_amount
        assert invoice.outstanding == invoice.total_amount - invoice.paid_amount + note.total_amount >= 0
        statement = build_statement(invoice, today)
        assert statement.balance_due == invoice.outstanding and build_statement(note, today).total == note.total_amount
        users = db.session.scalars(select(CustomerUser).where(CustomerUser.customer_id == note.customer_id)).all()
        # a demo customer user sees both (the demo's users belong to the customers credited first)
        assert any({note, invoice} <= set(db.session.scalars(customer_invoices(*scope_for_user(u)))) for u in users)
    assert sorted(modes) == ["amount", "full", "lines"]
    assert len({note.credit_reason for note in notes}) == 3
    full = next(n for n, m in zip(notes, modes) if m == "full")
    assert full.total_amount == -full.credited_invoice.total_amount and full.credited_invoice.outstanding == 0
