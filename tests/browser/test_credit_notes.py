"""In Chromium: a manager issues a credit note on an approved invoice; the customer finds it in the list, downloads
its PDF and its XML, and sees the invoice's balance reduced."""

from __future__ import annotations

import io

from lxml import etree
from pypdf import PdfReader

from portal.extensions import db
from portal.foundations.formatting import money
from portal.models import Invoice
from tests.einvoice.validation import xsd_errors
from tests.factories import PASSWORD, AdminUserFactory, CustomerUserFactory
from tests.invoices import make_invoice

CBC = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def test_a_credit_note_is_issued_listed_downloaded_and_reduces_the_balance(
    app, browser, page, live_server, browser_login
):
    invoice = make_invoice("Approved")
    admin = AdminUserFactory(level=4, email="manager@telco.example")
    CustomerUserFactory(customer=invoice.customer, email="ops@acme.example")
    db.session.commit()
    outstanding_before = invoice.outstanding

    browser_login(page, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/invoices/{invoice.id}")
    page.get_by_role("link", name="Issue credit note").click()
    page.get_by_label("An amount (net, before VAT)").check()
    page.get_by_label("Amount (net)").fill("1.00")
    page.get_by_label("Reason").fill("Goodwill for the outage")
    page.get_by_role("button", name="Issue credit note").click()
    page.wait_for_selector("text=Credit note CN-2026-000001 issued.")
    db.session.expire_all()
    note = db.session.query(Invoice).filter(Invoice.credited_invoice_id == invoice.id).one()

    customer = browser.new_context(accept_downloads=True).new_page()
    browser_login(customer, "ops@acme.example", PASSWORD)
    customer.goto(f"{live_server.url}/portal/invoices")
    row = customer.locator("tr", has_text="CN-2026-000001")
    assert row.get_by_text("Credit note").is_visible()

    customer.goto(f"{live_server.url}/portal/invoices/{invoice.uuid}")
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.outstanding == outstanding_before - (-note.total_amount)
    # The statement's balance due (was the whole total before the credit), in the customer's language.
    balance = customer.locator("table.statement tr[data-figure='balance'] td").inner_text()
    assert balance.strip() == money(invoice.outstanding, invoice.currency, locale=invoice.customer.language)
    assert "CN-2026-000001" in customer.locator("p.credit-notes").inner_text()
    assert invoice.outstanding < outstanding_before
    customer.get_by_role("link", name="CN-2026-000001").click()
    customer.wait_for_selector("h1:has-text('Credit note CN-2026-000001')")

    with customer.expect_download() as info:
        customer.get_by_role("button", name="Download PDF").click()
    with open(info.value.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Credit note" in text and "CN-2026-000001" in text and invoice.invoice_number in text
    assert "factur-x.xml" in reader.attachments

    with customer.expect_download() as info:
        customer.get_by_role("link", name="Download e-invoice (UBL XML)").click()
    assert info.value.suggested_filename == "CN-2026-000001.xml"
    with open(info.value.path(), "rb") as handle:
        xml = handle.read()
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=CBC) == "381"
