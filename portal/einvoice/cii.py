"""Factur-X / ZUGFeRD CII (EN 16931 profile) from an EInvoice, built with drafthorse's CII data model."""

from __future__ import annotations

from decimal import Decimal

from drafthorse.models.accounting import ApplicableTradeTax, CategoryTradeTax, TradeAllowanceCharge
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration, TradeParty
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from portal.einvoice.model import AllowanceCharge, EInvoice, Party, VatCategory
from portal.einvoice.totals import money, plain, verify, writes_vat_ids

#: BT-24 of the Factur-X EN 16931 (Comfort) profile.
GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
#: The drafthorse schema name: the official Factur-X XSD of the EN 16931 profile that it ships.
SCHEMA = "FACTUR-X_EN16931"
#: The conformance level written into the PDF's XMP (fx:ConformanceLevel).
CONFORMANCE_LEVEL = "EN 16931"


def amount(value: Decimal) -> Decimal:
    """An amount as written: exactly two decimals."""
    return money(value)


def number(value: Decimal) -> Decimal:
    """A quantity, price or rate as written: no trailing zeros, never in exponent notation."""
    return plain(value)


def _party(target: TradeParty, party: Party, *, with_vat_id: bool) -> None:
    if party.identifier is not None:
        target.id = party.identifier.value  # BT-29 / BT-46 (customer number)
    target.name = party.name  # BT-27 / BT-44
    if party.legal_registration is not None or party.trading_name:
        if party.legal_registration is not None:  # BT-30 / BT-47
            registration = party.legal_registration
            target.legal_organization.id = (
                (registration.scheme, registration.value) if registration.scheme else registration.value
            )
        if party.trading_name:  # BT-28 / BT-45
            target.legal_organization.trade_name = party.trading_name
    address = party.address
    lines = list(address.lines) + [None] * (3 - len(address.lines))
    if address.postcode:
        target.address.postcode = address.postcode
    if lines[0]:
        target.address.line_one = lines[0]
    if lines[1]:
        target.address.line_two = lines[1]
    if lines[2]:
        target.address.line_three = lines[2]
    if address.city:
        target.address.city_name = address.city
    target.address.country_id = address.country_code
    if address.subdivision:
        target.address.country_subdivision = address.subdivision
    if party.electronic_address is not None:  # BT-34 / BT-49
        endpoint = party.electronic_address
        target.electronic_address.uri_ID = (endpoint.scheme, endpoint.value) if endpoint.scheme else endpoint.value
    if with_vat_id and party.vat_id:
        target.tax_registrations.add(TaxRegistration(id=("VA", party.vat_id)))  # BT-31 / BT-48
    if party.tax_registration_id:
        target.tax_registrations.add(TaxRegistration(id=("FC", party.tax_registration_id)))  # BT-32


def _allowance_charge(item: AllowanceCharge, *, charge: bool) -> TradeAllowanceCharge:
    result = TradeAllowanceCharge()
    result.indicator = charge  # BG-21 when true, BG-20 when false
    if item.percentage is not None:
        result.calculation_percent = number(item.percentage)  # BT-94 / BT-101
    if item.base_amount is not None:
        result.basis_amount = amount(item.base_amount)  # BT-93 / BT-100
    result.actual_amount = amount(item.amount)  # BT-92 / BT-99
    if item.reason_code:
        result.reason_code = item.reason_code  # BT-98 / BT-105
    if item.reason:
        result.reason = item.reason  # BT-97 / BT-104
    tax = CategoryTradeTax()
    tax.type_code = "VAT"
    tax.category_code = VatCategory(item.vat_category).value  # BT-95 / BT-102
    if item.vat_category != VatCategory.OUTSIDE_SCOPE:
        tax.rate_applicable_percent = number(item.vat_rate)  # BT-96 / BT-103
    result.trade_tax.add(tax)
    return result


