"""Backend API v1 actions served by the document, e-mail and Xero services; the PDF by content negotiation."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from pypdf import PdfReader

from portal.extensions import db
from portal.models import DownloadLink, EmailDelivery, Invoice
from tests.api.backend_v1.conftest import assert_error
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.invoices import XERO_ID, xero_enabled  # noqa: F401 - fixture
from tests.smtp import smtp_server  # noqa: F401 - fixture


def test_pdf_by_accept_header_is_the_stored_pdf(api, account):
    invoice = raised_invoice(account, render_pdf=True)
    db.session.commit()
    response = api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/pdf"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert invoice.invoice_number in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/json, application/pdf;q=0.5"}).is_json
    assert api.get(f"/invoices/{invoice.id}", headers={"Accept": "*/*"}).is_json


def test_pdf_of_an_invoice_without_one_is_404002(api, account):
    invoice = raised_invoice(account, render_pdf=False)
    db.session.commit()
    assert_error(api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/pdf"}), 404, 404002)


def test_recreate_renders_the_pdf_and_returns_the_invoice(api, account):
    invoice = raised_invoice(account, render_pdf=False)
    db.session.commit()
    response = api.post(f"/invoices/{invoice.id}?action=recreate")
    assert response.status_code == 200 and response.get_json()["id"] == str(invoice.id)
    pdf = api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_recreate_failure_is_400701_and_recorded(api, account, app):
    invoice = raised_invoice(account, render_pdf=False)
    db.session.commit()
    app.config["PDF_TEMPLATE"] = "pdf/no-such-template.html"
    try:
        body = assert_error(api.post(f"/invoices/{invoice.id}?action=recreate"), 400, 400701)
    finally:
        app.config.pop("PDF_TEMPLATE")
    assert "could not be recreated" in body["hint"]
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).pdf_error


def test_recreate_of_an_unfilled_invoice_is_400701(api, account):
    from tests.factories import InvoiceFactory

    invoice = InvoiceFactory(account=account)
    db.session.commit()
    assert_error(api.post(f"/invoices/{invoice.id}?action=recreate"), 400, 400701)


def test_email_cdrs_sends_the_csv_to_the_given_addresses(api, account, smtp_server):
    invoice = raised_invoice(account)
    db.session.commit()
    response = api.post(f"/invoices/{invoice.id}?action=emailCdrs", json={"email": "a@example.com; b@example.com"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is True and "a@example.com" in body["message"]
    [received] = smtp_server.messages
    assert sorted(received.rcpt_tos) == ["a@example.com", "b@example.com"]
    attachment = next(received.message.iter_attachments())
    assert attachment.get_filename().endswith(".csv")
    assert db.session.query(EmailDelivery).filter_by(kind="cdrs", status="sent").count() == 1


def test_email_cdrs_errors_have_their_codes(api, account, smtp_server):
    without_cdrs = raised_invoice(account, calls=0)
    other = raised_invoice(account, start=without_cdrs.end_date, end=without_cdrs.end_date.replace(month=7))
    unsent = pending_invoice(account, start=other.end_date, end=other.end_date.replace(month=8))
    db.session.commit()
    assert_error(
        api.post(f"/invoices/{without_cdrs.id}?action=emailCdrs", json={"email": ["x@example.com"]}), 400, 400707
    )
    assert_error(api.post(f"/invoices/{other.id}?action=emailCdrs", json={"email": ["not an address"]}), 400, 400702)
    assert_error(api.post(f"/invoices/{other.id}?action=emailCdrs", json={"email": 42}), 400, 400702)
    assert_error(api.post(f"/invoices/{unsent.id}?action=emailCdrs", json={"email": ["x@example.com"]}), 400, 400502)
    smtp_server.handler.refuse_data = "554 5.7.1 Rejected"
    assert_error(api.post(f"/invoices/{other.id}?action=emailCdrs", json={"email": ["x@example.com"]}), 500, 500602)
    assert db.session.query(EmailDelivery).filter_by(kind="cdrs", status="failed").count() == 1
    assert smtp_server.messages == []


def test_email_parameters_are_checked_with_their_codes(api, account, smtp_server):
    invoice = raised_invoice(account)
    unsent = pending_invoice(account, start=invoice.end_date, end=invoice.end_date.replace(month=7))
    db.session.commit()
    path = f"/invoices/{invoice.id}?action=email"
    assert_error(api.post(path, json={"email": ["nope"]}), 400, 400702)
    assert_error(api.post(path, json={"billStyle": "Fancy"}), 400, 400703)
    assert_error(api.post(path, json={"billStyle": 7}), 400, 400703)
    assert_error(api.post(path, json={"message": "No such template"}), 400, 400704)
    assert_error(api.post(path, json={"attachments": ["terms.pdf"]}), 400, 400705)
    assert_error(api.post(path, json={"attachments": "terms.pdf"}), 400, 400705)
    assert_error(api.post(path, json={"invoiceUsageReportCustomerProfileID": "Nope"}), 400, 400706)
    assert_error(api.post(f"/invoices/{unsent.id}?action=email", json={}), 400, 400502)
    assert smtp_server.messages == []


def test_link_and_unlink_xero(api, account, xero_enabled):
    invoice = raised_invoice(account)
    db.session.commit()
    body = api.post(f"/invoices/{invoice.id}?action=linkToXero", json={"xeroID": XERO_ID}).get_json()
    assert body["id"] == str(invoice.id)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).xero_id == uuid.UUID(XERO_ID)
    assert api.post(f"/invoices/{invoice.id}?action=unlinkFromXero").status_code == 200
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).xero_id is None
    assert_error(api.post(f"/invoices/{invoice.id}?action=unlinkFromXero"), 400, 400502)


def test_xero_parameters_levels_and_module_switch(api, key_client, account, app, xero_enabled):
    invoice = raised_invoice(account)
    db.session.commit()
    path = f"/invoices/{invoice.id}?action=linkToXero"
    assert_error(api.post(path, json={}), 400, 400503)
    assert_error(api.post(path, json={"xeroID": ""}), 400, 400503)
    assert_error(api.post(path, json={"xeroID": "not-a-uuid"}), 400, 400504)
    assert_error(api.post(path, json={"xeroID": 12}), 400, 400504)
    level3 = key_client(level=3)
    assert level3.post(path, json={"xeroID": XERO_ID}).status_code == 200
    # Replacing an existing link and unlinking need level 5.
    assert_error(level3.post(path, json={"xeroID": str(uuid.uuid4())}), 403, 403002)
    assert_error(level3.post(f"/invoices/{invoice.id}?action=unlinkFromXero"), 403, 403002)
    app.config["XERO_ENABLED"] = False
    assert "Xero" in assert_error(api.post(f"/invoices/{invoice.id}?action=unlinkFromXero"), 400, 400502)["hint"]


def test_generate_download_link_defaults_and_choices(api, account, client):
    invoice = raised_invoice(account)
    db.session.commit()
    before = dt.datetime.now(dt.timezone.utc)
    body = api.post(f"/invoices/{invoice.id}?action=generateDownloadLink").get_json()
    assert set(body) == {"success", "download_url", "token", "expires_at", "max_uses"}
    assert body["success"] is True and body["max_uses"] == 1
    assert body["expires_at"].endswith("+00:00")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(hours=167, minutes=59) < expires - before < dt.timedelta(hours=168, minutes=1)
    assert body["download_url"].endswith("/d/" + body["token"])
    path = "/d/" + body["token"]
    assert client.post(path).data.startswith(b"%PDF")
    assert client.post(path).status_code == 410  # one use only
    two = api.post(f"/invoices/{invoice.id}?action=generateDownloadLink", json={"expiryHours": 1, "maxUses": 2})
    two = two.get_json()
    assert two["max_uses"] == 2
    assert dt.datetime.fromisoformat(two["expires_at"]) - before < dt.timedelta(hours=1, minutes=1)
    assert db.session.query(DownloadLink).filter_by(purpose="api").count() == 2


def test_generate_download_link_needs_an_approved_invoice_and_level_three(api, key_client, account):
    invoice = pending_invoice(account)
    raised = raised_invoice(account, start=invoice.end_date, end=invoice.end_date.replace(month=7))
    db.session.commit()
    assert_error(api.post(f"/invoices/{invoice.id}?action=generateDownloadLink"), 400, 400502)
    assert_error(key_client(level=2).post(f"/invoices/{raised.id}?action=generateDownloadLink"), 403, 403002)
    customer_key = key_client(customer=account.customer, scopes="read,write", level=1)
    assert customer_key.post(f"/invoices/{raised.id}?action=generateDownloadLink").status_code == 200


def test_email_sends_the_invoice_to_the_given_addresses(api, account, smtp_server):
    invoice = raised_invoice(account)
    db.session.commit()
    response = api.post(
        f"/invoices/{invoice.id}?action=email",
        json={"email": ["accounts@example.com", "billing@example.com"], "billStyle": "Summary"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body == {"success": True, "message": body["message"]} and "accounts@example.com" in body["message"]
    [received] = smtp_server.messages
    assert sorted(received.rcpt_tos) == ["accounts@example.com", "billing@example.com"]
    assert any(part.get_filename().endswith(".pdf") for part in received.message.iter_attachments())
    db.session.expire_all()
    assert "emailed" in api.get(f"/invoices/{invoice.id}").get_json()["status"]


def test_email_delivery_failure_is_500601_and_recorded(api, account, smtp_server):
    invoice = raised_invoice(account)
    db.session.commit()
    smtp_server.handler.refuse_rcpt = "550 5.1.1 Mailbox unavailable"
    assert_error(api.post(f"/invoices/{invoice.id}?action=email", json={"email": "x@example.com"}), 500, 500601)
    assert db.session.query(EmailDelivery).filter_by(kind="invoice", status="failed").count() == 1
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).emailed_at is None
