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
    invoice = SCENARIOS["plain"]()
    root = cii(invoice)
    assert text(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", CII_NS) == "urn:cen.eu:en16931:2017"
    assert text(root, "rsm:ExchangedDocument/ram:ID", CII_NS) == "INV-2026-0001"
    assert text(root, "rsm:ExchangedDocument/ram:TypeCode", CII_NS) == "380"
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert text(root, summation + "LineTotalAmount", CII_NS) == "65.86"
    assert text(root, summation + "TaxTotalAmount", CII_NS) == "13.17"
    assert text(root, summation + "GrandTotalAmount", CII_NS) == "79.03"
    assert text(root, "//ram:BuyerTradeParty/ram:ID", CII_NS) == "C-0002"  # customer number, BT-46
    assert root.xpath("//ram:BilledQuantity/@unitCode", namespaces=CII_NS) == ["MIN", "MIN", "C62"]


def test_ubl_is_peppol_bis_billing_3():
    root = ubl(SCENARIOS["plain"]())
    assert text(root, "cbc:CustomizationID", UBL_NS) == CUSTOMIZATION_ID
    assert text(root, "cbc:ProfileID", UBL_NS) == PROFILE_ID
    assert text(root, "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID/@schemeID", UBL_NS) == "9932"
    assert text(root, "cbc:BuyerReference", UBL_NS) == "C-0002"
    assert text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", UBL_NS) == "79.03"


def test_reverse_charge_states_the_exemption_in_both_formats():
    invoice = SCENARIOS["reverse_charge"]()
    root = cii(invoice)
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
    assert text(root, tax + "CategoryCode", CII_NS) == "AE"
    assert text(root, tax + "ExemptionReasonCode", CII_NS) == "VATEX-EU-AE"
    assert text(root, tax + "ExemptionReason", CII_NS) == "Steuerschuldnerschaft des Leistungsempfängers"
    assert text(root, tax + "CalculatedAmount", CII_NS) == "0.00"
    root = ubl(invoice)
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:"
    assert text(root, category + "ID", UBL_NS) == "AE"
    assert text(root, category + "TaxExemptionReasonCode", UBL_NS) == "VATEX-EU-AE"
    assert text(root, "cac:AccountingCustomerParty//cac:PartyTaxScheme/cbc:CompanyID", UBL_NS) == "DE123456789"


def test_export_outside_the_eu_is_category_g_without_vat():
    invoice = SCENARIOS["export"]()
    root = ubl(invoice)
    assert text(root, "cac:TaxTotal/cbc:TaxAmount", UBL_NS) == "0.00"
    assert text(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", UBL_NS) == "G"
    assert text(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode", UBL_NS) == "VATEX-EU-G"
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
    root = cii(invoice)
    assert text(root, "//ram:TotalPrepaidAmount", CII_NS) == "50.00"
    assert text(root, "//ram:DuePayableAmount", CII_NS) == "29.50"
    root = ubl(invoice)
    assert text(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount", UBL_NS) == "50.00"
    assert text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", UBL_NS) == "29.50"


def test_credit_note_is_381_and_references_the_invoice_it_corrects():
    invoice = SCENARIOS["credit_note"]()
    root = cii(invoice)
    assert text(root, "rsm:ExchangedDocument/ram:TypeCode", CII_NS) == "381"
    assert text(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", CII_NS) == "INV-2026-0005"
    root = ubl(invoice)
    assert etree.QName(root).localname == "CreditNote"
    assert text(root, "cbc:CreditNoteTypeCode", UBL_NS) == "381"
    assert text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", UBL_NS) == "INV-2026-0005"
    assert root.xpath("cac:CreditNoteLine/cbc:CreditedQuantity/text()", namespaces=UBL_NS) == ["1"]


def test_payment_instructions_are_written():
    root = ubl(SCENARIOS["plain"]())
    assert text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", UBL_NS) == "58"
    assert text(root, "cac:PaymentMeans/cbc:PaymentID", UBL_NS) == "INV-2026-0001"
    assert text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", UBL_NS) == "GB33BUKB20201555555555"
    assert text(root, "cbc:DueDate", UBL_NS) == "2026-11-15"
    root = cii(SCENARIOS["plain"]())
    assert text(root, "//ram:PaymentReference", CII_NS) == "INV-2026-0001"
    assert text(root, "//ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", CII_NS) == "BUKBGB22"


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
