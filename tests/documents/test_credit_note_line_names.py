"""A credit note's lines are named in the customer's language on its stored PDF and on the customer's page, as
the invoice's own lines are, with their details (calls and minutes) in its words and figures."""

from __future__ import annotations

import pytest

from portal.billing.credit_notes import creditable, issue_credit_note
from portal.documents.service import render_invoice_document
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.documents.conftest import pdf_text
from tests.documents.test_einvoices import raised_invoice
from tests.factories import CustomerUserFactory

MANAGER = Actor("manager@telco.example", kind="admin", level=4)
NAMES = {
    "de": ["Berechnete abgehende Anrufe", "Gutschrift: Kulanz", "Anrufe · "],
    "en": ["Originated calls charged", "Credit: Kulanz", " calls · "],
}
ENGLISH = ["Originated calls charged", "Credit: Kulanz", " calls · "]


def credit_notes_of_a_customer(language: str):
    """An invoice of a customer in `language` credited twice: its call line, then an amount."""
    invoice = raised_invoice(country="DE", currency="EUR", vat_rate="19", reverse_charge=True)
    invoice.customer.language = language
    keys = [line.key for line in creditable(invoice).lines if line.unit_code == "MIN"]
    lines = issue_credit_note(invoice, mode="lines", line_keys=keys, reason="Doppelt", actor=MANAGER)
    amount = issue_credit_note(invoice, mode="amount", amount="1.00", reason="Kulanz", actor=MANAGER)
    db.session.commit()
    return invoice, lines, amount


@pytest.mark.parametrize("language", sorted(NAMES))
def test_the_stored_credit_note_pdf_names_its_lines_in_the_customers_language(app, language):
    _invoice, lines, amount = credit_notes_of_a_customer(language)
    text = " ".join(" ".join(pdf_text(render_invoice_document(note).data)) for note in (lines, amount))
    flat = " ".join(text.split())
    for name in NAMES[language]:
        assert name in flat, name
    if language != "en":
        for english in ENGLISH:
            assert english not in flat, english


@pytest.mark.parametrize("language", sorted(NAMES))
def test_the_credit_note_page_names_its_lines_in_the_customers_language(app, client, login, language):
    invoice, lines, amount = credit_notes_of_a_customer(language)
    login(CustomerUserFactory(customer=invoice.customer))
    db.session.commit()
    pages = " ".join(client.get(f"/portal/invoices/{note.uuid}").get_data(as_text=True) for note in (lines, amount))
    flat = " ".join(pages.split())
    for name in NAMES[language][:2]:
        assert f'<th scope="row">{name}</th>' in flat, name
    if language != "en":
        for english in ENGLISH[:2]:
            assert english not in flat, english
