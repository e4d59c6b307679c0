"""The EN 16931 e-invoice of a real invoice: its parties, period, payment, lines, discounts and VAT as an `EInvoice`.

Each concept comes from one function below (`seller_party`, `buyer_party`, `invoice_period`,
`payment_terms`, `payment_instructions`, `vat_treatment`, `statement_lines`, `discount_total`,
`amount_paid`, `buyer_reference`), so that the invoice statement can take over each of them
without touching how the document is assembled (`einvoice_for`). The assembled document is
checked against the invoice's own figures: an e-invoice that disagrees with the invoice's net,
VAT or total is refused, never issued.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from portal.einvoice.model import (
    Address,
    AllowanceCharge,
    DocumentType,
    EInvoice,
    Exemption,
    Identifier,
    InvalidEInvoice,
    InvoiceReference,
    Line,
    Party,
    PaymentMeans,
    Period,
    VatCategory,
)
from portal.einvoice.totals import calculate, money, plain, unit_price_for
from portal.extensions import db
from portal.foundations.dates import local_date
from portal.foundations.money import money_sum, money_value, round_currency
from portal.models import (
    Country,
    CreditNoteLine,
    Customer,
    Invoice,
    InvoiceDestination,
    InvoiceServiceData,
    Network,
    Organization,
    Service,
)

CENT = Decimal("0.01")
MINUTE_PLACES = Decimal("0.0001")
_INSTANT = dt.timedelta(microseconds=1)
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
#: Peppol endpoint schemes (CEF EAS) for a VAT number of these countries; elsewhere the e-mail address (EM).
VAT_ENDPOINT_SCHEMES = {
    "AT": "9914",
    "BE": "9925",
    "DE": "9930",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "NL": "9944",
    "PL": "9945",
}
REVERSE_CHARGE_REASON = "Reverse charge: VAT to be accounted for by the recipient (Article 196 Directive 2006/112/EC)"
EXPORT_REASON = "Export of services outside the EU: not subject to VAT"
DISCOUNT_REASON = "Discounts"
NOTHING_CHARGED = "No calls or charges in the period"
DISCOUNT_CODE = "95"  # UNTDID 5189: discount
_IBAN = re.compile(r"\bIBAN\b[: ]*([A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30})", re.IGNORECASE)
_BIC = re.compile(r"\b(?:BIC|SWIFT)\b[: ]*([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b", re.IGNORECASE)
_ACCOUNT_NAME = re.compile(r"account name[: ]*(.+)", re.IGNORECASE)
# The line of an address that holds the postcode and the city, by how the countries write it.
_POSTCODE_FIRST = re.compile(r"^(\d{2}-\d{3}|\d{4}\s?[A-Z]{2}|\d{4,5})\s+(.+)$")  # DE FR ES IT PL TR NL
_POSTCODE_LAST = re.compile(r"^(.+?),?\s+((?:[A-Z]{2}\s+)?\d{5,6}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$")


@dataclass(frozen=True)
class StatementLine:
    """One line of an invoice: what was sold or credited, with its signed amount in cents.

    `amount` is the gross amount of the line before discounts (negative for a credit),
    `discount` the discount given on it (never negative); what the line costs is
    `amount - discount`. `key` names the line stably across renders (credit notes refer to it).
    """

    key: str
    name: str
    quantity: Decimal  # negative for a credit
    unit_code: str  # MIN minutes, C62 one
    amount: Decimal
    discount: Decimal
    description: str | None = None

    @property
    def charged(self) -> Decimal:
        return self.amount - self.discount


# ---------------------------------------------------------------- parties


def split_address(text: str | None, country_code: str) -> Address:
    """An Address from a free-text address: the country line dropped, postcode and city found where they can be."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > 1 and not any(ch.isdigit() for ch in lines[-1]):
        lines = lines[:-1]  # the country's name: the code says it
    city = postcode = subdivision = None
    if lines:
        last = lines[-1]
        if match := _POSTCODE_FIRST.match(last):
            postcode, city = match.group(1), match.group(2)
            lines = lines[:-1]
        elif match := _POSTCODE_LAST.match(last):
            city, postcode = match.group(1).rstrip(","), match.group(2)
            if " " in postcode and postcode.split()[0].isalpha() and postcode.split()[0].isupper():
                subdivision, postcode = postcode.split(maxsplit=1)  # "NY 10001"
            lines = lines[:-1]
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    return Address(country_code, tuple(lines), city, postcode, subdivision)


def _country_of_vat(vat_number: str | None) -> str | None:
    prefix = (vat_number or "")[:2].upper()
    if not prefix.isalpha():
        return None
    return "GR" if prefix == "EL" else prefix


