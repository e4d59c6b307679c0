"""Invoices in a given state, moved there by the engine's own services (fill, approve)."""
from __future__ import annotations

import pytest

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice
from portal.extensions import db
from tests.factories import AccountFactory, CdrFactory, ContactFactory, InvoiceFactory, TransactionFactory


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


@pytest.fixture
def pending_invoice(app):
    return make_invoice("Pending")


@pytest.fixture
def approved_invoice(app):
    return make_invoice("Approved")
