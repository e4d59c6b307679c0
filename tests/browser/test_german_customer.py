"""In Chromium: a German customer's user sees the dashboard, the invoice list and an invoice in German, downloads a
German PDF; the e-mail of that invoice arrives in German at the loopback SMTP server and its link opens a German
download page."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from portal.delivery.emailing import email_invoice
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.customer.conftest import approved_invoice, month
from tests.factories import PASSWORD, CustomerFactory, CustomerUserFactory
from tests.invoices import make_invoice
from tests.smtp import smtp_server  # noqa: F401 - fixture


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_german_customer_reads_the_portal_the_pdf_and_the_email_in_german(
    app, page, live_server, browser_login, smtp_server
):
    customer = CustomerFactory(name="Nordwind Telekom GmbH", language="de")
    invoice = make_invoice(customer=customer, currency="EUR", timezone="UTC")
    approved_invoice(invoice.account, month(-1), total="1234.50", paid="0")
    CustomerUserFactory(customer=customer, email="portal@nordwind.example")
    db.session.commit()

    browser_login(page, "portal@nordwind.example", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == "Übersicht"
    assert page.get_by_role("heading", name="Offene Beträge").is_visible()
    assert "1.234,50\xa0€" in page.locator("#main").inner_text()

    page.get_by_role("link", name="Rechnungen", exact=True).click()
    page.wait_for_url("**/portal/invoices")
    assert page.get_by_role("heading", level=1).inner_text() == "Rechnungen"
    page.get_by_label("Zeitraum", exact=True).select_option("last_year")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**preset=last_year**")
    results = page.locator("#invoice-results")
    assert re.search(r"Rechnungen mit Zeiträumen vom \d\d\.\d\d\.\d{4} bis \d\d\.\d\d\.\d{4}", results.inner_text())
    page.get_by_role("link", name="Zurücksetzen").click()
    page.wait_for_url("**/portal/invoices")
    assert page.get_by_role("columnheader", name="Rechnungsdatum").is_visible()

    page.get_by_role("link", name=invoice.invoice_number).click()
    page.wait_for_url(f"**/portal/invoices/{invoice.uuid}")
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Rechnung {invoice.invoice_number}")
    assert page.get_by_role("heading", name="Aufschlüsselung der Ausgaben").is_visible()
    assert "01.05.2026 – 31.05.2026" in page.locator("#main").inner_text()
    with page.expect_download() as info:
        page.get_by_role("button", name="PDF herunterladen").click()
    with open(info.value.path(), "rb") as downloaded:
        pdf = pdf_text(downloaded.read())
    # The statement and the payment box come first: the page count depends on the rows, the words do not.
    assert "Rechnungsnummer" in pdf and "Nettobetrag" in pdf and re.search(r"Seite 1 von \d", pdf)
    assert "Invoice number" not in pdf and "Page" not in pdf

    email_invoice(invoice, actor=Actor("clerk@telco.example", kind="admin", level=3))
    db.session.commit()
    [received] = smtp_server.messages
    message = received.message
    assert message["Subject"] == f"Rechnung {invoice.invoice_number} für 01.05.2026 – 31.05.2026"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "anbei erhalten Sie die Rechnung" in body and "Mit freundlichen Grüßen" in body
    [attachment] = list(message.iter_attachments())
    assert "Rechnungsnummer" in pdf_text(attachment.get_content())

    link = re.search(r"Download: (\S+)", body).group(1)
    path = link[link.index("/d/") :]
    page.context.clear_cookies()  # whoever opens the link: no session at all
    page.goto(f"{live_server.url}{path}")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("button", name="PDF herunterladen").is_visible()
    assert page.get_by_text("Verbleibende Downloads").is_visible()
