"""UBL 2.1 Invoice and CreditNote per Peppol BIS Billing 3.0 from an EInvoice, built with lxml's element API.

The mapping below follows the element order of the UBL 2.1 schemas (which the tests validate
against); each element carries the EN 16931 term it holds.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree  # nosec B410 - builds XML from typed input, parses nothing
from lxml.builder import ElementMaker  # nosec B410 - same

from portal.einvoice.model import (
    AllowanceCharge,
    DocumentType,
    EInvoice,
    Exemption,
    Identifier,
    InvalidEInvoice,
    Party,
    Period,
    VatCategory,
)
from portal.einvoice.totals import money, plain, verify, writes_vat_ids

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#: BT-24 and BT-23 of Peppol BIS Billing 3.0.
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

CAC = ElementMaker(namespace=NS_CAC, nsmap={"cac": NS_CAC, "cbc": NS_CBC})
CBC = ElementMaker(namespace=NS_CBC, nsmap={"cac": NS_CAC, "cbc": NS_CBC})


def _amount(tag: str, value: Decimal, currency: str) -> etree._Element:
    return getattr(CBC, tag)(format(money(value), "f"), currencyID=currency)


def _number(value: Decimal) -> str:
    return str(plain(value))


def _optional(tag: str, value: str | None, maker: ElementMaker = CBC) -> list[etree._Element]:
    return [getattr(maker, tag)(value)] if value else []


def _id(tag: str, identifier: Identifier) -> etree._Element:
    attributes = {"schemeID": identifier.scheme} if identifier.scheme else {}
    return getattr(CBC, tag)(identifier.value, **attributes)


def _tax_category(tag: str, category: VatCategory, rate: Decimal, exemption: Exemption | None = None) -> etree._Element:
    category = VatCategory(category)
    children = [CBC.ID(category.value)]
    if category != VatCategory.OUTSIDE_SCOPE:  # no rate outside the scope of VAT
        children.append(CBC.Percent(_number(rate)))
    if exemption is not None:
        children += _optional("TaxExemptionReasonCode", exemption.code)  # BT-121
        children += _optional("TaxExemptionReason", exemption.reason)  # BT-120
    children.append(CAC.TaxScheme(CBC.ID("VAT")))
    return getattr(CAC, tag)(*children)


def _period(period: Period) -> etree._Element:
    return CAC.InvoicePeriod(CBC.StartDate(period.start.isoformat()), CBC.EndDate(period.end.isoformat()))


def _party(party: Party, *, with_vat_id: bool) -> etree._Element:
    address = party.address
    street = list(address.lines[:2])
    postal = [
        *_optional("StreetName", street[0] if street else None),  # BT-35 / BT-50
        *_optional("AdditionalStreetName", street[1] if len(street) > 1 else None),  # BT-36 / BT-51
        *_optional("CityName", address.city),  # BT-37 / BT-52
        *_optional("PostalZone", address.postcode),  # BT-38 / BT-53
        *_optional("CountrySubentity", address.subdivision),  # BT-39 / BT-54
    ]
    if len(address.lines) > 2:
        postal.append(CAC.AddressLine(CBC.Line(address.lines[2])))  # BT-162 / BT-163
    postal.append(CAC.Country(CBC.IdentificationCode(address.country_code)))  # BT-40 / BT-55
    children = []
    if party.electronic_address is not None:
        children.append(_id("EndpointID", party.electronic_address))  # BT-34 / BT-49
    if party.identifier is not None:
        children.append(CAC.PartyIdentification(_id("ID", party.identifier)))  # BT-29 / BT-46
    if party.trading_name:
        children.append(CAC.PartyName(CBC.Name(party.trading_name)))  # BT-28 / BT-45
    children.append(CAC.PostalAddress(*postal))  # BG-5 / BG-8
    if with_vat_id and party.vat_id:
        children.append(CAC.PartyTaxScheme(CBC.CompanyID(party.vat_id), CAC.TaxScheme(CBC.ID("VAT"))))  # BT-31
    if party.tax_registration_id:
        children.append(
            CAC.PartyTaxScheme(CBC.CompanyID(party.tax_registration_id), CAC.TaxScheme(CBC.ID("TAX")))
        )  # BT-32
    legal = [CBC.RegistrationName(party.name)]  # BT-27 / BT-44
    if party.legal_registration is not None:
        legal.append(_id("CompanyID", party.legal_registration))  # BT-30 / BT-47
    children.append(CAC.PartyLegalEntity(*legal))
    return CAC.Party(*children)


def _allowance_charge(item: AllowanceCharge, *, charge: bool, currency: str) -> etree._Element:
    children = [CBC.ChargeIndicator("true" if charge else "false")]
    children += _optional("AllowanceChargeReasonCode", item.reason_code)  # BT-98 / BT-105
    children += _optional("AllowanceChargeReason", item.reason)  # BT-97 / BT-104
    if item.percentage is not None:
        children.append(CBC.MultiplierFactorNumeric(_number(item.percentage)))  # BT-94 / BT-101
    children.append(_amount("Amount", item.amount, currency))  # BT-92 / BT-99
    if item.base_amount is not None:
        children.append(_amount("BaseAmount", item.base_amount, currency))  # BT-93 / BT-100
    children.append(_tax_category("TaxCategory", item.vat_category, item.vat_rate))  # BT-95, BT-96 / BT-102, BT-103
    return CAC.AllowanceCharge(*children)


def _notes(invoice: EInvoice) -> list[str]:
    # Peppol allows one document note unless seller and buyer are both German (PEPPOL-EN16931-R002)
    german = invoice.seller.address.country_code == invoice.buyer.address.country_code == "DE"
    if german or len(invoice.notes) <= 1:
        return list(invoice.notes)
    return ["\n\n".join(invoice.notes)]


def build_ubl_element(invoice: EInvoice) -> etree._Element:
    """The UBL Invoice (380) or CreditNote (381) root element for an EInvoice (checked first, see `verify`).

    Raises:
        InvalidEInvoice: the input breaks an EN 16931 rule, or lacks what Peppol requires
            (electronic addresses BT-34/BT-49; buyer reference BT-10 or order reference BT-13).
    """
    verify(invoice)
    problems = []
    if invoice.seller.electronic_address is None or invoice.buyer.electronic_address is None:
        problems.append("Peppol needs the seller's and the buyer's electronic address (PEPPOL-EN16931-R020, R010)")
    if not (invoice.buyer_reference or invoice.order_reference):
        problems.append("Peppol needs a buyer reference (BT-10) or an order reference (BT-13) (PEPPOL-EN16931-R003)")
    if problems:
        raise InvalidEInvoice(problems)

    credit = invoice.document_type == DocumentType.CREDIT_NOTE
    root_ns = NS_CREDIT_NOTE if credit else NS_INVOICE
    currency = invoice.currency
    with_vat_ids = writes_vat_ids(invoice)
    means = invoice.payment_means
    totals = invoice.totals

    children = [
        CBC.CustomizationID(CUSTOMIZATION_ID),  # BT-24
        CBC.ProfileID(PROFILE_ID),  # BT-23
        CBC.ID(invoice.number),  # BT-1
        CBC.IssueDate(invoice.issue_date.isoformat()),  # BT-2
    ]
    if not credit and invoice.due_date:
        children.append(CBC.DueDate(invoice.due_date.isoformat()))  # BT-9 (a credit note has it in PaymentMeans)
    children.append(CBC.CreditNoteTypeCode("381") if credit else CBC.InvoiceTypeCode(invoice.document_type.value))
    children += [CBC.Note(text) for text in _notes(invoice)]  # BT-22
    children.append(CBC.DocumentCurrencyCode(currency))  # BT-5
    children += _optional("BuyerReference", invoice.buyer_reference)  # BT-10
    if invoice.period is not None:
        children.append(_period(invoice.period))  # BG-14: BT-73, BT-74
    if invoice.order_reference:
        children.append(CAC.OrderReference(CBC.ID(invoice.order_reference)))  # BT-13
    if invoice.preceding_invoice is not None:  # BG-3
        reference = [CBC.ID(invoice.preceding_invoice.number)]  # BT-25
        if invoice.preceding_invoice.issue_date:
            reference.append(CBC.IssueDate(invoice.preceding_invoice.issue_date.isoformat()))  # BT-26
        children.append(CAC.BillingReference(CAC.InvoiceDocumentReference(*reference)))
    children.append(CAC.AccountingSupplierParty(_party(invoice.seller, with_vat_id=with_vat_ids)))  # BG-4
    children.append(CAC.AccountingCustomerParty(_party(invoice.buyer, with_vat_id=with_vat_ids)))  # BG-7
    if means is not None:  # BG-16
        payment = [CBC.PaymentMeansCode(means.type_code)]  # BT-81
        if credit and invoice.due_date:
            payment.append(CBC.PaymentDueDate(invoice.due_date.isoformat()))  # BT-9 on a credit note
        payment += _optional("PaymentID", means.payment_reference)  # BT-83
        if means.iban:
            account = [CBC.ID(means.iban)]  # BT-84
            account += _optional("Name", means.account_name)  # BT-85
            if means.bic:
                account.append(CAC.FinancialInstitutionBranch(CBC.ID(means.bic)))  # BT-86
            payment.append(CAC.PayeeFinancialAccount(*account))
        children.append(CAC.PaymentMeans(*payment))
    if invoice.payment_terms:
        children.append(CAC.PaymentTerms(CBC.Note(invoice.payment_terms)))  # BT-20
    children += [_allowance_charge(a, charge=False, currency=currency) for a in invoice.allowances]  # BG-20
    children += [_allowance_charge(c, charge=True, currency=currency) for c in invoice.charges]  # BG-21
    subtotals = [
        CAC.TaxSubtotal(
            _amount("TaxableAmount", b.taxable_amount, currency),  # BT-116
            _amount("TaxAmount", b.tax_amount, currency),  # BT-117
            _tax_category(
                "TaxCategory", b.category, b.rate, Exemption(b.exemption_reason, b.exemption_reason_code)
            ),  # BT-118..121
        )
        for b in invoice.vat_breakdown
    ]
    children.append(CAC.TaxTotal(_amount("TaxAmount", totals.vat_total, currency), *subtotals))  # BT-110, BG-23
    children.append(
        CAC.LegalMonetaryTotal(  # BG-22
            _amount("LineExtensionAmount", totals.line_total, currency),  # BT-106
            _amount("TaxExclusiveAmount", totals.tax_basis, currency),  # BT-109
            _amount("TaxInclusiveAmount", totals.grand_total, currency),  # BT-112
            _amount("AllowanceTotalAmount", totals.allowance_total, currency),  # BT-107
            _amount("ChargeTotalAmount", totals.charge_total, currency),  # BT-108
            _amount("PrepaidAmount", totals.prepaid, currency),  # BT-113
            _amount("PayableAmount", totals.amount_due, currency),  # BT-115
        )
    )
    for line in invoice.lines:  # BG-25
        item = []
        item += _optional("Description", line.description)  # BT-154
        item.append(CBC.Name(line.name))  # BT-153
        item.append(_tax_category("ClassifiedTaxCategory", line.vat_category, line.vat_rate))  # BT-151, BT-152
        quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
        content = [
            CBC.ID(line.id),  # BT-126
            getattr(CBC, quantity_tag)(_number(line.quantity), unitCode=line.unit_code),  # BT-129, BT-130
            _amount("LineExtensionAmount", line.net_amount, currency),  # BT-131
        ]
        if line.period is not None:
            content.append(_period(line.period))  # BG-26: BT-134, BT-135
        content.append(CAC.Item(*item))
        price = CBC.PriceAmount(_number(line.unit_price), currencyID=currency)  # BT-146
        content.append(CAC.Price(price))
        children.append(getattr(CAC, "CreditNoteLine" if credit else "InvoiceLine")(*content))

    root_maker = ElementMaker(namespace=root_ns, nsmap={None: root_ns, "cac": NS_CAC, "cbc": NS_CBC})
    return getattr(root_maker, "CreditNote" if credit else "Invoice")(*children)


def ubl_xml(invoice: EInvoice) -> bytes:
    """The Peppol BIS Billing 3.0 UBL XML of an EInvoice, an Invoice or (for 381) a CreditNote: UTF-8 bytes,
    pretty-printed, with an XML declaration. The document's breakdown and totals must match its lines.

    Raises:
        InvalidEInvoice: the input breaks an EN 16931 rule that `verify` checks, or a Peppol requirement.
    """
    return etree.tostring(build_ubl_element(invoice), pretty_print=True, xml_declaration=True, encoding="UTF-8")
