"""The e-invoice engine's input: one plain, typed EN 16931 invoice or credit note (BT/BG numbers in comments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class DocumentType(StrEnum):
    """BT-3, UNTDID 1001."""

    INVOICE = "380"
    CREDIT_NOTE = "381"


class VatCategory(StrEnum):
    """BT-118 / BT-151 / BT-95 / BT-102, UNTDID 5305 as restricted by EN 16931."""

    STANDARD = "S"
    REVERSE_CHARGE = "AE"  # intra-community supply of services, buyer accounts for the VAT
    ZERO = "Z"
    EXPORT = "G"  # export outside the EU
    EXEMPT = "E"
    OUTSIDE_SCOPE = "O"  # services outside the scope of VAT; never mixed with other categories


#: Categories whose breakdown must carry an exemption reason (text BT-120 and/or code BT-121).
EXEMPT_CATEGORIES = frozenset(
    {VatCategory.REVERSE_CHARGE, VatCategory.EXPORT, VatCategory.EXEMPT, VatCategory.OUTSIDE_SCOPE}
)

#: The VATEX code each category takes when the caller gives none (CEF VATEX code list).
DEFAULT_EXEMPTION_CODES = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.EXPORT: "VATEX-EU-G",
    VatCategory.OUTSIDE_SCOPE: "VATEX-EU-O",
}


class InvalidEInvoice(ValueError):
    """The input cannot make a valid EN 16931 document; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Address:
    """BG-5 (seller) / BG-8 (buyer)."""

    country_code: str  # BT-40 / BT-55, ISO 3166-1 alpha-2 ("GB" for the United Kingdom)
    lines: tuple[str, ...] = ()  # BT-35, BT-36, BT-162 (seller) / BT-50, BT-51, BT-163 (buyer); at most three
    city: str | None = None  # BT-37 / BT-52
    postcode: str | None = None  # BT-38 / BT-53
    subdivision: str | None = None  # BT-39 / BT-54


@dataclass(frozen=True)
class Identifier:
    """An identifier with its optional scheme (ISO 6523 ICD for registrations, EAS for endpoints)."""

    value: str
    scheme: str | None = None


@dataclass(frozen=True)
class Party:
    """The seller (BG-4) or the buyer (BG-7)."""

    name: str  # BT-27 / BT-44 (legal name)
    address: Address  # BG-5 / BG-8
    vat_id: str | None = None  # BT-31 / BT-48, with the country prefix ("DE123456789")
    tax_registration_id: str | None = None  # BT-32, the seller's local tax number (seller only)
    legal_registration: Identifier | None = None  # BT-30 / BT-47 (+ scheme BT-30-1 / BT-47-1)
    identifier: Identifier | None = None  # BT-29 / BT-46: the buyer's is its customer number
    trading_name: str | None = None  # BT-28 / BT-45
    electronic_address: Identifier | None = None  # BT-34 / BT-49 (+ EAS scheme); Peppol requires it


@dataclass(frozen=True)
class Period:
    """BG-14 (invoicing period) or BG-26 (line period); both dates inclusive."""

    start: date  # BT-73 / BT-134
    end: date  # BT-74 / BT-135


@dataclass(frozen=True)
class PaymentMeans:
    """BG-16: how the buyer pays."""

    type_code: str = "58"  # BT-81, UNTDID 4461: 58 SEPA credit transfer, 30 credit transfer, 59 SEPA direct debit
    iban: str | None = None  # BT-84, the payee's account (IBAN or other account identifier)
    account_name: str | None = None  # BT-85
    bic: str | None = None  # BT-86
    payment_reference: str | None = None  # BT-83, remittance information the payer quotes


@dataclass(frozen=True)
class InvoiceReference:
    """BG-3: the invoice a credit note corrects."""

    number: str  # BT-25
    issue_date: date | None = None  # BT-26


@dataclass(frozen=True)
class Line:
    """BG-25: one invoice line. A credit line has a negative quantity; the price stays positive (BR-27)."""

    id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    unit_code: str  # BT-130, UN/ECE Rec 20: MIN minutes, C62 units ("one"), MON months
    unit_price: Decimal  # BT-146, net price per one unit (base quantity BT-149 is always 1)
    net_amount: Decimal  # BT-131 = quantity × unit price, rounded to 2 decimals
    vat_category: VatCategory  # BT-151
    vat_rate: Decimal  # BT-152, percent; 0 for Z/AE/G/E; not written for O
    description: str | None = None  # BT-154
    period: Period | None = None  # BG-26


@dataclass(frozen=True)
class AllowanceCharge:
    """BG-20 (document allowance, e.g. a discount) or BG-21 (document charge)."""

    amount: Decimal  # BT-92 / BT-99, positive
    vat_category: VatCategory  # BT-95 / BT-102
    vat_rate: Decimal  # BT-96 / BT-103
    reason: str | None = None  # BT-97 / BT-104, in the customer's language
    reason_code: str | None = None  # BT-98 (UNTDID 5189, "95" discount) / BT-105 (UNTDID 7161)
    base_amount: Decimal | None = None  # BT-93 / BT-100
    percentage: Decimal | None = None  # BT-94 / BT-101


@dataclass(frozen=True)
class Exemption:
    """Why a VAT category carries no VAT: text in the customer's language and/or a VATEX code."""

    reason: str | None = None  # BT-120
    code: str | None = None  # BT-121, e.g. VATEX-EU-AE, VATEX-EU-G


@dataclass(frozen=True)
class VatBreakdown:
    """BG-23: one VAT category and rate with its base and VAT."""

    category: VatCategory  # BT-118
    rate: Decimal  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_reason_code: str | None = None  # BT-121


@dataclass(frozen=True)
class Totals:
    """BG-22: the document totals."""

    line_total: Decimal  # BT-106, sum of line net amounts
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_basis: Decimal  # BT-109 = BT-106 - BT-107 + BT-108
    vat_total: Decimal  # BT-110, sum of BT-117
    grand_total: Decimal  # BT-112 = BT-109 + BT-110
    prepaid: Decimal  # BT-113, paid before this document
    amount_due: Decimal  # BT-115 = BT-112 - BT-113


@dataclass(frozen=True)
class EInvoice:
    """One EN 16931 invoice or credit note, ready for CII and UBL.

    Build the breakdown and totals with `portal.einvoice.totals.calculate` (or `with_totals`);
    the writers check them against the lines and refuse inconsistent ones.
    """

    document_type: DocumentType  # BT-3
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5, ISO 4217
    seller: Party  # BG-4
    buyer: Party  # BG-7
    lines: tuple[Line, ...]  # BG-25
    vat_breakdown: tuple[VatBreakdown, ...]  # BG-23
    totals: Totals  # BG-22
    allowances: tuple[AllowanceCharge, ...] = ()  # BG-20
    charges: tuple[AllowanceCharge, ...] = ()  # BG-21
    period: Period | None = None  # BG-14
    due_date: date | None = None  # BT-9
    payment_terms: str | None = None  # BT-20, text in the customer's language
    payment_means: PaymentMeans | None = None  # BG-16
    buyer_reference: str | None = None  # BT-10, e.g. the German Leitweg-ID
    order_reference: str | None = None  # BT-13, the buyer's purchase order
    preceding_invoice: InvoiceReference | None = None  # BG-3, for credit notes
    notes: tuple[str, ...] = ()  # BT-22, texts in the customer's language