def _endpoint(vat_number: str | None, country: str, email: str | None) -> Identifier | None:
    scheme = VAT_ENDPOINT_SCHEMES.get(country)
    if vat_number and scheme:
        return Identifier(vat_number, scheme)
    if email:
        return Identifier(email, "EM")
    return None


def seller_country(org: Organization) -> str:
    """The seller's country: the prefix of its VAT number (the organization has no address fields)."""
    return _country_of_vat(org.vat_number) or "GB"


def seller_party(org: Organization) -> Party:
    """BG-4: the operator, from its organization record."""
    country = seller_country(org)
    return Party(
        name=org.legal_name or org.name,
        trading_name=org.name if org.legal_name and org.name != org.legal_name else None,
        address=split_address(org.address, country),
        vat_id=org.vat_number or None,
        electronic_address=_endpoint(org.vat_number, country, org.email),
    )


def customer_number(customer: Customer) -> str:
    """BT-46: the seller's number for the customer."""
    return f"C-{customer.id:04d}"


def buyer_party(customer: Customer) -> Party:
    """BG-7: the customer with its VAT number, address and customer number."""
    country = (customer.country_code or _country_of_vat(customer.vat_number) or "GB").upper()
    return Party(
        name=customer.name,
        address=split_address(customer.address, country),
        vat_id=customer.vat_number or None,
        identifier=Identifier(customer_number(customer)),
        electronic_address=_endpoint(customer.vat_number, country, customer.email),
    )


# ---------------------------------------------------------------- dates, references, payment


def invoice_period(invoice: Invoice) -> Period:
    """BG-14: the first and last day the invoice covers, in the account's time zone (its period is half-open)."""
    tz = invoice.account.timezone
    start = local_date(invoice.start_date, tz)
    last = local_date(invoice.end_date - _INSTANT, tz)
    return Period(start, max(start, last))


def payment_terms(invoice: Invoice) -> str | None:
    """BT-20: the payment terms as text."""
    if invoice.credited_invoice_id is not None:
        return "Credited against invoice " + (invoice.credited_invoice.invoice_number or "")
    days = invoice.account.payment_terms_days
    return f"Payable within {days} days of the invoice date" if days else "Payable on receipt"


def payment_reference(invoice: Invoice) -> str:
    """BT-83: what the payer quotes with a transfer: the invoice number."""
    return invoice.invoice_number or invoice.reference or str(invoice.id)


def payment_instructions(invoice: Invoice) -> PaymentMeans | None:
    """BG-16: SEPA credit transfer (EUR) or credit transfer to the operator's IBAN, with the payment reference.

    The IBAN, BIC and account name are read from the organization's bank details text;
    without an IBAN there are no payment means (EN 16931 requires the account for a transfer).
    """
    details = invoice.organization.bank_details or ""
    iban = _IBAN.search(details)
    if iban is None:
        return None
    bic = _BIC.search(details)
    name = _ACCOUNT_NAME.search(details)
    return PaymentMeans(
        type_code="58" if invoice.currency == "EUR" else "30",
        iban=re.sub(r"\s", "", iban.group(1)).upper(),
        bic=bic.group(1).upper() if bic else None,
        account_name=name.group(1).strip() if name else None,
        payment_reference=payment_reference(invoice),
    )


def buyer_reference(invoice: Invoice) -> str:
    """BT-10: the customer's buyer reference (a Leitweg-ID), else its reference on the invoice, else the account."""
    return invoice.customer.buyer_reference or invoice.customer_reference or invoice.account.name


def amount_paid(invoice: Invoice) -> Decimal:
    """BT-113: what the customer has paid on this invoice."""
    return money(invoice.paid_amount or 0)


# ---------------------------------------------------------------- VAT


def vat_treatment(invoice: Invoice) -> tuple[VatCategory, Decimal, Exemption | None]:
    """The VAT category, rate and exemption of the invoice's lines (one for the whole invoice).

    Reverse charge (AE) for EU business customers abroad who account for the VAT themselves;
    standard rate (S) when VAT is charged; export (G) for a zero rate outside the EU and the
    seller's country; zero rate (Z) otherwise.
    """
    customer = invoice.customer
    if customer.reverse_charge:
        return VatCategory.REVERSE_CHARGE, Decimal(0), Exemption(REVERSE_CHARGE_REASON, "VATEX-EU-AE")
    rate = plain(invoice.vat_rate or 0)
    if rate > 0:
        return VatCategory.STANDARD, rate, None
    country = (customer.country_code or "").upper()
    if country and country not in EU_COUNTRIES and country != seller_country(invoice.organization):
        return VatCategory.EXPORT, Decimal(0), Exemption(EXPORT_REASON, "VATEX-EU-G")
    return VatCategory.ZERO, Decimal(0), None


