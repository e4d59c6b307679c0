"""The invoice statement: one plain, documented structure per invoice that every face renders.

`build_statement(invoice, today)` reads an invoice once and returns a `Statement`: its sections
(originated calls, terminated calls, recurring and one-off charges, credits and refunds,
discounts) of signed, labelled lines rounded to the currency, the subtotal of each, the net, the
VAT lines (reverse charge with its legal note), the total, what was paid, the balance due, the
due date, the payment status and the payment instructions. No face adds amounts up itself: the
web pages, the PDF, the e-mail, the download-link page, the CSV exports, the dashboard and the
APIs show these figures.

Rules that hold for every statement (tests/statement/):
- the lines of all sections sum to `net` (a cent of rounding between the lines and the net is
  its own line, in the section `rounding`);
- `total = net + VAT of the VAT lines`; `balance_due = total - paid`;
- a credited amount is negative and its line says so in words (`kind == "credit"`), a discount
  is negative and names its plan and what it covered;
- a pending (or New) invoice gives its draft figures from its filled lines, `is_draft` set; an
  approved invoice gives the figures raised on approval (they never change).

`vat_amounts` is the one VAT rule: the approval stores what it says, and drafts show it.
The structure holds only str, int, bool, date, Decimal, tuples and these dataclasses (a line's detail is
a lazily translated text: its language is the one it is shown in), so an e-invoice or an API can be built
from it without the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import LazyString
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.foundations import phrases
from portal.foundations.i18n import N_
from portal.foundations.money import ZERO, round_currency
from portal.models import (
    Invoice,
    InvoiceDestination,
    InvoiceDiscount,
    InvoiceNetwork,
    InvoiceServiceData,
    PaymentStatus,
    Service,
)

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
# How traffic is billed: the durations are each call's billed seconds as the switch rated them (the
# increment is the rate's, which the portal does not store), shown in minutes with one decimal; rates
# are per minute in the invoice currency.
BILLING_INCREMENT = N_("Billed durations as rated per call, in minutes with one decimal")


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


def vat_amounts(net: Decimal, rate: Decimal, reverse_charge: bool, currency: str) -> tuple[Decimal, Decimal]:
    """(VAT charged, reverse-charge VAT) on a rounded net: under reverse charge nothing is charged and
    the customer accounts for the VAT; otherwise VAT = net × rate %, rounded to the currency."""
    vat = round_currency(net * (rate or ZERO) / 100, currency)
    zero = round_currency(ZERO, currency)
    return (zero, vat) if reverse_charge else (vat, zero)


def epc_payload(*, beneficiary: str, iban: str, bic: str, amount: Decimal, reference: str) -> str:
    """The EPC069-12 ("GiroCode") text of a SEPA credit transfer of `amount` euros, version 002, UTF-8.

    The amount is omitted when nothing is due (the payer then types it); the reference goes in
    the unstructured remittance line (at most 140 characters).
    """
    euros = f"EUR{amount:.2f}" if amount > 0 else ""
    fields = ["BCD", "002", "1", "SCT", bic, beneficiary[:70], iban.replace(" ", ""), euros, "", "", reference[:140]]
    return "\n".join(fields)


def _quantized(currency: str):
    return lambda value: round_currency(value or ZERO, currency)


def _discount_line(d: InvoiceDiscount, cur, currency: str) -> Line:
    if d.kind == "free_minutes" and d.free_seconds:
        detail = phrases.free_minutes_used(d.free_seconds, d.used_seconds)
    else:
        detail = phrases.percent_off(d.percent or ZERO, cur(d.base), currency)
    return Line(label=f"Discount: {d.name}", amount=-cur(d.amount), kind="discount", detail=detail)


def _traffic_tables(invoice: Invoice, rows_, cur, *, by_network: bool = False) -> tuple[TrafficTable, ...]:
    tables = []
    for direction in ("originated", "terminated"):
        rows = tuple(
            TrafficRow(
                direction=direction,
                prefix="" if by_network else (row.dst_prefix or ""),
                country=row.country.name if row.country else "",
                network=row.network.name if row.network else "",
                rate=row.rate,
                calls=row.calls_count,
                successful_calls=row.successful_calls_count,
                billing_seconds=row.billing_duration,
                amount=(row.amount + (ZERO if by_network else (row.discount or ZERO))) if row.spent else -row.amount,
                discount=ZERO if by_network else (row.discount or ZERO),
                credit=not row.spent,
            )
            for row in rows_
            if row.direction == direction
        )
        if rows:
            spent = getattr(invoice, f"{direction}_amount_spent")
            if direction == "originated" and not by_network:
                spent += invoice.discount_amount or ZERO
            subtotal = cur(spent) - cur(getattr(invoice, f"{direction}_amount_earned"))
            title = SECTION_TITLES[direction]
            tables.append(TrafficTable(direction, title, rows, subtotal, after_discounts=by_network))
    return tuple(tables)


def _sections(invoice: Invoice, services, discounts, cur) -> list[Section]:
    sections: list[Section] = []

    def add(key: str, lines: list[Line]) -> None:
        if lines:
            sections.append(Section(key, SECTION_TITLES[key], tuple(lines), sum((x.amount for x in lines), ZERO)))

    for direction in ("originated", "terminated"):
        calls = getattr(invoice, f"{direction}_calls_count") or 0
        spent = getattr(invoice, f"{direction}_amount_spent") or ZERO
        if direction == "originated":
            spent += invoice.discount_amount or ZERO  # the discount section takes it off, plan by plan
        earned = getattr(invoice, f"{direction}_amount_earned") or ZERO
        lines = []
        if spent or calls:
            seconds = getattr(invoice, f"{direction}_billing_duration") or 0
            lines.append(
                Line(CHARGED_LABELS[direction], cur(spent), "charge", phrases.calls_and_minutes(calls, seconds))
            )
        if earned:
            lines.append(Line(CREDITED_LABELS[direction], -cur(earned), "credit"))
        add(direction, lines)
    add(
        "charges",
        [
            Line(name or N_("Other charges"), cur(row.amount), "charge", phrases.items(row.transactions_count))
            for row, name in services
            if row.spent
        ],
    )
    add(
        "credits",
        [
            Line(
                f"{name} – credit" if name else N_("Other – credit"),
                -cur(row.amount),
                "credit",
                phrases.items(row.transactions_count),
            )
            for row, name in services
            if not row.spent
        ],
    )
    discount_lines = [_discount_line(d, cur, invoice.currency) for d in discounts]
    recorded = sum((d.amount for d in discounts), ZERO)
    if (invoice.discount_amount or ZERO) - recorded > 0:
        # Filled before plans were recorded one by one (or by a plan since deleted): one line for the rest.
        discount_lines.append(Line(N_("Discount"), -cur(invoice.discount_amount - recorded), "discount"))
    add("discounts", discount_lines)
    return sections


def _payment(invoice: Invoice, number: str, balance: Decimal) -> PaymentInstructions:
    org = invoice.organization
    beneficiary = org.legal_name or org.name
    iban, bic = (org.iban or "").strip(), (org.bic or "").strip()
    reference = number or invoice.reference or f"{invoice.id}"
    payload = None
    if invoice.currency == "EUR" and iban and balance > 0:
        payload = epc_payload(beneficiary=beneficiary, iban=iban, bic=bic, amount=balance, reference=reference)
    return PaymentInstructions(
        beneficiary=beneficiary,
        bank=(org.bank_name or "").strip(),
        iban=iban,
        bic=bic,
        reference=reference,
        amount=max(balance, ZERO),
        currency=invoice.currency,
        bank_details=tuple(line.strip() for line in (org.bank_details or "").splitlines() if line.strip()),
        epc_payload=payload,
    )


@dataclass(frozen=True)
class Figures:
    """The statement's own figures without its lines (no query): what lists, exports and APIs show."""

    is_draft: bool
    net: Decimal
    vat: Decimal
    reverse_vat: Decimal
    reverse_charge: bool
    total: Decimal
    paid: Decimal
    balance_due: Decimal
    status: PaymentStatus


