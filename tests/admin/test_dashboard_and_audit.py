"""The dashboard figures per currency and the audit log page with its filters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from portal.audit import record_event
from portal.foundations.database import utcnow
from portal.foundations.permissions import Actor
from portal.models import BillingRun
from portal.reading.overview import dashboard_figures
from tests.factories import AccountFactory, InvoiceFactory

UTC = dt.timezone.utc
TODAY = dt.date(2026, 7, 15)


def _approved(account, outstanding, due, start_month):
    return InvoiceFactory(
        account=account,
        state="Approved",
        outstanding=Decimal(outstanding),
        total_amount=Decimal(outstanding),
        due_date=due,
        start_date=dt.datetime(2026, start_month, 1, tzinfo=UTC),
        end_date=dt.datetime(2026, start_month + 1, 1, tzinfo=UTC),
    )


def _money_owed(session, today=TODAY):
    day = dt.timedelta(days=1)
    eur, usd = AccountFactory(currency="EUR"), AccountFactory(currency="USD")
    _approved(eur, "100.00", today - 14 * day, 1)  # overdue
    _approved(eur, "50.50", today, 2)  # due today: not overdue yet
    _approved(eur, "0", today - 30 * day, 3)  # paid: neither
    _approved(usd, "20.00", today - day, 1)  # overdue
    InvoiceFactory(
        account=usd,
        state="Pending",
        outstanding=Decimal("999"),
        start_date=dt.datetime(2026, 4, 1, tzinfo=UTC),
        end_date=dt.datetime(2026, 5, 1, tzinfo=UTC),
    )
    InvoiceFactory(
        account=usd,
        state="New",
        start_date=dt.datetime(2026, 5, 1, tzinfo=UTC),
        end_date=dt.datetime(2026, 6, 1, tzinfo=UTC),
    )
    session.commit()


def test_dashboard_figures_per_currency(session):
    _money_owed(session)
    figures = dashboard_figures(TODAY)
    assert figures.by_state == {"New": 1, "Pending": 1, "Approved": 4}
    assert figures.pending == 1
    rows = {r.currency: (r.outstanding, r.outstanding_count, r.overdue, r.overdue_count) for r in figures.per_currency}
    assert rows == {
        "EUR": (Decimal("150.50"), 2, Decimal("100.00"), 1),
        "USD": (Decimal("20.00"), 1, Decimal("20.00"), 1),
    }


def test_dashboard_page_shows_states_money_owed_and_last_run(admin, session):
    _money_owed(session, today=utcnow().date())
    session.add(
        BillingRun(
            run_at=dt.datetime(2026, 7, 1, tzinfo=UTC), status="done", invoices_created=7, failures=[], anomalies=[]
        )
    )
    session.commit()
    html = admin.get("/admin/").get_data(as_text=True)
    assert 'data-state="Pending">1<' in html and "1 waiting for approval" in html
    eur = re.search(r'<tr data-currency="EUR">(.*?)</tr>', html, re.S).group(1)
    assert "€150.50" in eur and "€100.00" in eur
    usd = re.search(r'<tr data-currency="USD">(.*?)</tr>', html, re.S).group(1)
    assert usd.count("$20.00") == 2
    assert "7 invoices created" in html
    assert 'href="/admin/invoices?state=Pending"' in html
    pending = admin.get("/admin/invoices?state=Pending").get_data(as_text=True)
    assert pending.count("badge--Pending") >= 1 and "badge--Approved" not in pending


def test_empty_dashboard_says_so(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    assert "No approved invoice is waiting for payment." in html and "No billing run yet." in html


def _events(session):
    invoice = InvoiceFactory()
    alice = Actor("alice@telco.example", kind="admin", level=5, id=1)
    bob = Actor("bob@telco.example", kind="admin", level=5, id=2)
    record_event(alice, "invoice.approved", invoice, invoice_id=invoice.id)
    record_event(bob, "invoice.emailed", invoice, invoice_id=invoice.id, to="ap@acme.example")
    record_event(bob, "customer.created", invoice.account.customer)
    session.commit()
    return invoice


def _rows(html):
    return re.findall(r"<td>([a-z_]+\.[a-z_]+)</td>", html)


def test_audit_log_lists_every_event_with_who_and_when(admin, session):
    _events(session)
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert _rows(html) == ["customer.created", "invoice.emailed", "invoice.approved"]
    assert "alice@telco.example" in html and "<dt>To</dt>" in html and "ap@acme.example" in html


def test_audit_log_filters_by_action_actor_and_invoice(admin, session):
    invoice = _events(session)
    assert _rows(admin.get("/admin/audit?action=invoice.emailed").get_data(as_text=True)) == ["invoice.emailed"]
    assert _rows(admin.get("/admin/audit?action=invoice.").get_data(as_text=True)) == [
        "invoice.emailed",
        "invoice.approved",
    ]
    assert _rows(admin.get("/admin/audit?actor=ALICE").get_data(as_text=True)) == ["invoice.approved"]
    assert _rows(admin.get(f"/admin/audit?invoice={invoice.id}&actor=bob").get_data(as_text=True)) == [
        "invoice.emailed"
    ]
    assert _rows(admin.get(f"/admin/audit?invoice={invoice.id + 1}").get_data(as_text=True)) == []


def test_audit_log_bad_filters_are_explained_not_errors(admin, session):
    _events(session)
    response = admin.get("/admin/audit?invoice=abc&page=zz&action=%25")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "must be an invoice id" in html and _rows(html) == []


def test_audit_log_paginates_and_htmx_gets_the_fragment(admin, session):
    actor = Actor("x@telco.example", kind="admin", level=5, id=1)
    account = AccountFactory()
    for n in range(60):
        record_event(actor, "account.updated", account, n=n)
    session.commit()
    first = admin.get("/admin/audit").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "Page 1 of 2" in first
    second = admin.get("/admin/audit?page=2").get_data(as_text=True)
    assert len(_rows(second)) == 10
    assert len(_rows(admin.get("/admin/audit?page=99").get_data(as_text=True))) == 10  # clamped to the last page
    fragment = admin.get("/admin/audit?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="audit-results">') and "<html" not in fragment