# ---------------------------------------------------------------- lines


def _minutes(seconds: int) -> Decimal:
    return (Decimal(seconds) / 60).quantize(MINUTE_PLACES, rounding=ROUND_HALF_UP)


def _traffic_lines(invoice: Invoice, dialect: str) -> list[tuple[str, str, Decimal, str, Decimal, Decimal, str]]:
    d = InvoiceDestination
    group = (d.direction, d.country_id, d.network_id, d.rate, d.spent)
    rows = db.session.execute(
        select(
            *group,
            Country.name.label("country"),
            Network.name.label("network"),
            func.sum(d.calls_count).label("calls"),
            func.sum(d.billing_duration).label("seconds"),
            money_sum(d.amount, dialect).label("amount"),
            money_sum(d.discount, dialect).label("discount"),
        )
        .outerjoin(Country, Country.id == d.country_id)
        .outerjoin(Network, Network.id == d.network_id)
        .where(d.invoice_id == invoice.id)
        .group_by(*group, Country.name, Network.name)
        .order_by(d.direction, Country.name, Network.name, d.rate, d.spent.desc())
    ).all()
    lines = []
    for r in rows:
        sign = 1 if r.spent else -1
        where = ", ".join(part for part in (r.country, r.network) if part) or "other destinations"
        kind = "Calls to" if r.direction == "originated" else "Terminated calls to"
        name = f"{kind} {where} at {plain(r.rate)} {invoice.currency}/min"
        if not r.spent:
            name = f"Credit: {name}"
        key = f"traffic:{r.direction}:{r.country_id or 0}:{r.network_id or 0}:{plain(r.rate)}:{int(bool(r.spent))}"
        quantity, unit = _minutes(int(r.seconds or 0)), "MIN"
        if quantity == 0:
            quantity, unit = Decimal(int(r.calls or 0) or 1), "C62"
        gross = money_value(r.amount, dialect) + money_value(r.discount, dialect)
        lines.append(
            (key, name, sign * quantity, unit, sign * gross, money_value(r.discount, dialect), f"{int(r.calls)} calls")
        )
    return lines


def _service_lines(invoice: Invoice) -> list[tuple[str, str, Decimal, str, Decimal, Decimal, str]]:
    rows = db.session.execute(
        select(InvoiceServiceData, Service.name)
        .outerjoin(Service, Service.id == InvoiceServiceData.service_id)
        .where(InvoiceServiceData.invoice_id == invoice.id)
        .order_by(InvoiceServiceData.spent.desc(), Service.name, InvoiceServiceData.id)
    ).all()
    lines = []
    for row, service_name in rows:
        sign = 1 if row.spent else -1
        name = service_name or ("Other charges" if row.spent else "Other credits")
        if not row.spent:
            name = f"Credit: {name}"
        key = f"service:{row.service_id or 0}:{int(bool(row.spent))}"
        count = f"{row.transactions_count} transaction{'s' if row.transactions_count != 1 else ''}"
        lines.append((key, name, Decimal(sign), "C62", sign * row.amount, Decimal(0), count))
    return lines


def _allocate(values: list[Decimal], target: Decimal) -> list[Decimal]:
    """Round each value to the cent so that the rounded values sum to `target` (largest remainders move)."""
    rounded = [money(v) for v in values]
    steps = int(((target - sum(rounded, Decimal(0))) / CENT).to_integral_value())
    if steps and values:
        order = sorted(range(len(values)), key=lambda i: values[i] - rounded[i], reverse=steps > 0)
        for n in range(abs(steps)):
            rounded[order[n % len(order)]] += CENT if steps > 0 else -CENT
    return rounded


def invoice_net(invoice: Invoice) -> Decimal:
    """The invoice's net in cents: as raised, or as it stands for a draft."""
    if invoice.is_approved:
        return money(invoice.net_amount)
    return money(round_currency(invoice.amount_total, invoice.currency))


def discount_total(invoice: Invoice) -> Decimal:
    """BT-107: the discounts the account's plans gave on the invoice, in cents."""
    return money(invoice.discount_amount or 0)


def statement_lines(invoice: Invoice) -> list[StatementLine]:
    """The invoice's lines: traffic by country, network and rate in minutes, then charges and credits by service.

    Credits (earned traffic, credit transactions) are negative. Amounts are in cents and sum
    exactly to the invoice's net plus its discounts; discounts are spread over the lines they
    were given on, summing exactly to `discount_total`.
    """
    dialect = db.session.get_bind().dialect.name
    raw = _traffic_lines(invoice, dialect) + _service_lines(invoice)
    amounts = _allocate([r[4] for r in raw], invoice_net(invoice) + discount_total(invoice))
    discounts = _allocate([r[5] for r in raw], discount_total(invoice))
    return [
        StatementLine(key, name, quantity, unit, amount, discount, description)
        for (key, name, quantity, unit, _, _, description), amount, discount in zip(raw, amounts, discounts)
    ]


