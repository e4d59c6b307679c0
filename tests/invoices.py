"""Invoices in a given state, moved there by the engine's own services (fill, approve)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import insert, select

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.extensions import db
from portal.models import Invoice
from tests.factories import (
    AFTER_PERIOD,
    AccountFactory,
    CdrFactory,
    ContactFactory,
    InvoiceFactory,
    TransactionFactory,
)


def make_invoice(state: str = "Approved", **account_fields):
    """A filled invoice for May 2026 with one call and one recurring charge, in `state` (committed)."""
    account = AccountFactory(**account_fields)
    contact = ContactFactory(customer=account.customer, email=f"ap{account.id}@customer.example")
    account.invoice_contacts.append(contact)
    CdrFactory(customer_acc_id=account.id)
    TransactionFactory(account=account)
    invoice = InvoiceFactory(account=account)
    if state != "New":
        fill_invoice(invoice)
    if state == "Approved":
        approve_invoice(invoice)
    db.session.commit()
    return invoice


def raise_may_invoice(account) -> Invoice:
    """Create the account's invoice for May 2026, fill it from what the account has, approve it on 2 June
    (all through the engine) and commit."""
    invoice = create_invoice(account_id=account.id, start_date="2026-05-01", end_date="2026-06-01", now=AFTER_PERIOD)
    fill_invoice(invoice)
    approve_invoice(invoice, today=dt.date(2026, 6, 2))
    db.session.commit()
    return invoice


@pytest.fixture
def pending_invoice(app):
    return make_invoice("Pending")


@pytest.fixture
def approved_invoice(app):
    return make_invoice("Approved")


@pytest.fixture
def account_of_five(app):
    """An account with three approved and two new invoices (committed); returns the account."""
    account = AccountFactory()
    for month, state in enumerate(["Approved"] * 3 + ["New"] * 2, start=1):  # periods never overlap
        InvoiceFactory(
            account=account,
            state=state,
            start_date=dt.datetime(2025, month, 1, tzinfo=dt.timezone.utc),
            end_date=dt.datetime(2025, month + 1, 1, tzinfo=dt.timezone.utc),
        )
    db.session.commit()
    return account


def other_connection_adds(account) -> None:
    """An invoice committed by another connection (another request, worker or process)."""
    with db.engine.begin() as conn:
        conn.execute(
            insert(Invoice).values(
                uuid=uuid.uuid4(),
                reference="elsewhere",
                organization_id=account.customer.organization_id,
                customer_id=account.customer_id,
                account_id=account.id,
                currency=account.currency,
                state="Approved",
                invoice_type="Manual",
                start_date=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
                end_date=dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc),
            )
        )


@pytest.fixture
def enqueued_pdf_jobs(monkeypatch):
    """The PDF jobs that approvals enqueue, recorded instead of run (as a queue would hold them).

    Each entry is (invoice id, the invoice's state as another connection sees it when enqueued),
    so a test can tell the job was enqueued only after the approval was committed.
    """
    calls: list[tuple[int, str | None]] = []

    def record(invoice_id):
        with db.engine.connect() as conn:
            calls.append((invoice_id, conn.scalar(select(Invoice.state).where(Invoice.id == invoice_id))))

    monkeypatch.setattr("portal.billing.invoices.enqueue_render_pdf", record)
    return calls


#: A Xero invoice id to link invoices to.
XERO_ID = "550e8400-e29b-41d4-a716-446655440000"


@pytest.fixture
def xero_enabled(app):
    """The Xero module switched on for one test."""
    app.config["XERO_ENABLED"] = True
    yield
    app.config["XERO_ENABLED"] = False
