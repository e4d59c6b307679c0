"""Every API lists a credit note where it lists invoices, marked as a credit note, with the documented key sets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.billing.credit_notes import issue_credit_note
from portal.extensions import db
from tests.api.backend_v1.conftest import BASE
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, jsonapi_headers, login_admin, login_customer
from tests.api.jsonapi.test_openapi import check
from tests.api.key_clients import bearer, make_key, raised_invoice
from tests.factories import AccountFactory, AdminUserFactory, CustomerUserFactory


@pytest.fixture
def credited(app):
    """An approved invoice and a credit note of 0.20 net against it (committed)."""
    account = AccountFactory()
    invoice = raised_invoice(account, today=dt.date(2026, 6, 2))
    note = issue_credit_note(invoice, mode="amount", amount="0.20", reason="Goodwill", today=dt.date(2026, 6, 5))
    db.session.commit()
    return invoice, note


def test_backend_v1_lists_it_with_the_credit_note_flag_and_the_invoice_keys(client, credited):
    invoice, note = credited
    body = client.get(f"{BASE}/invoices", headers=bearer(make_key())).get_json()
    by_id = {row["id"]: row for row in body}
    listed_note, listed_invoice = by_id[str(note.id)], by_id[str(invoice.id)]
    assert set(listed_note) == set(listed_invoice)
    assert listed_note["invoiceNumber"] == "CN-2026-000001" and listed_note["total"] == "-0.20"
    assert "creditNote" in listed_note["status"] and "creditNote" not in listed_invoice["status"]
    assert listed_invoice["outstanding"] == "0.10" and invoice.outstanding == invoice.total_amount - Decimal("0.20")


def test_admin_jsonapi_marks_it_by_its_invoice_type(client, credited):
    invoice, note = credited
    token = login_admin(client, AdminUserFactory(level=5))
    db.session.commit()
    body = client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token)).get_json()
    by_id = {row["id"]: row for row in body["data"]}
    assert by_id[str(note.id)]["attributes"]["invoice-type"] == "Credit Note"
    assert by_id[str(invoice.id)]["attributes"]["invoice-type"] == "Manual"
    assert list(by_id[str(note.id)]["attributes"]) == list(by_id[str(invoice.id)]["attributes"])


def test_customer_v1_lists_it_marked_in_its_meta_with_the_documented_attributes(client, credited):
    invoice, note = credited
    user = CustomerUserFactory(customer=invoice.customer)
    db.session.commit()
    token = login_customer(client, user)
    response = client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(token))
    check(response)  # the meta is documented in the OpenAPI part
    by_id = {row["id"]: row for row in response.get_json()["data"]}
    listed_note, listed_invoice = by_id[str(note.uuid)], by_id[str(invoice.uuid)]
    assert listed_note["attributes"]["reference"] == "CN-2026-000001"
    assert list(listed_note["attributes"]) == list(listed_invoice["attributes"])
    # the admin API's invoice type and the payment status vocabulary, and the invoice it corrects
    assert listed_note["meta"] == {
        "invoice-type": "Credit Note",
        "payment-status": "credit note",
        "credited-invoice": str(invoice.uuid),
    }
    assert "meta" not in listed_invoice
    shown = client.get(f"{CUSTOMER}/invoices/{note.uuid}", headers=jsonapi_headers(token))
    check(shown)
    assert shown.get_json()["data"]["meta"]["invoice-type"] == "Credit Note"


def test_orgs_v2_gives_it_the_credit_note_status(client, credited):
    invoice, note = credited
    response = client.get(
        f"/v2/orgs/telco/accounts/{invoice.account_id}/invoices?start_date=2026-01-01&end_date=2026-12-31",
        headers=bearer(make_key(level=3, scopes="read")),
    )
    rows = {row["number"]: row for row in response.get_json()["invoices"]}
    assert rows["CN-2026-000001"]["status"] == {"id": 5, "value": "CREDIT_NOTE"}
    assert rows["CN-2026-000001"]["value"] == -0.2
    assert set(rows["CN-2026-000001"]) == set(rows[invoice.invoice_number])
