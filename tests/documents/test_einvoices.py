"""E-invoices of real invoices (filled and approved by the engine): valid CII and UBL with the invoice's figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from lxml import etree
from pypdf import PdfReader

from portal.billing.credit_notes import creditable, issue_credit_note
from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.billing.payments import record_payment
from portal.documents.einvoice_lines import statement_lines
from portal.documents.einvoice_parties import split_address
from portal.documents.einvoices import einvoice_for
from portal.documents.service import render_invoice_document
from portal.einvoice.cii import cii_xml
from portal.einvoice.model import DocumentType, InvalidEInvoice, VatCategory
from portal.einvoice.ubl import ubl_xml
from portal.extensions import db
from portal.statement import build_statement
from tests.einvoice.validation import fatal_failures, xsd_errors
from tests.factories import AFTER_PERIOD as NOW
from tests.factories import PERIOD_END as END
from tests.factories import PERIOD_START as START
from tests.factories import (
    AccountFactory,
    CustomerFactory,
    DiscountPlanFactory,
    ServiceFactory,
    TransactionFactory,
    calls_to_germany,
)

TODAY = dt.date(2026, 6, 20)
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CUSTOMERS = {
    "GB": dict(
        country_code="GB", vat_number="GB987654321", address="14 Finsbury Square\nLondon EC2A 1BR\nUnited Kingdom"
    ),
    "DE": dict(country_code="DE", vat_number="DE123456789", address="Friedrichstraße 68\n10117 Berlin\nGermany"),
    "US": dict(country_code="US", vat_number=None, address="1250 Broadway\nNew York, NY 10001\nUnited States"),
}


def raised_invoice(
    *,
    country: str = "GB",
    currency: str = "GBP",
    vat_rate: str = "20",
    reverse_charge: bool = False,
    discount: bool = False,
    credit: bool = False,
    paid: str | None = None,
    calls: int = 3,
):
    """An invoice filled from CDRs and transactions and approved by the engine."""
    customer = CustomerFactory(reverse_charge=reverse_charge, **CUSTOMERS[country])
    account = AccountFactory(customer=customer, currency=currency, vat_rate=Decimal(vat_rate))
    calls = [(f"49{151 + n % 2}", 1501 + 7 * n) for n in range(calls)]
    calls_to_germany(account, calls, price="0.337777", rate="0.013500")
    if discount:
        DiscountPlanFactory(account=account, prefixes="49151", percent=Decimal("10"))
    service = ServiceFactory(name="DID numbers", account_id=account.id)
    TransactionFactory(account=account, service=service, amount=Decimal("10.00"), created_at=START)
    if credit:
        TransactionFactory(
            account=account, category="refund", amount=Decimal("-2.35"), description="Outage credit", created_at=START
        )
    invoice = create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW)
    fill_invoice(invoice)
    approve_invoice(invoice, today=dt.date(2026, 6, 2), render_pdf=False)
    if paid:
        record_payment(invoice, amount=paid, paid_on=dt.date(2026, 6, 10), today=dt.date(2026, 6, 20))
    db.session.commit()
    return invoice


CASES = {
    "plain": dict(),
    "reverse_charge": dict(country="DE", currency="EUR", vat_rate="19", reverse_charge=True),
    "discounts": dict(discount=True),
    "credits": dict(credit=True),
    "partially_paid": dict(paid="5.00"),
    "export": dict(country="US", currency="USD", vat_rate="0"),
    "EUR": dict(currency="EUR"),
    "USD": dict(currency="USD"),
    "GBP": dict(currency="GBP", calls=7),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_of_invoice_makes_cii_and_ubl_valid_against_their_xsds(app, case):
    invoice = raised_invoice(**CASES[case])
    document = einvoice_for(invoice)
    assert document.document_type == DocumentType.INVOICE
    assert xsd_errors(cii_xml(document)) == []
    assert xsd_errors(ubl_xml(document)) == []
    # The document's figures are the invoice's own.
    assert document.totals.tax_basis == invoice.net_amount
    assert document.totals.vat_total == invoice.vat_amount
    assert document.totals.grand_total == invoice.total_amount
    assert document.totals.amount_due == invoice.outstanding
    assert document.number == invoice.invoice_number and document.currency == invoice.currency


def test_traffic_is_in_minutes_and_the_lines_sum_to_the_net_plus_discounts(app):
    invoice = raised_invoice(discount=True, credit=True)
    lines = statement_lines(build_statement(invoice, TODAY), invoice)
    traffic = [line for line in lines if line.key.startswith("originated:")]
    assert traffic and all(line.unit_code == "MIN" for line in traffic)
    # 10 % off the two calls to 49151 (0.337777 each): 0.067555, given as 0.07
    assert invoice.discount_amount == Decimal("0.067555")
    assert sum(line.amount for line in lines) == invoice.net_amount + Decimal("0.07")
    assert sum(line.discount for line in lines) == Decimal("0.07")
    assert sum(line.charged for line in lines) == invoice.net_amount
    [refund] = [line for line in lines if line.amount < 0]
    assert refund.quantity < 0 and refund.amount == Decimal("-2.35")
    document = einvoice_for(invoice)
    [allowance] = document.allowances
    assert allowance.amount == Decimal("0.07") and allowance.reason_code == "95"
    root = etree.fromstring(ubl_xml(document))
    assert root.xpath("//cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode", namespaces=UBL)[0] == "MIN"
    assert root.xpath("//cac:InvoiceLine[cbc:LineExtensionAmount < 0]/cbc:InvoicedQuantity/text()", namespaces=UBL)[
        0
    ].startswith("-")


def test_reverse_charge_is_category_ae_with_its_exemption_reason_and_both_vat_ids(app):
    invoice = raised_invoice(country="DE", currency="EUR", vat_rate="19", reverse_charge=True)
    document = einvoice_for(invoice)
    [vat] = document.vat_breakdown
    assert vat.category == VatCategory.REVERSE_CHARGE and vat.tax_amount == 0
    assert vat.exemption_reason_code == "VATEX-EU-AE" and "Reverse charge" in vat.exemption_reason
    root = etree.fromstring(cii_xml(document))
    assert root.xpath("//ram:ApplicableTradeTax/ram:CategoryCode/text()", namespaces=CII)[-1] == "AE"
    assert root.xpath("//ram:BuyerTradeParty//ram:ID[@schemeID='VA']/text()", namespaces=CII) == ["DE123456789"]


def test_export_outside_the_eu_is_category_g(app):
    document = einvoice_for(raised_invoice(country="US", currency="USD", vat_rate="0"))
    assert [b.category for b in document.vat_breakdown] == [VatCategory.EXPORT]
    assert document.buyer.address.country_code == "US"


def test_parties_period_payment_and_buyer_reference_come_from_the_records(app):
    invoice = raised_invoice()
    invoice.organization.iban, invoice.organization.bic = "GB33 BUKB 2020 1555 5555 55", "BUKBGB22"
    invoice.customer.buyer_reference = "04011000-12345-34"
    document = einvoice_for(invoice)
    assert document.seller.vat_id == "GB123456789" and document.seller.address.country_code == "GB"
    assert document.seller.address.city == "London" and document.seller.address.postcode == "EC1A 1AA"
    assert document.buyer.vat_id == "GB987654321" and document.buyer.address.postcode == "EC2A 1BR"
    assert (document.period.start, document.period.end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert document.due_date == invoice.due_date and "30 days" in document.payment_terms
    assert document.payment_means.iban == "GB33BUKB20201555555555" and document.payment_means.bic == "BUKBGB22"
    assert document.payment_means.payment_reference == invoice.invoice_number
    assert document.buyer_reference == "04011000-12345-34"
    root = etree.fromstring(ubl_xml(document))
    assert root.findtext("cbc:BuyerReference", namespaces=UBL) == "04011000-12345-34"
    assert root.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=UBL) == invoice.invoice_number


def test_an_invoice_of_a_quiet_period_has_one_zero_line(app):
    account = AccountFactory()
    invoice = create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW)
    fill_invoice(invoice)
    approve_invoice(invoice, today=dt.date(2026, 6, 2), render_pdf=False)
    document = einvoice_for(invoice)
    [line] = document.lines
    assert (line.quantity, line.net_amount, document.totals.grand_total) == (0, 0, 0)
    assert xsd_errors(cii_xml(document)) == [] and xsd_errors(ubl_xml(document)) == []


def test_a_draft_has_no_e_invoice(app):
    account = AccountFactory()
    invoice = create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW)
    with pytest.raises(InvalidEInvoice, match="only a raised invoice"):
        einvoice_for(invoice)


@pytest.mark.parametrize(
    ("text", "country", "lines", "city", "postcode"),
    [
        ("Friedrichstraße 68\n10117 Berlin\nGermany", "DE", ("Friedrichstraße 68",), "Berlin", "10117"),
        ("Herengracht 182\n1016 BR Amsterdam\nNetherlands", "NL", ("Herengracht 182",), "Amsterdam", "1016 BR"),
        ("ul. Prosta 36\n00-838 Warszawa\nPoland", "PL", ("ul. Prosta 36",), "Warszawa", "00-838"),
        ("1 Carrier Street\nLondon EC1A 1AA\nUnited Kingdom", "GB", ("1 Carrier Street",), "London", "EC1A 1AA"),
        ("Bandra Kurla Complex\nMumbai 400051\nIndia", "IN", ("Bandra Kurla Complex",), "Mumbai", "400051"),
        ("Somewhere without a postcode", "TR", ("Somewhere without a postcode",), None, None),
    ],
)
def test_free_text_addresses_are_split_into_lines_city_and_postcode(text, country, lines, city, postcode):
    address = split_address(text, country)
    assert (address.lines, address.city, address.postcode, address.country_code) == (lines, city, postcode, country)


def test_the_stored_pdf_of_a_raised_invoice_is_factur_x_with_its_cii_as_an_associated_file(app):
    invoice = raised_invoice(country="DE", currency="EUR", vat_rate="19", reverse_charge=True)
    document = render_invoice_document(invoice)
    reader = PdfReader(io.BytesIO(document.data))
    [xml] = reader.attachments["factur-x.xml"]
    assert xml == cii_xml(einvoice_for(invoice)) and xsd_errors(xml) == []
    [filespec] = [entry.get_object() for entry in reader.trailer["/Root"]["/AF"]]
    assert filespec["/F"] == "factur-x.xml" and filespec["/AFRelationship"] == "/Alternative"
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert invoice.invoice_number in text  # the visible invoice is unchanged


def test_a_draft_pdf_carries_no_xml(app):
    invoice = raised_invoice()
    invoice.state = "Pending"
    document = render_invoice_document(invoice)
    assert PdfReader(io.BytesIO(document.data)).attachments == {}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_fatal_en16931_rule_fails_on_real_invoices_and_their_credit_notes(app, case):
    """The official EN 16931 rules (tests/einvoice/validation.py) on the CII and UBL of a real invoice and of
    credit notes against it: for selected lines, for an amount, and in full (of a second invoice alike)."""
    invoice = raised_invoice(**CASES[case])
    key = next(line.key for line in creditable(invoice).lines if line.charged > 0)
    documents = [
        invoice,
        issue_credit_note(invoice, mode="lines", line_keys=[key], reason="Billed twice", today=TODAY),
        issue_credit_note(invoice, mode="amount", amount="0.10", reason="Goodwill", today=TODAY),
        issue_credit_note(raised_invoice(**CASES[case]), mode="full", reason="Cancelled", today=TODAY),
    ]
    fatal = {
        f"{document.invoice_number} {syntax}": found
        for document in documents
        for syntax, writer in (("cii", cii_xml), ("ubl", ubl_xml))
        if (found := fatal_failures(syntax, writer(einvoice_for(document))))
    }
    assert fatal == {}
