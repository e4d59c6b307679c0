"""Admin invoice writes: create (the documented request), its errors, delete, and the PDF download."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from decimal import Decimal

import pytest
import requests
from pypdf import PdfReader

from portal.extensions import db
from portal.models import AuditEvent, Invoice
from tests.api.jsonapi.conftest import ADMIN, MEDIA, add_pdf, day, jsonapi_headers, login_admin, make_invoice
from tests.factories import AccountFactory, AdminUserFactory, CdrFactory, TransactionFactory
from tests.statements import loaded_objects

UTC = dt.timezone.utc


def create_body(account_id, start="2026-05-09", end="2026-06-09", **extra_attributes) -> str:
    attributes = {"start-date": start, "end-date": end, **extra_attributes}
    relationships = {"account": {"data": {"type": "accounts", "id": str(account_id)}}} if account_id else {}
    return json.dumps({"data": {"type": "invoices", "attributes": attributes, "relationships": relationships}})


def post(client, token, body):
    return client.post(f"{ADMIN}/invoices", data=body, headers=jsonapi_headers(token, **{"Content-Type": MEDIA}))


def assert_one_error(response, title: str, detail: str, pointer: str) -> None:
    """A 422 with exactly one validation error (code 100) pointing at `pointer`, as the seeds show it."""
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"title": title, "detail": detail, "code": "100", "status": "422", "source": {"pointer": pointer}}
    ]


def test_create_answers_new_with_zero_totals_and_fills_after_the_response(client, admin_token):
    account = AccountFactory(timezone="Europe/Berlin")
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 20, tzinfo=UTC))
    TransactionFactory(account=account, created_at=dt.datetime(2026, 5, 21, tzinfo=UTC))
    db.session.commit()
    response = post(client, admin_token, create_body(account.id))
    assert response.status_code == 201, response.data
    data = response.get_json()["data"]
    attributes = data["attributes"]
    # As documented: the invoice as created, not yet filled.
    assert attributes["state"] == "New" and attributes["invoice-type"] == "Manual"
    assert attributes["amount-spent"] == "0.0" and attributes["services-amount-spent"] == "0.0"
    assert attributes["originated-calls-count"] == 0 and attributes["pdf-path"] is None
    # Dates without a time are midnight in the account's time zone (Berlin is UTC+2 in May).
    assert attributes["start-date"] == "2026-05-08T22:00:00.000Z"
    assert response.headers["Location"] == f"http://localhost{ADMIN}/invoices/{data['id']}"
    invoice_id = int(data["id"])
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id).state == "New"  # the response is not sent yet
    response.close()  # the server has sent the response: the fill runs
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.state == "Pending"
    assert invoice.originated_amount_spent == Decimal("0.1") and invoice.amount_spent == Decimal("10.1")
    shown = client.get(f"{ADMIN}/invoices/{invoice_id}", headers=jsonapi_headers(admin_token)).get_json()
    assert shown["data"]["attributes"]["state"] == "Pending" and shown["data"]["attributes"]["amount-spent"] == "10.1"
    admin_events = db.session.query(AuditEvent).filter_by(action="invoice.created").one()
    assert admin_events.actor.startswith("admin")


def test_create_on_a_real_server_answers_new_and_the_invoice_is_filled_after(live_server, admin_token):
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 20, tzinfo=UTC))
    db.session.commit()
    headers = jsonapi_headers(admin_token, **{"Content-Type": MEDIA})
    response = requests.post(f"{live_server.url}{ADMIN}/invoices", data=create_body(account.id), headers=headers)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["attributes"]["state"] == "New" and data["attributes"]["amount-spent"] == "0.0"
    state = None
    for _ in range(100):
        shown = requests.get(f"{live_server.url}{ADMIN}/invoices/{data['id']}", headers=headers).json()
        state = shown["data"]["attributes"]["state"]
        if state == "Pending":
            break
        time.sleep(0.05)
    assert state == "Pending" and shown["data"]["attributes"]["originated-amount-spent"] == "0.1"


@pytest.mark.parametrize(
    "start, end, pointer, detail",
    [
        (None, "2026-06-01", "/data/attributes/start-date", "start-date - can't be blank"),
        ("2026-05-01", "", "/data/attributes/end-date", "end-date - can't be blank"),
        ("yesterday", "2026-06-01", "/data/attributes/start-date", "start-date - is invalid"),
        (20260501, "2026-06-01", "/data/attributes/start-date", "start-date - is invalid"),
        ("2026-06-01", "2026-05-01", "/data/attributes/end-date", "end-date - must be greater than start date"),
        ("2026-05-01", "2099-01-01", "/data", "end_time can't be in future"),
    ],
)
def test_create_errors_are_422_with_pointers(client, admin_token, start, end, pointer, detail):
    account = AccountFactory()
    db.session.commit()
    attributes = {k: v for k, v in (("start-date", start), ("end-date", end)) if v is not None}
    body = json.dumps(
        {
            "data": {
                "type": "invoices",
                "attributes": attributes,
                "relationships": {"account": {"data": {"type": "accounts", "id": str(account.id)}}},
            }
        }
    )
    response = post(client, admin_token, body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"detail": detail, "pointer": pointer} in [
        {"detail": e["detail"], "pointer": e["source"]["pointer"]} for e in errors
    ]
    assert all(e["status"] == "422" and isinstance(e["code"], str) and e["title"] for e in errors)
    assert db.session.query(Invoice).count() == 0


def test_create_without_or_with_an_unknown_account_points_at_the_relationship(client, admin_token):
    for body in (
        create_body(None),
        create_body(99999),
        create_body("99999999999999999999999"),
        create_body("x"),
        json.dumps(
            {
                "data": {
                    "type": "invoices",
                    "attributes": {"start-date": "2026-05-01", "end-date": "2026-06-01"},
                    "relationships": {"account": {"data": None}},
                }
            }
        ),
    ):
        response = post(client, admin_token, body)
        assert_one_error(response, "can't be blank", "account - can't be blank", "/data/relationships/account")


def test_overlapping_period_is_a_base_error(client, admin_token):
    account = AccountFactory()
    make_invoice(account, dt.datetime(2026, 5, 1, tzinfo=UTC), dt.datetime(2026, 6, 1, tzinfo=UTC))
    db.session.commit()
    response = post(client, admin_token, create_body(account.id, "2026-05-15", "2026-06-15"))
    problem = "have invoice inside provided period"
    assert_one_error(response, problem, problem, "/data")


def test_account_with_automatic_invoicing_cannot_get_a_manual_invoice(client, admin_token):
    account = AccountFactory(invoice_period="Monthly")
    db.session.commit()
    response = post(client, admin_token, create_body(account.id))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["detail"] == "account - have invoices auto generation enabled"
    assert response.get_json()["errors"][0]["source"]["pointer"] == "/data/relationships/account"


def test_only_dates_and_account_are_accepted(client, admin_token):
    account = AccountFactory()
    db.session.commit()
    body = json.loads(create_body(account.id, reference="X", state="Approved"))
    body["data"]["relationships"]["contractor"] = {"data": {"type": "contractors", "id": "1"}}
    response = post(client, admin_token, json.dumps(body))
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert {e["source"]["pointer"] for e in errors} == {
        "/data/attributes/reference",
        "/data/attributes/state",
        "/data/relationships/contractor",
    }
    assert {e["title"] for e in errors} == {"Param not allowed"}
    assert db.session.query(Invoice).count() == 0


@pytest.mark.parametrize(
    "body, status",
    [
        ("not json", 400),
        ('["data"]', 400),
        ('{"data": "x"}', 400),
        ('{"data": {"attributes": {}}}', 400),
        ('{"data": {"type": "accounts", "attributes": {}}}', 409),
        ('{"data": {"type": "invoices", "id": "5", "attributes": {}}}', 403),
        ('{"data": {"type": "invoices", "attributes": []}}', 400),
        (
            '{"data": {"type": "invoices", "relationships": {"account": {"data": {"type": "contractors", "id": "1"}}}}}',  # noqa: E501 - one request body
            400,
        ),
        (
            '{"data": {"type": "invoices", "relationships": {"account": {"data": {"type": "accounts", "id": true}}}}}',
            400,
        ),
        ('{"data": {"type": "invoices", "relationships": {"account": "1"}}}', 400),
    ],
)
def test_malformed_create_requests_are_clear_errors_not_500s(client, admin_token, body, status):
    response = post(client, admin_token, body)
    assert response.status_code == status, response.data
    assert response.get_json()["errors"][0]["status"] == str(status)


def test_admin_below_the_create_level_gets_a_403(client):
    reader = AdminUserFactory(level=1)
    account = AccountFactory()
    db.session.commit()
    response = post(client, login_admin(client, reader), create_body(account.id))
    assert response.status_code == 403
    error = response.get_json()["errors"][0]
    assert error["status"] == "403" and "expert level 2" in error["detail"]


def test_delete_removes_an_unapproved_invoice_with_its_rows(client, admin_token, pdf_bytes):
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=day(1))
    invoice = make_invoice(account, day(1), pdf=pdf_bytes)
    db.session.commit()
    response = client.delete(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(admin_token))
    assert response.status_code == 204 and response.data == b""
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id) is None
    assert (
        client.get(f"{ADMIN}/invoice-originated-destinations", headers=jsonapi_headers(admin_token)).get_json()["meta"][
            "total-count"
        ]
        == 0
    )
    assert client.delete(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(admin_token)).status_code == 404


def test_approved_invoice_cannot_be_deleted(client, admin_token):
    invoice = make_invoice(AccountFactory(), day(1), state="Approved")
    db.session.commit()
    response = client.delete(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(admin_token))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["detail"] == "Approved invoice can't be deleted"
    assert db.session.get(Invoice, invoice.id) is not None


def test_delete_needs_expert_level_4(client):
    invoice = make_invoice(AccountFactory(), day(1))
    clerk = AdminUserFactory(level=3)
    db.session.commit()
    response = client.delete(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(login_admin(client, clerk)))
    assert response.status_code == 403


def test_pdf_download_sends_the_stored_pdf_and_pdf_path_points_at_it(client, admin_token, pdf_bytes):
    invoice = make_invoice(AccountFactory(), day(1), pdf=pdf_bytes)
    db.session.commit()
    shown = client.get(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(admin_token)).get_json()
    path = shown["data"]["attributes"]["pdf-path"]
    assert path == f"{ADMIN}/invoices/{invoice.id}/pdf"  # a path on this server, as the reference system gives it
    response = client.get(path, headers={"Authorization": admin_token, "Accept": "application/pdf"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="invoice-{invoice.id}.pdf"'
    assert "Invoice" in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()


def test_pdf_is_404_without_a_document_and_401_without_a_token(client, admin_token, pdf_bytes):
    invoice = make_invoice(AccountFactory(), day(1))
    db.session.commit()
    shown = client.get(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(admin_token)).get_json()
    assert shown["data"]["attributes"]["pdf-path"] is None
    assert client.get(f"{ADMIN}/invoices/{invoice.id}/pdf", headers={"Authorization": admin_token}).status_code == 404
    assert client.get(f"{ADMIN}/invoices/12345/pdf", headers={"Authorization": admin_token}).status_code == 404
    add_pdf(invoice, pdf_bytes)
    db.session.commit()
    assert client.get(f"{ADMIN}/invoices/{invoice.id}/pdf").status_code == 401


def test_pdf_download_reads_the_stored_bytes_with_one_query(client, admin_token, pdf_bytes):
    # bench/http_server.py found the download at a fraction of a one-row route: it loaded the invoice,
    # the document row and then its deferred bytes. A download is now one query for the bytes.
    from sqlalchemy import event

    invoice = make_invoice(AccountFactory(), day(1), pdf=pdf_bytes)
    db.session.commit()
    client.get(f"{ADMIN}/invoices/{invoice.id}/pdf", headers={"Authorization": admin_token})  # warm caches
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(f"{ADMIN}/invoices/{invoice.id}/pdf", headers={"Authorization": admin_token})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200 and response.data == pdf_bytes
    invoice_reads = [s for s in statements if "invoice" in s]
    assert len(invoice_reads) == 1, invoice_reads
    assert "invoice_documents.data" in invoice_reads[0] and "FROM invoices" not in invoice_reads[0]


def test_show_reads_the_row_its_list_reads_and_answers_the_same_resource_object(client, admin_token, pdf_bytes):
    """The admin show reads the invoice as the row of the list's columns (no invoice object with every
    column): its resource object is the list's, with the PDF path, and an include still works."""
    account = AccountFactory()
    with_pdf = make_invoice(account, day(1), pdf=pdf_bytes)
    without = make_invoice(account, day(3), state="Approved")
    db.session.commit()
    headers = jsonapi_headers(admin_token)
    listed = client.get(f"{ADMIN}/invoices", query_string={"filter[account_id_eq]": account.id}, headers=headers)
    by_id = {item["id"]: item for item in listed.get_json()["data"]}
    with loaded_objects(Invoice) as built:
        shown = [
            client.get(f"{ADMIN}/invoices/{i.id}", headers=headers).get_json()["data"] for i in [with_pdf, without]
        ]
    assert built == []
    assert shown == [by_id[str(with_pdf.id)], by_id[str(without.id)]]
    assert shown[0]["attributes"]["pdf-path"] and shown[1]["attributes"]["pdf-path"] is None
    included = client.get(f"{ADMIN}/invoices/{without.id}?include=account", headers=headers).get_json()["included"]
    assert [(i["type"], i["id"]) for i in included] == [("accounts", str(account.id))]
    assert client.get(f"{ADMIN}/invoices/999999", headers=headers).status_code == 404