def statement_figures(invoice: Invoice, today: dt.date) -> Figures:
    """Net, VAT, total, paid, balance due and payment status of an invoice on `today`, as its statement has them.

    Approved: the figures raised on approval. New or Pending: the draft figures from the filled
    totals (net rounded to the currency, VAT by `vat_amounts`), marked draft. Reads the invoice's
    customer (reverse charge) and nothing else.
    """
    currency = invoice.currency
    cur = _quantized(currency)
    reverse_charge = bool(invoice.customer.reverse_charge)
    if invoice.is_approved:
        net, vat, reverse_vat = cur(invoice.net_amount), cur(invoice.vat_amount), cur(invoice.reverse_vat_amount)
        total, paid, balance = cur(invoice.total_amount), cur(invoice.paid_amount), cur(invoice.outstanding)
    else:
        net = cur(invoice.amount_total)
        vat, reverse_vat = vat_amounts(net, invoice.vat_rate, reverse_charge, currency)
        total = net + vat
        paid = cur(invoice.paid_amount)
        balance = total - paid
    return Figures(
        is_draft=not invoice.is_approved,
        net=net,
        vat=vat,
        reverse_vat=reverse_vat,
        reverse_charge=reverse_charge,
        total=total,
        paid=paid,
        balance_due=balance,
        status=invoice.payment_status(today),
    )


