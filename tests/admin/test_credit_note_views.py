"""The admin credit note page: level 4 issues one (in full, by lines or by an amount); errors show beside the field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.billing.credit_notes import creditable
from portal.models import Invoice
from tests.documents.test_einvoices import raised_invoice
from tests.factories import CustomerUserFactory


@pytest.fixture
def signed_in_customer(app, client, login, session):
    invoice = raised_invoice()
    user = CustomerUserFactory(customer=invoice.customer)
    session.commit()
    login(user)
    return client, invoice


def credit_notes(session, invoice) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(Invoice.credited_invoice_id == invoice.id)))


def test_a_level_3_admin_is_refused_and_sees_no_action(admin_as, session):
    invoice = raised_invoice()
    session.commit()
    approver = admin_as(3)
    assert "Issue credit note" not in approver.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)
    assert approver.get(f"/admin/invoices/{invoice.id}/credit-note").status_code == 403
    assert approver.post_form(f"/admin/invoices/{invoice.id}/credit-note", {"mode": "full"}).status_code == 403
    assert credit_notes(session, invoice) == []


def test_a_manager_credits_chosen_lines_and_lands_on_the_credit_note(admin_as, session):
    invoice = raised_invoice(credit=True)
    session.commit()
    manager = admin_as(4)
    page = manager.get(f"/admin/invoices/{invoice.id}/credit-note").get_data(as_text=True)
    lines = [line for line in creditable(invoice).lines if line.charged > 0]
    assert all(line.name in page for line in lines)
    assert "Credit: Outage credit" not in page  # a credit of the invoice is not offered
    response = manager.post_form(
        f"/admin/invoices/{invoice.id}/credit-note",
        {"mode": "lines", "lines": [lines[0].key], "reason": "Wrong rate"},
    )
    [note] = credit_notes(session, invoice)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/invoices/{note.id}")
    page = manager.get(f"/admin/invoices/{note.id}").get_data(as_text=True)
    assert "Credit note CN-2026-000001 issued." in page and "Wrong rate" in page
    assert "<dt>Type</dt><dd>Credit Note</dd>" in page
    assert -note.net_amount == lines[0].charged
    assert "Credited" in manager.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)


def test_errors_are_shown_beside_their_fields_and_nothing_is_issued(admin_as, session):
    invoice = raised_invoice()
    session.commit()
    response = admin_as(4).post_form(f"/admin/invoices/{invoice.id}/credit-note", {"mode": "amount", "amount": "-5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="amount-error"' in html and "must be greater than 0" in html
    assert 'id="reason-error"' in html and "can&#39;t be blank" in html
    assert credit_notes(session, invoice) == []


def test_the_customer_sees_the_credit_note_and_the_reduced_balance(signed_in_customer, session, admin_as):
    client, invoice = signed_in_customer
    admin_as(4).post_form(
        f"/admin/invoices/{invoice.id}/credit-note", {"mode": "amount", "amount": "1.00", "reason": "Goodwill"}
    )
    [note] = credit_notes(session, invoice)
    session.expire_all()
    page = client.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    assert "CN-2026-000001" in page and f"/portal/invoices/{note.uuid}" in page
    page = client.get(f"/portal/invoices/{note.uuid}").get_data(as_text=True)
    assert "Credit note CN-2026-000001" in page and "Goodwill" in page and invoice.invoice_number in page
    listing = client.get("/portal/invoices").get_data(as_text=True)
    assert "CN-2026-000001" in listing
