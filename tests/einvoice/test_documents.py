"""CII and UBL documents for every case the portal issues validate against their official XSDs and carry its terms."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from lxml import etree

from portal.einvoice.cii import cii_xml
from portal.einvoice.model import DocumentType
from portal.einvoice.ubl import CUSTOMIZATION_ID, PROFILE_ID, ubl_xml
from tests.einvoice.samples import SCENARIOS, in_currency
from tests.einvoice.validation import xsd_errors

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CURRENCIES = ("EUR", "USD", "GBP")


def cii(invoice) -> etree._Element:
    return etree.fromstring(cii_xml(invoice))


def ubl(invoice) -> etree._Element:
    return etree.fromstring(ubl_xml(invoice))


def text(root, path, ns):
    [value] = root.xpath(path, namespaces=ns)
    return value if isinstance(value, str) else value.text


def assert_texts(root, ns, expected: dict[str, str]) -> None:
    """Each XPath of `expected` matches once and reads as its value (compared together: a failure shows all)."""
    assert {path: text(root, path, ns) for path in expected} == expected


@pytest.mark.parametrize("currency", CURRENCIES)
@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_cii_validates_against_the_factur_x_en16931_xsd(case, currency):
    xml = cii_xml(in_currency(SCENARIOS[case](), currency))
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    assert text(root, "//ram:InvoiceCurrencyCode", CII_NS) == currency
    assert text(root, "//ram:TaxTotalAmount/@currencyID", CII_NS) == currency


@pytest.mark.parametrize("currency", CURRENCIES)
@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_ubl_validates_against_the_ubl_21_xsd(case, currency):
    invoice = in_currency(SCENARIOS[case](), currency)
    xml = ubl_xml(invoice)
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    assert etree.QName(root).localname == (
        "CreditNote" if invoice.document_type == DocumentType.CREDIT_NOTE else "Invoice"
    )
    assert text(root, "cbc:DocumentCurrencyCode", UBL_NS) == currency
    assert set(root.xpath("//@currencyID")) == {currency}


def test_cii_carries_the_guideline_the_number_and_the_totals():
    root = cii(SCENARIOS["plain"]())
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    expected = {
        "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID": "urn:cen.eu:en16931:2017",
        "rsm:ExchangedDocument/ram:ID": "INV-2026-0001",
        "rsm:ExchangedDocument/ram:TypeCode": "380",
        summation + "LineTotalAmount": "65.86",
        summation + "TaxTotalAmount": "13.17",
        summation + "GrandTotalAmount": "79.03",
        "//ram:BuyerTradeParty/ram:ID": "C-0002",  # customer number, BT-46
    }
    assert_texts(root, CII_NS, expected)
    assert root.xpath("//ram:BilledQuantity/@unitCode", namespaces=CII_NS) == ["MIN", "MIN", "C62"]


def test_ubl_is_peppol_bis_billing_3():
    expected = {
        "cbc:CustomizationID": CUSTOMIZATION_ID,
        "cbc:ProfileID": PROFILE_ID,
        "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID/@schemeID": "9932",
        "cbc:BuyerReference": "C-0002",
        "cac:LegalMonetaryTotal/cbc:PayableAmount": "79.03",
    }
    assert_texts(ubl(SCENARIOS["plain"]()), UBL_NS, expected)


def test_reverse_charge_states_the_exemption_in_both_formats():
    invoice = SCENARIOS["reverse_charge"]()
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
    in_cii = {
        tax + "CategoryCode": "AE",
        tax + "ExemptionReasonCode": "VATEX-EU-AE",
        tax + "ExemptionReason": "Steuerschuldnerschaft des Leistungsempfängers",
        tax + "CalculatedAmount": "0.00",
    }
    assert_texts(cii(invoice), CII_NS, in_cii)
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:"
    in_ubl = {
        category + "ID": "AE",
        category + "TaxExemptionReasonCode": "VATEX-EU-AE",
        "cac:AccountingCustomerParty//cac:PartyTaxScheme/cbc:CompanyID": "DE123456789",
    }
    assert_texts(ubl(invoice), UBL_NS, in_ubl)


def test_export_outside_the_eu_is_category_g_without_vat():
    root = ubl(SCENARIOS["export"]())
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:"
    expected = {
        "cac:TaxTotal/cbc:TaxAmount": "0.00",
        category + "ID": "G",
        category + "TaxExemptionReasonCode": "VATEX-EU-G",
    }
    assert_texts(root, UBL_NS, expected)
    assert root.xpath("cac:AccountingCustomerParty//cac:PartyTaxScheme", namespaces=UBL_NS) == []


def test_document_allowances_and_charges_are_written_with_their_reasons():
    invoice = SCENARIOS["discounts"]()
    root = cii(invoice)
    charges = root.xpath("//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge", namespaces=CII_NS)
    assert [c.findtext("ram:ChargeIndicator/udt:Indicator", namespaces=CII_NS) for c in charges] == [
        "false",
        "false",
        "true",
    ]
    assert [c.findtext("ram:ActualAmount", namespaces=CII_NS) for c in charges] == ["7.20", "5.00", "2.50"]
    root = ubl(invoice)
    assert root.xpath("cac:AllowanceCharge/cbc:AllowanceChargeReason/text()", namespaces=UBL_NS) == [
        "Volume discount 10%",
        "Loyalty discount",
        "Paper invoice fee",
    ]
    assert text(root, "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount", UBL_NS) == "12.20"
    assert text(root, "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount", UBL_NS) == "2.50"


def test_credit_lines_have_negative_quantities_and_positive_prices():
    root = ubl(SCENARIOS["credits"]())
    assert root.xpath("cac:InvoiceLine/cbc:InvoicedQuantity/text()", namespaces=UBL_NS)[-2:] == ["-1", "-2"]
    assert root.xpath("cac:InvoiceLine/cbc:LineExtensionAmount/text()", namespaces=UBL_NS)[-2:] == ["-4.10", "-3.50"]
    assert all(Decimal(p) >= 0 for p in root.xpath("//cbc:PriceAmount/text()", namespaces=UBL_NS))


def test_partially_paid_invoice_shows_prepaid_and_remaining_amount():
    invoice = SCENARIOS["partially_paid"]()
    assert_texts(cii(invoice), CII_NS, {"//ram:TotalPrepaidAmount": "50.00", "//ram:DuePayableAmount": "29.50"})
    in_ubl = {"cac:LegalMonetaryTotal/cbc:PrepaidAmount": "50.00", "cac:LegalMonetaryTotal/cbc:PayableAmount": "29.50"}
    assert_texts(ubl(invoice), UBL_NS, in_ubl)


def test_credit_note_is_381_and_references_the_invoice_it_corrects():
    invoice = SCENARIOS["credit_note"]()
    in_cii = {
        "rsm:ExchangedDocument/ram:TypeCode": "381",
        "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID": "INV-2026-0005",
    }
    assert_texts(cii(invoice), CII_NS, in_cii)
    root = ubl(invoice)
    assert etree.QName(root).localname == "CreditNote"
    in_ubl = {
        "cbc:CreditNoteTypeCode": "381",
        "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID": "INV-2026-0005",
    }
    assert_texts(root, UBL_NS, in_ubl)
    assert root.xpath("cac:CreditNoteLine/cbc:CreditedQuantity/text()", namespaces=UBL_NS) == ["1"]


def test_payment_instructions_are_written():
    in_ubl = {
        "cac:PaymentMeans/cbc:PaymentMeansCode": "58",
        "cac:PaymentMeans/cbc:PaymentID": "INV-2026-0001",
        "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID": "GB33BUKB20201555555555",
        "cbc:DueDate": "2026-11-15",
    }
    assert_texts(ubl(SCENARIOS["plain"]()), UBL_NS, in_ubl)
    in_cii = {
        "//ram:PaymentReference": "INV-2026-0001",
        "//ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID": "BUKBGB22",
    }
    assert_texts(cii(SCENARIOS["plain"]()), CII_NS, in_cii)


def test_ubl_joins_notes_into_one_unless_both_parties_are_german():
    invoice = dataclasses.replace(SCENARIOS["plain"](), notes=("First note.", "Second note."))
    assert ubl(invoice).xpath("cbc:Note/text()", namespaces=UBL_NS) == ["First note.\n\nSecond note."]
    assert cii(invoice).xpath("//ram:IncludedNote/ram:Content/text()", namespaces=CII_NS) == [
        "First note.",
        "Second note.",
    ]
    german = dataclasses.replace(
        invoice,
        seller=dataclasses.replace(
            invoice.seller, address=dataclasses.replace(invoice.seller.address, country_code="DE")
        ),
        buyer=SCENARIOS["reverse_charge"]().buyer,
    )
    assert ubl(german).xpath("cbc:Note/text()", namespaces=UBL_NS) == ["First note.", "Second note."]
