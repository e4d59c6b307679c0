"""The invoice PDF has no English left for a German or Spanish customer: the VAT line with its reverse charge, the
credited traffic rows, the line details with their figures in the locale, the footer. PORTAL_SCREENSHOTS=<folder>
saves the PDFs there, to look at."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from portal.billing.credit_notes import issue_credit_note
from portal.documents.context import invoice_pdf_context
from portal.documents.credit_notes import CREDIT_NOTE_TEMPLATE, credit_note_pdf_context
from portal.documents.pdf import render_invoice_pdf
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.documents.conftest import pdf_text
from tests.documents.test_einvoices import raised_invoice
from tests.factories import CustomerUserFactory
from tests.statement.data import generated_invoices
from tests.statement.test_reconciliation import pdf_figures

EXPECTED = {
    "de": {
        "vat": r"^USt\. 19 % auf .+ \(Umkehr der Steuerschuld\)",
        "texts": ["Anrufe · ", " Min.", "Gutschrift", "Sitz: Hamburg", "5 Freiminuten: "],
        "calls": r"\d+ Anrufe · \d+,\d Min\.",
    },
    "es": {
        "vat": r"^IVA 19 % sobre .+",
        "texts": ["llamadas · ", " abono", "Domicilio social: Hamburg", "5 minutos gratuitos: "],
        "calls": r"\d+ llamadas · \d+,\d min",
    },
}
MANAGER = Actor("manager@telco.example", kind="admin", level=4)
ENGLISH = ["Registered office", "reverse charge", " calls · ", " credit", "free minutes:", "% off"]


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_pdf_texts_are_in_the_customers_language(app, language):
    invoice = generated_invoices()[0]
    invoice.customer.language = language
    invoice.organization.registered_office = "Hamburg"
    db.session.commit()
    data = render_invoice_pdf(invoice_pdf_context(invoice))
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        Path(shots, f"invoice-{language}.pdf").write_bytes(data)
    text = "\n".join(pdf_text(data))
    flat = " ".join(text.split())
    want = EXPECTED[language]
    assert re.search(want["vat"], text, re.M), text
    assert re.search(want["calls"], flat)
    for snippet in want["texts"]:
        assert snippet in flat, snippet
    for english in ENGLISH:
        assert english not in flat, english


def test_a_wrapping_vat_label_keeps_its_amount_in_its_own_cell(app):
    """A long reverse-charge label (Spanish, a seven-figure base) wraps inside its cell; the amount stays whole in
    the next cell, and the statement's reading of the PDF still finds it."""
    invoice = generated_invoices()[0]
    invoice.customer.language = "es"
    db.session.commit()
    context = invoice_pdf_context(invoice)
    vat = context["statement"]["vat_lines"][0]
    vat["label"] = vat["label"].replace(vat["label"].split(" sobre ")[1].split(" (")[0], "1.234.567,89\xa0€")
    vat["amount"] = "234.567,89\xa0€"
    data = render_invoice_pdf(context)
    text = "\n".join(pdf_text(data))
    assert re.search(r"^IVA 19 % sobre 1\.234\.567,89\s€ \(inversión del\s*$", text, re.M), "the label wraps"
    figures, _lines = pdf_figures(data, "es")
    assert figures["vat"] == Decimal("234567.89")


CREDIT_NOTE_TEXTS = {
    "de": ["Gutschriftsnummer", "Korrigiert Rechnung", "Netto gutgeschrieben", "USt. 19 % (Umkehr der Steuerschuld)"],
    "es": ["Número de factura rectificativa", "Rectifica la factura", "IVA 19 % (inversión del sujeto pasivo)"],
}


@pytest.mark.parametrize("language", sorted(CREDIT_NOTE_TEXTS))
def test_the_credit_note_pdf_and_page_are_in_the_customers_language(app, client, login, language):
    invoice = raised_invoice(country="DE", currency="EUR", vat_rate="19", reverse_charge=True)
    invoice.customer.language = language
    note = issue_credit_note(invoice, mode="full", reason="Doppelt berechnet", actor=MANAGER)
    db.session.commit()
    data = render_invoice_pdf(credit_note_pdf_context(note), CREDIT_NOTE_TEMPLATE)
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        Path(shots, f"credit-note-{language}.pdf").write_bytes(data)
    flat = " ".join(" ".join(pdf_text(data)).split())
    for snippet in CREDIT_NOTE_TEXTS[language]:
        assert snippet in flat, snippet
    for english in ("Credit note number", "Corrects invoice", "Net credited", "VAT number", "reverse charge", "VAT ("):
        assert english not in flat, english
    login(CustomerUserFactory(customer=invoice.customer))
    db.session.commit()
    page = " ".join(client.get(f"/portal/invoices/{note.uuid}").get_data(as_text=True).split())
    if language == "de":
        assert f"<h1>Gutschrift {note.invoice_number}</h1>" in page and "Gesamt gutgeschrieben" in page
        assert f">{invoice.invoice_number}</a> vom " in page