def build_cii_document(invoice: EInvoice) -> Document:
    """The drafthorse Document for an EInvoice (checked first, see `verify`)."""
    verify(invoice)
    currency = invoice.currency
    with_vat_ids = writes_vat_ids(invoice)
    doc = Document()
    doc.context.guideline_parameter.id = GUIDELINE_EN16931  # BT-24
    doc.header.id = invoice.number  # BT-1
    doc.header.type_code = invoice.document_type.value  # BT-3
    doc.header.issue_date_time = invoice.issue_date  # BT-2
    for text in invoice.notes:  # BT-22
        note = IncludedNote()
        note.content = text
        doc.header.notes.add(note)

    for line in invoice.lines:  # BG-25
        item = LineItem()
        item.document.line_id = line.id  # BT-126
        item.product.name = line.name  # BT-153
        if line.description:
            item.product.description = line.description  # BT-154
        item.agreement.net.amount = number(line.unit_price)  # BT-146
        item.delivery.billed_quantity = (number(line.quantity), line.unit_code)  # BT-129, BT-130
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = VatCategory(line.vat_category).value  # BT-151
        if line.vat_category != VatCategory.OUTSIDE_SCOPE:
            item.settlement.trade_tax.rate_applicable_percent = number(line.vat_rate)  # BT-152
        if line.period is not None:  # BG-26
            item.settlement.period.start = line.period.start  # BT-134
            item.settlement.period.end = line.period.end  # BT-135
        item.settlement.monetary_summation.total_amount = amount(line.net_amount)  # BT-131
        doc.trade.items.add(item)

    agreement = doc.trade.agreement
    if invoice.buyer_reference:
        agreement.buyer_reference = invoice.buyer_reference  # BT-10
    _party(agreement.seller, invoice.seller, with_vat_id=with_vat_ids)  # BG-4
    _party(agreement.buyer, invoice.buyer, with_vat_id=with_vat_ids)  # BG-7
    if invoice.order_reference:
        agreement.buyer_order.issuer_assigned_id = invoice.order_reference  # BT-13

    settlement = doc.trade.settlement
    means = invoice.payment_means
    if means is not None and means.payment_reference:
        settlement.payment_reference = means.payment_reference  # BT-83
    settlement.currency_code = currency  # BT-5
    if means is not None:  # BG-16
        payment = PaymentMeans()
        payment.type_code = means.type_code  # BT-81
        if means.iban:
            payment.payee_account.iban = means.iban  # BT-84
        if means.account_name:
            payment.payee_account.account_name = means.account_name  # BT-85
        if means.bic:
            payment.payee_institution.bic = means.bic  # BT-86
        settlement.payment_means.add(payment)
    for breakdown in invoice.vat_breakdown:  # BG-23
        tax = ApplicableTradeTax()
        tax.calculated_amount = amount(breakdown.tax_amount)  # BT-117
        tax.type_code = "VAT"
        if breakdown.exemption_reason:
            tax.exemption_reason = breakdown.exemption_reason  # BT-120
        tax.basis_amount = amount(breakdown.taxable_amount)  # BT-116
        tax.category_code = VatCategory(breakdown.category).value  # BT-118
        if breakdown.exemption_reason_code:
            tax.exemption_reason_code = breakdown.exemption_reason_code  # BT-121
        if breakdown.category != VatCategory.OUTSIDE_SCOPE:
            tax.rate_applicable_percent = number(breakdown.rate)  # BT-119
        settlement.trade_tax.add(tax)
    if invoice.period is not None:  # BG-14
        settlement.period.start = invoice.period.start  # BT-73
        settlement.period.end = invoice.period.end  # BT-74
    for allowance in invoice.allowances:  # BG-20
        settlement.allowance_charge.add(_allowance_charge(allowance, charge=False))
    for charge in invoice.charges:  # BG-21
        settlement.allowance_charge.add(_allowance_charge(charge, charge=True))
    if invoice.payment_terms or invoice.due_date:
        terms = PaymentTerms()
        if invoice.payment_terms:
            terms.description = invoice.payment_terms  # BT-20
        if invoice.due_date:
            terms.due = invoice.due_date  # BT-9
        settlement.terms.add(terms)
    totals, summation = invoice.totals, settlement.monetary_summation  # BG-22
    summation.line_total = amount(totals.line_total)  # BT-106
    summation.charge_total = amount(totals.charge_total)  # BT-108
    summation.allowance_total = amount(totals.allowance_total)  # BT-107
    summation.tax_basis_total = (amount(totals.tax_basis), None)  # BT-109
    summation.tax_total = (amount(totals.vat_total), currency)  # BT-110, with its currency (BR-53)
    summation.grand_total = (amount(totals.grand_total), None)  # BT-112
    summation.prepaid_total = amount(totals.prepaid)  # BT-113
    summation.due_amount = amount(totals.amount_due)  # BT-115
    if invoice.preceding_invoice is not None:  # BG-3
        settlement.invoice_referenced_document.issuer_assigned_id = invoice.preceding_invoice.number  # BT-25
        if invoice.preceding_invoice.issue_date:
            settlement.invoice_referenced_document.issue_date_time = invoice.preceding_invoice.issue_date  # BT-26
    return doc


def cii_xml(invoice: EInvoice) -> bytes:
    """The Factur-X EN 16931 CII XML (UTF-8 bytes) of an EInvoice, validated against the profile's XSD.

    Args:
        invoice: the document; its breakdown and totals must match its lines (see `verify`).

    Returns:
        The XML document, pretty-printed, with an XML declaration.

    Raises:
        InvalidEInvoice: the input breaks an EN 16931 rule that `verify` checks.
        lxml.etree.XMLSyntaxError: the XML breaks the Factur-X XSD (a defect of this module).
    """
    return build_cii_document(invoice).serialize(schema=SCHEMA)
