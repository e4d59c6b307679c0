"""One payment vocabulary: the Python status and its SQL twin agree for every kind of invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import STATUS_FILTERS, UNPAID, UNPAID_STATUSES, Invoice, PaymentStatus, payment_status_condition
from tests.factories import InvoiceFactory

TODAY = dt.date(2026, 6, 15)
LATE = TODAY - dt.timedelta(days=1)
DUE_TODAY = TODAY
NOT_YET = TODAY + dt.timedelta(days=10)

# (state, total, paid, due date) -> the one status it has on TODAY
CASES = [
    (("New", "0.00", "0.00", None), PaymentStatus.DRAFT),
    (("Pending", "120.00", "0.00", LATE), PaymentStatus.DRAFT),
    (("Approved", "-11.95", "0.00", LATE), PaymentStatus.CREDIT_NOTE),
    (("Approved", "100.00", "100.00", LATE), PaymentStatus.PAID),
    (("Approved", "0.00", "0.00", NOT_YET), PaymentStatus.PAID),
    (("Approved", "100.00", "0.00", LATE), PaymentStatus.OVERDUE),
    (("Approved", "100.00", "40.00", LATE), PaymentStatus.OVERDUE),
    (("Approved", "100.00", "40.00", NOT_YET), PaymentStatus.PARTIALLY_PAID),
    (("Approved", "100.00", "0.00", NOT_YET), PaymentStatus.OPEN),
    (("Approved", "100.00", "0.00", DUE_TODAY), PaymentStatus.OPEN),
    (("Approved", "100.00", "0.00", None), PaymentStatus.OPEN),
]


@pytest.fixture
def invoices(app):
    made = {}
    for (state, total, paid, due), status in CASES:
        total, paid = Decimal(total), Decimal(paid)
        invoice = InvoiceFactory(
            state=state,
            total_amount=total,
            paid_amount=paid,
            outstanding=max(total - paid, Decimal("0")),
            due_date=due,
        )
        made[invoice.id] = status
    db.session.commit()
    return made


def test_every_invoice_has_exactly_the_status_both_twins_give(invoices):
    for invoice in db.session.scalars(select(Invoice)):
        assert invoice.payment_status(TODAY) is invoices[invoice.id], invoice
    for name in STATUS_FILTERS:
        matched = set(db.session.scalars(select(Invoice.id).where(payment_status_condition(name, TODAY))))
        wanted = UNPAID_STATUSES if name == UNPAID else (PaymentStatus(name),)
        assert matched == {i for i, status in invoices.items() if status in wanted}, name


def test_every_status_is_a_filter_and_an_unknown_name_matches_nothing(invoices):
    assert {s.value for s in PaymentStatus} <= set(STATUS_FILTERS)
    assert db.session.scalars(select(Invoice.id).where(payment_status_condition("unsent", TODAY))).all() == []
