"""The statement's structure: its dataclasses and the English labels and titles the faces translate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import LazyString

from portal.foundations.i18n import N_
from portal.foundations.money import ZERO
from portal.models import PaymentStatus

# Titles and labels are English, marked with N_ for the catalogs: the faces translate them where they are
# shown (templates/_macros/statement.html `label`), so the structure itself stays plain English text.
REVERSE_CHARGE_NOTE = N_(
    "Reverse charge: VAT to be accounted for by the recipient "
    "(Article 196 of Council Directive 2006/112/EC). The supply is shown without VAT."
)
DRAFT_NOTE = N_("Draft – not a valid invoice")
SECTION_TITLES = {
    "originated": N_("Originated calls"),
    "terminated": N_("Terminated calls"),
    "charges": N_("Recurring and one-off charges"),
    "credits": N_("Credits and refunds"),
    "discounts": N_("Discounts"),
    "rounding": N_("Rounding"),
}
CHARGED_LABELS = {"originated": N_("Originated calls charged"), "terminated": N_("Terminated calls charged")}
CREDITED_LABELS = {"originated": N_("Originated calls – credit"), "terminated": N_("Terminated calls – credit")}
INVOICE_TITLE = N_("Invoice")
CREDIT_NOTE_TITLE = N_("Credit note")
# How traffic is billed: an invoice filled with a billing increment names it ("Billed per 60/60 s": at least
# 60 seconds a call, then steps of 60, portal.billing.traffic); one filled before the increment was stored
# says its durations are as rated per call. Durations are shown in minutes with one decimal; rates are per
# minute in the invoice currency.
BILLING_INCREMENT = N_("Billed durations as rated per call, in minutes with one decimal")
BILLED_PER = N_("Billed per %(increment)s s")


@dataclass(frozen=True)
class Line:
    """One line of a section: `amount` signed (negative = in the customer's favour), rounded to the currency.

    kind: `charge`, `credit` (credited traffic, refunds, goodwill: the label says "credit") or
    `discount` (a discount plan; `detail` says what it covered), `rounding`.
    """

    label: str
    amount: Decimal
    kind: str = "charge"
    detail: str | LazyString = ""  # translated and formatted where it is shown

    @property
    def is_credit(self) -> bool:
        return self.amount < 0


@dataclass(frozen=True)
class Section:
    key: str  # originated | terminated | charges | credits | discounts | rounding
    title: str
    lines: tuple[Line, ...]
    subtotal: Decimal


@dataclass(frozen=True)
class VatLine:
    """VAT at one rate: `amount` is charged on the invoice; under reverse charge it is zero and
    `reverse_amount` is what the customer accounts for, with `note` the legal mention."""

    rate: Decimal
    base: Decimal
    amount: Decimal
    reverse_charge: bool = False
    reverse_amount: Decimal = ZERO
    note: str = ""


@dataclass(frozen=True)
class PaymentInstructions:
    """How to pay the balance: to whom, which bank account, which reference to quote.

    `epc_payload` is the text of an EPC ("GiroCode") SEPA credit-transfer QR code, only for a EUR
    balance due to an IBAN (None otherwise); documents.qr renders it.
    """

    beneficiary: str
    bank: str
    iban: str
    bic: str
    reference: str
    amount: Decimal
    currency: str
    bank_details: tuple[str, ...] = ()
    epc_payload: str | None = None

    @property
    def has_account(self) -> bool:
        return bool(self.iban or self.bank_details)


@dataclass(frozen=True)
class TrafficRow:
    """One destination row of a traffic table; `amount` signed, before discount; `discount` positive."""

    direction: str
    prefix: str
    country: str
    network: str
    rate: Decimal
    calls: int
    successful_calls: int
    billing_seconds: int
    amount: Decimal
    discount: Decimal
    credit: bool

    @property
    def answer_rate(self) -> float | None:
        """Share of calls answered (0..1), or None when there were no calls."""
        return self.successful_calls / self.calls if self.calls else None


@dataclass(frozen=True)
class TrafficTable:
    direction: str
    title: str
    rows: tuple[TrafficRow, ...]
    # Of the rows, rounded: the section's subtotal for destination tables (amounts before discount);
    # network tables hold amounts after discount, so theirs is the section's less its discounts.
    subtotal: Decimal
    after_discounts: bool = False


@dataclass(frozen=True)
class Statement:
    """Everything an invoice says about money, once. See the module docstring for its rules."""

    invoice_id: int
    number: str
    reference: str
    title: str  # "Invoice" or "Credit note" (negative total)
    is_draft: bool
    currency: str
    invoice_date: dt.date | None
    due_date: dt.date | None
    sections: tuple[Section, ...]
    net: Decimal
    vat_lines: tuple[VatLine, ...]
    vat: Decimal
    total: Decimal
    paid: Decimal
    paid_date: dt.date | None
    balance_due: Decimal
    status: PaymentStatus
    payment: PaymentInstructions
    traffic: tuple[TrafficTable, ...] = field(default=())
    networks: tuple[TrafficTable, ...] = field(default=())
    rate_unit: str = ""
    billing_increment: str = BILLING_INCREMENT

    @property
    def lines(self) -> tuple[Line, ...]:
        """Every line of every section, in order: they sum to `net`."""
        return tuple(line for section in self.sections for line in section.lines)

    @property
    def is_credit_note(self) -> bool:
        return self.total < 0

    @property
    def is_settled(self) -> bool:
        return not self.is_draft and self.balance_due <= 0 and self.total > 0

    @property
    def has_credits(self) -> bool:
        return any(line.kind == "credit" for line in self.lines)

    @property
    def has_discounts(self) -> bool:
        return any(line.kind == "discount" for line in self.lines)

    @property
    def reverse_charge(self) -> bool:
        return any(v.reverse_charge for v in self.vat_lines)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)
