"""An e-invoice's free texts are in the customer's language in CII and UBL, invoice and credit note: payment
terms (BT-20), line names (BT-153), discount reasons (BT-97), the VAT exemption reason (BT-120); its codes stay."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from portal.billing.credit_notes import creditable, issue_credit_note
from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.documents.einvoices import einvoice_for
from portal.einvoice.cii import cii_xml
from portal.einvoice.ubl import ubl_xml
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.documents.test_einvoices import CII, END, NOW, START, UBL, raised_invoice
from tests.einvoice.validation import fatal_failures, xsd_errors
from tests.factories import AccountFactory, CustomerFactory

MANAGER = Actor("manager@telco.example", kind="admin", level=4)
TEXTS = {
    "de": {
        "terms": "Zahlbar innerhalb von 30 Tagen ab Rechnungsdatum",
        "credited": "Gutschrift zur Rechnung {number}",
        "exemption": "Umkehr der Steuerschuld: Die USt. schuldet der Leistungsempfänger (Artikel 196",
        "export": "Ausfuhr von Dienstleistungen außerhalb der EU: nicht umsatzsteuerbar",
        "lines": ["Berechnete abgehende Anrufe", "DID numbers", "Sonstiges – Gutschrift", "Rundung"],
        "discount": "Rabatt: ",
        "amount_line": "Gutschrift: Kulanz",
    },
    "fr": {
        "terms": "Payable sous 30 jours à compter de la date de facture",
        "credited": "Avoir sur la facture {number}",
        "exemption": "Autoliquidation : TVA due par le preneur (article 196",
        "export": "Exportation de services hors de l’UE : non soumise à la TVA",
        "lines": ["Appels émis facturés", "DID numbers", "Autres – avoir", "Arrondi"],
        "discount": "Remise : ",
        "amount_line": "Avoir : Kulanz",
    },
    "en": {
        "terms": "Payable within 30 days of the invoice date",
        "credited": "Credited against invoice {number}",
        "exemption": "Reverse charge: VAT to be accounted for by the recipient (Article 196",
        "export": "Export of services outside the EU: not subject to VAT",
        "lines": ["Originated calls charged", "DID numbers", "Other – credit", "Rounding"],
        "discount": "Discount: ",
        "amount_line": "Credit: Kulanz",
    },
}
# What the writers put where, per syntax: (payment terms, line names, exemption reasons, exemption codes, allowances).
PATHS = {
    "cii": (
        "//ram:SpecifiedTradePaymentTerms/ram:Description/text()",
        "//ram:SpecifiedTradeProduct/ram:Name/text()",
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason/text()",
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode/text()",
        "//ram:SpecifiedTradeAllowanceCharge/ram:Reason/text()",
    ),
    "ubl": (
        "/*/cac:PaymentTerms/cbc:Note/text()",
        "//cac:Item/cbc:Name/text()",
        "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason/text()",
        "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode/text()",
        "/*/cac:AllowanceCharge/cbc:AllowanceChargeReason/text()",
    ),
}
WRITERS = {"cii": cii_xml, "ubl": ubl_xml}
NAMESPACES = {**CII, **UBL}


def written(syntax: str, document) -> dict[str, list[str]]:
    xml = WRITERS[syntax](document)
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    found = [root.xpath(path, namespaces=NAMESPACES) for path in PATHS[syntax]]
    return dict(zip(("terms", "lines", "exemption", "codes", "allowances"), found, strict=True))


def reverse_charge_invoice(language: str):
    invoice = raised_invoice(
        country="DE", currency="EUR", vat_rate="19", reverse_charge=True, discount=True, credit=True
    )
    invoice.customer.language = language
    db.session.commit()
    return invoice


@pytest.mark.parametrize("syntax", sorted(WRITERS))
@pytest.mark.parametrize("language", sorted(TEXTS))
def test_an_invoice_has_its_terms_lines_and_exemption_in_the_customers_language(app, language, syntax):
    want = TEXTS[language]
    found = written(syntax, einvoice_for(reverse_charge_invoice(language)))
    assert found["terms"] == [want["terms"]]
    assert found["lines"] == want["lines"]
    [exemption] = found["exemption"]
    assert exemption.startswith(want["exemption"])
    assert found["codes"] == ["VATEX-EU-AE"]
    [discount] = found["allowances"]
    assert discount.startswith(want["discount"])


@pytest.mark.parametrize("syntax", sorted(WRITERS))
@pytest.mark.parametrize("language", sorted(TEXTS))
def test_a_credit_note_has_its_terms_and_lines_in_the_customers_language(app, language, syntax):
    want = TEXTS[language]
    invoice = reverse_charge_invoice(language)
    traffic = [line.key for line in creditable(invoice).lines if line.unit_code == "MIN"]
    note = issue_credit_note(invoice, mode="lines", line_keys=traffic, reason="Doppelt", actor=MANAGER)
    extra = issue_credit_note(invoice, mode="amount", amount="1.00", reason="Kulanz", actor=MANAGER)
    db.session.commit()
    found = written(syntax, einvoice_for(note))
    assert found["terms"] == [want["credited"].format(number=invoice.invoice_number)]
    assert found["lines"] == want["lines"][:1]
    assert found["exemption"][0].startswith(want["exemption"]) and found["codes"] == ["VATEX-EU-AE"]
    assert written(syntax, einvoice_for(extra))["lines"] == [want["amount_line"]]


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_an_export_invoice_gives_its_exemption_reason_in_the_customers_language(app, language):
    invoice = raised_invoice(country="US", currency="USD", vat_rate="0")
    invoice.customer.language = language
    db.session.commit()
    document = einvoice_for(invoice)
    for syntax in sorted(WRITERS):
        found = written(syntax, document)
        assert found["exemption"] == [TEXTS[language]["export"]] and found["codes"] == ["VATEX-EU-G"]
        assert found["terms"] == [TEXTS[language]["terms"]]


@pytest.mark.parametrize("syntax", sorted(WRITERS))
def test_a_german_e_invoice_passes_the_en16931_rules(app, syntax):
    invoice = reverse_charge_invoice("de")
    note = issue_credit_note(invoice, mode="amount", amount="1.00", reason="Kulanz", actor=MANAGER)
    db.session.commit()
    for document in (einvoice_for(invoice), einvoice_for(note)):
        assert fatal_failures(syntax, WRITERS[syntax](document)) == []


def test_the_line_of_a_quiet_period_is_named_in_the_customers_language(app):
    account = AccountFactory(customer=CustomerFactory(language="de"))
    invoice = create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW)
    fill_invoice(invoice)
    approve_invoice(invoice, today=dt.date(2026, 6, 2), render_pdf=False)
    document = einvoice_for(invoice)
    for syntax in sorted(WRITERS):
        assert written(syntax, document)["lines"] == ["Keine Anrufe oder Gebühren im Zeitraum"]
