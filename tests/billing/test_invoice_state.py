"""Invoice states are one enumeration, and the amount to show is one property (Python and SQL agree)."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice
from portal.extensions import db
from portal.models import Invoice, InvoiceState
from tests.factories import UTC, AccountFactory, CdrFactory, InvoiceFactory

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def test_the_states_keep_their_stored_and_shown_values():
    assert [s.value for s in InvoiceState] == ["New", "Pending", "Approved"]
    assert InvoiceState("Pending") is InvoiceState.PENDING and f"{InvoiceState.APPROVED}" == "Approved"


def test_an_invoice_moves_through_the_enumerated_states_as_stored_text(app):
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 3, tzinfo=UTC))
    invoice = InvoiceFactory(account=account, state=InvoiceState.NEW)
    db.session.commit()
    fill_invoice(invoice)
    db.session.commit()
    assert db.session.scalar(select(Invoice.state).where(Invoice.id == invoice.id)) == "Pending"
    assert db.session.scalar(select(Invoice.id).where(Invoice.state == InvoiceState.PENDING)) == invoice.id


def test_no_module_spells_a_state_as_a_string_literal():
    states = {s.value for s in InvoiceState}
    spelled = []
    for path in PORTAL.rglob("*.py"):
        if path == PORTAL / "models" / "invoice.py":
            continue  # the enumeration itself
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and node.value in states:
                spelled.append(f"{path.relative_to(PORTAL)}:{node.lineno} {node.value!r}")
    assert spelled == []


def test_the_amount_to_show_is_the_same_in_python_and_in_sql(app):
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 3, tzinfo=UTC), customer_price=Decimal("10"))
    pending = InvoiceFactory(account=account, vat_rate=Decimal("20"))
    approved = InvoiceFactory(
        account=account,
        vat_rate=Decimal("20"),
        start_date=dt.datetime(2026, 4, 1, tzinfo=UTC),
        end_date=dt.datetime(2026, 5, 1, tzinfo=UTC),
    )
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 4, 3, tzinfo=UTC), customer_price=Decimal("5"))
    db.session.commit()
    for invoice in (pending, approved):
        fill_invoice(invoice)
    approve_invoice(approved, render_pdf=False)
    db.session.commit()
    assert pending.display_amount == pending.amount_total == Decimal("10")
    assert approved.display_amount == approved.total_amount == Decimal("6")  # 5 plus 20 % VAT
    in_sql = dict(db.session.execute(select(Invoice.id, Invoice.display_amount)).all())
    assert in_sql == {pending.id: Decimal("10"), approved.id: Decimal("6")}
    biggest = db.session.scalars(select(Invoice.id).order_by(Invoice.display_amount.desc())).first()
    assert biggest == pending.id