def build_statement(invoice: Invoice, today: dt.date, *, with_traffic: bool = False) -> Statement:
    """The statement of one invoice on `today` (the day decides open or overdue).

    Args:
        invoice: any invoice (New, Pending or Approved); the caller has scoped it.
        today: the day the payment status is judged on.
        with_traffic: also load the destination and network rows (the traffic tables of the pages and PDF).

    Returns a Statement; two queries (service rows, discounts), and those of the traffic tables if asked.
    """
    currency = invoice.currency
    cur = _quantized(currency)
    services = db.session.execute(
        select(InvoiceServiceData, Service.name)
        .outerjoin(Service, Service.id == InvoiceServiceData.service_id)
        .where(InvoiceServiceData.invoice_id == invoice.id)
        .order_by(InvoiceServiceData.spent.desc(), InvoiceServiceData.amount.desc(), InvoiceServiceData.id)
    ).all()
    discounts = db.session.scalars(
        select(InvoiceDiscount).where(InvoiceDiscount.invoice_id == invoice.id).order_by(InvoiceDiscount.id)
    ).all()
    sections = _sections(invoice, services, discounts, cur)
    figures = statement_figures(invoice, today)
    net, vat, total, paid, balance = figures.net, figures.vat, figures.total, figures.paid, figures.balance_due
    is_draft, reverse_charge, reverse_vat = figures.is_draft, figures.reverse_charge, figures.reverse_vat
    rounding = net - sum((s.subtotal for s in sections), ZERO)
    if rounding:
        sections.append(
            Section("rounding", SECTION_TITLES["rounding"], (Line(N_("Rounding"), rounding, "rounding"),), rounding)
        )
    vat_line = VatLine(
        rate=invoice.vat_rate or ZERO,
        base=net,
        amount=vat,
        reverse_charge=reverse_charge,
        reverse_amount=reverse_vat,
        note=REVERSE_CHARGE_NOTE if reverse_charge else "",
    )
    traffic: tuple[TrafficTable, ...] = ()
    networks: tuple[TrafficTable, ...] = ()
    if with_traffic:
        destinations = db.session.scalars(
            select(InvoiceDestination)
            .where(InvoiceDestination.invoice_id == invoice.id)
            .options(selectinload(InvoiceDestination.country), selectinload(InvoiceDestination.network))
            .order_by(InvoiceDestination.direction, InvoiceDestination.dst_prefix, InvoiceDestination.id)
        ).all()
        traffic = _traffic_tables(invoice, destinations, cur)
        network_rows = db.session.scalars(
            select(InvoiceNetwork)
            .where(InvoiceNetwork.invoice_id == invoice.id)
            .options(selectinload(InvoiceNetwork.country), selectinload(InvoiceNetwork.network))
            .order_by(InvoiceNetwork.direction, InvoiceNetwork.id)
        ).all()
        networks = _traffic_tables(invoice, network_rows, cur, by_network=True)
    number = invoice.invoice_number or ""
    return Statement(
        invoice_id=invoice.id,
        number=number,
        reference=invoice.reference or "",
        title=CREDIT_NOTE_TITLE if total < 0 else INVOICE_TITLE,
        is_draft=is_draft,
        currency=currency,
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        sections=tuple(sections),
        net=net,
        vat_lines=(vat_line,),
        vat=vat,
        total=total,
        paid=paid,
        paid_date=invoice.paid_date,
        balance_due=balance,
        status=figures.status,
        payment=_payment(invoice, number, balance),
        traffic=traffic,
        networks=networks,
        rate_unit=f"{currency} per minute",
    )
