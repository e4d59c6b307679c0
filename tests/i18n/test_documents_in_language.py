"""The PDF, the e-mail and the download page are in the customer's language, with its dates and money, whoever
makes them (an admin, the worker, an anonymous visitor); a stored message template is sent as written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.delivery import templates_service as ts
from portal.delivery.emailing import email_invoice
from portal.delivery.links import mint_download_link
from portal.extensions import db
from portal.foundations.permissions import Actor
from portal.models import InvoiceDocument
from tests.factories import CustomerFactory
from tests.invoices import make_invoice
from tests.smtp import smtp_server  # noqa: F401 - fixture

CLERK = Actor("clerk@telco.example", kind="admin", level=3)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def stored_pdf(invoice) -> bytes:
    return db.session.scalars(
        select(InvoiceDocument.data).where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == "pdf")
    ).one()


def invoice_of(language: str):
    return make_invoice(customer=CustomerFactory(language=language), currency="EUR", timezone="UTC")


def test_a_german_customer_gets_a_german_email_with_a_german_pdf(app, smtp_server):
    invoice = invoice_of("de")
    email_invoice(invoice, actor=CLERK)
    db.session.commit()
    [received] = smtp_server.messages
    msg = received.message
    assert msg["Subject"] == f"Rechnung {invoice.invoice_number} für 01.05.2026 – 31.05.2026"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    total = f"{invoice.total_amount:.2f}".replace(".", ",") + "\xa0€"
    assert "anbei erhalten Sie die Rechnung" in text and f"Gesamtbetrag: {total}, fällig am" in text
    assert "Mit freundlichen Grüßen" in html and "please find attached" not in text + html
    [attachment] = list(msg.iter_attachments())
    pdf = pdf_text(attachment.get_content())
    assert "Rechnungsnummer" in pdf and "Nettobetrag" in pdf and "01.05.2026" in pdf
    assert "Invoice number" not in pdf and "Net amount" not in pdf


def test_a_french_customers_pdf_is_french(app):
    pdf = pdf_text(stored_pdf(invoice_of("fr")))
    assert "Numéro de facture" in pdf and "Montant HT" in pdf and "1 mai 2026" in pdf
    assert "Invoice number" not in pdf


def test_an_english_customer_still_gets_english(app, smtp_server):
    invoice = invoice_of("en")
    email_invoice(invoice, actor=CLERK)
    db.session.commit()
    msg = smtp_server.messages[0].message
    assert msg["Subject"] == f"Invoice {invoice.invoice_number} for May 1, 2026 – May 31, 2026"
    assert "Invoice number" in pdf_text(stored_pdf(invoice))


def test_a_stored_message_template_is_sent_as_written_with_figures_in_the_customers_locale(app, smtp_server):
    ts.create_message_template(
        "Kurz", "Ihre Rechnung {invoice_number}", "Summe {total}", actor=Actor("m@telco.example", kind="admin", level=4)
    )
    invoice = invoice_of("de")
    email_invoice(invoice, actor=CLERK, message="Kurz")
    db.session.commit()
    msg = smtp_server.messages[0].message
    assert msg["Subject"] == f"Ihre Rechnung {invoice.invoice_number}"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    # The author's words as written, then the statement every invoice e-mail carries (in the customer's language).
    assert text.startswith("Summe ") and text.splitlines()[0].endswith("\xa0€")
    assert f"Rechnung {invoice.invoice_number}" in text and "Zahlungsempfänger" in text


@pytest.mark.parametrize(
    "language, expected", [("de", "Verbleibende Downloads"), ("es", "Descargas restantes"), ("en", "Downloads left")]
)
def test_the_download_page_speaks_the_customers_language_to_anyone(app, client, language, expected):
    invoice = invoice_of(language)
    _link, token = mint_download_link(
        invoice, actor=CLERK, expires_in=dt.timedelta(hours=1), max_uses=1, purpose="email"
    )
    db.session.commit()
    html = client.get(f"/d/{token}").get_data(as_text=True)
    assert expected in html and f'lang="{language}"' in html
