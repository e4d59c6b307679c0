"""The e-invoice says what the invoice statement says: CII and UBL totals, lines, allowances and VAT of real
invoices and credit notes read back from the XML equal the statement's (which the PDF and the pages show)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from portal.billing.credit_notes import creditable, issue_credit_note
from portal.documents.einvoices import credit_note_lines, einvoice_for
from portal.einvoice.cii import cii_xml
from portal.einvoice.ubl import ubl_xml
from portal.extensions import db
from portal.statement import build_statement
from tests.documents.test_einvoices import raised_invoice

TODAY = dt.date(2026, 6, 20)
NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII_PATHS = {
    "net": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxBasisTotalAmount",
    "vat": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount",
    "total": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
    "due": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount",
    "lines": "//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount",
    "allowances": "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount",
    "vat_bases": "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount",
    "vat_amounts": "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount",
}
UBL_PATHS = {
    "net": "/*/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
    "vat": "/*/cac:TaxTotal/cbc:TaxAmount",
    "total": "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
    "due": "/*/cac:LegalMonetaryTotal/cbc:PayableAmount",
    "lines": "/*/cac:InvoiceLine/cbc:LineExtensionAmount | /*/cac:CreditNoteLine/cbc:LineExtensionAmount",
    "allowances": "/*/cac:AllowanceCharge/cbc:Amount",
    "vat_bases": "/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount",
    "vat_amounts": "/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount",
}
# The demo's kinds of invoice: charges and credits, discounts, reverse charge, partly paid, no VAT abroad.
CASES = {
    "credits": dict(credit=True),
    "discounts": dict(discount=True, calls=7),
    "discounts_and_credits": dict(discount=True, credit=True),
    "reverse_charge": dict(country="DE", currency="EUR", vat_rate="19", reverse_charge=True, discount=True),
    "partially_paid": dict(paid="5.00", credit=True),
    "export": dict(country="US", currency="USD", vat_rate="0"),
}


def read_back(xml: bytes, paths: dict[str, str]) -> dict[str, list[Decimal]]:
    root = etree.fromstring(xml)
    return {name: [Decimal(node.text) for node in root.xpath(path, namespaces=NS)] for name, path in paths.items()}


def statement_figures(statement, sign: int, line_amounts) -> dict[str, list[Decimal]]:
    [vat] = statement.vat_lines
    return {
        "net": [sign * statement.net],
        "vat": [sign * statement.vat],
        "total": [sign * statement.total],
        "due": [sign * (statement.total - statement.paid)],
        "lines": list(line_amounts),
        "allowances": [-line.amount for line in statement.lines if line.kind == "discount"],
        "vat_bases": [sign * vat.base],
        "vat_amounts": [sign * vat.amount],
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_cii_and_ubl_of_an_invoice_have_the_statements_totals_lines_and_vat(app, case):
    invoice = raised_invoice(**CASES[case])
    statement = build_statement(invoice, TODAY)
    charged = [line.amount for line in statement.lines if line.kind != "discount"]
    want = statement_figures(statement, 1, charged)
    assert want["lines"] and (case != "credits" or statement.has_credits)
    assert (case not in ("discounts", "reverse_charge")) or want["allowances"]
    document = einvoice_for(invoice)
    assert read_back(cii_xml(document), CII_PATHS) == want
    assert read_back(ubl_xml(document), UBL_PATHS) == want


@pytest.mark.parametrize("mode", ["full", "lines", "amount"])
def test_cii_and_ubl_of_a_credit_note_have_its_statements_figures_and_its_lines(app, mode):
    invoice = raised_invoice(country="DE", currency="EUR", vat_rate="19", discount=True, credit=True)
    key = next(line.key for line in creditable(invoice).lines if line.discount)
    note = issue_credit_note(
        invoice, mode=mode, line_keys=[key], amount="3.21", reason="Calls billed twice", today=TODAY, render_pdf=False
    )
    db.session.commit()
    statement = build_statement(note, TODAY)
    assert statement.is_credit_note and statement.total < 0
    stored = [line.net_amount for line in credit_note_lines(note)]
    assert sum(stored) == -statement.net
    want = statement_figures(statement, -1, stored)
    document = einvoice_for(note)
    assert read_back(cii_xml(document), CII_PATHS) == want
    assert read_back(ubl_xml(document), UBL_PATHS) == want
    # and the invoice it corrects owes that much less, as its own statement says
    assert build_statement(invoice, TODAY).balance_due == invoice.total_amount + statement.total