def _line(position: int, name: str, quantity: Decimal, unit: str, amount: Decimal, vat, description=None) -> Line:
    category, rate, _ = vat
    price = unit_price_for(amount, quantity) if quantity else Decimal(0)
    return Line(str(position), name[:200], plain(quantity), unit, plain(price), amount, category, rate, description)


# ---------------------------------------------------------------- the document


def einvoice_for(invoice: Invoice) -> EInvoice:
    """The EN 16931 document of a raised invoice or credit note (type 380 or 381).

    Raises:
        InvalidEInvoice: the invoice is not raised, or its data cannot make a valid document
            (e.g. reverse charge without the customer's VAT number), or the document's totals
            would disagree with the invoice's net, VAT or total.
    """
    if not invoice.is_approved or not invoice.invoice_number:
        raise InvalidEInvoice(["only a raised invoice (approved, numbered) has an e-invoice"])
    vat = vat_treatment(invoice)
    category, rate, exemption = vat
    exemptions = {category: exemption} if exemption else {}
    allowances: list[AllowanceCharge] = []
    if invoice.credited_invoice_id is not None:
        document_type = DocumentType.CREDIT_NOTE
        lines = [
            _line(n, row.name, row.quantity, row.unit_code, money(row.net_amount), vat, row.description)
            for n, row in enumerate(credit_note_lines(invoice), start=1)
        ]
        original = invoice.credited_invoice
        preceding = InvoiceReference(original.invoice_number, original.invoice_date)
        prepaid = Decimal("0.00")
        due_date = None
    else:
        document_type = DocumentType.INVOICE
        lines = [
            _line(n, s.name, s.quantity, s.unit_code, s.amount, vat, s.description)
            for n, s in enumerate(statement_lines(invoice), start=1)
        ]
        if not lines:  # EN 16931 needs a line (BR-16); an invoice of a quiet period says so
            lines = [_line(1, NOTHING_CHARGED, Decimal(0), "C62", Decimal("0.00"), vat)]
        if discount := discount_total(invoice):
            allowances.append(AllowanceCharge(discount, category, rate, DISCOUNT_REASON, DISCOUNT_CODE))
        preceding = None
        prepaid = amount_paid(invoice)
        due_date = invoice.due_date
    breakdown, totals = calculate(lines, allowances=allowances, prepaid=prepaid, exemptions=exemptions)
    document = EInvoice(
        document_type=document_type,
        number=invoice.invoice_number,
        issue_date=invoice.invoice_date,
        currency=invoice.currency,
        seller=seller_party(invoice.organization),
        buyer=buyer_party(invoice.customer),
        lines=tuple(lines),
        vat_breakdown=breakdown,
        totals=totals,
        allowances=tuple(allowances),
        period=invoice_period(invoice),
        due_date=due_date,
        payment_terms=payment_terms(invoice),
        payment_means=payment_instructions(invoice),
        buyer_reference=buyer_reference(invoice),
        order_reference=invoice.purchase_order_number or None,
        preceding_invoice=preceding,
        notes=tuple(note for note in (invoice.invoice_message, invoice.credit_reason) if note),
    )
    _check_against_invoice(invoice, document)
    return document


def credit_note_lines(credit_note: Invoice) -> list[CreditNoteLine]:
    """The stored lines of a credit note, in order."""
    return list(
        db.session.scalars(
            select(CreditNoteLine)
            .where(CreditNoteLine.credit_note_id == credit_note.id)
            .order_by(CreditNoteLine.position, CreditNoteLine.id)
        )
    )


def _check_against_invoice(invoice: Invoice, document: EInvoice) -> None:
    # A credit note stores its amounts negative (it reduces what the customer owes); its document is positive.
    sign = -1 if document.document_type == DocumentType.CREDIT_NOTE else 1
    vat = invoice.vat_amount if document.vat_breakdown and invoice.vat_amount else Decimal(0)
    want = {
        "net": money(sign * invoice.net_amount),
        "VAT": money(sign * vat),
        "total": money(sign * invoice.total_amount),
    }
    have = {"net": document.totals.tax_basis, "VAT": document.totals.vat_total, "total": document.totals.grand_total}
    problems = [
        f"the e-invoice's {name} {have[name]} differs from the invoice's {want[name]}"
        for name in want
        if have[name] != want[name]
    ]
    if problems:
        raise InvalidEInvoice(problems)
