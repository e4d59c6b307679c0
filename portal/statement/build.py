"""Building one invoice's statement: its sections of lines, traffic tables and payment instructions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.foundations import phrases
from portal.foundations.i18n import N_
from portal.foundations.money import ZERO
from portal.models import (
    Country,
    Invoice,
    InvoiceDestination,
    InvoiceDiscount,
    InvoiceNetwork,
    InvoiceServiceData,
    Network,
    Service,
)
from portal.statement import model
from portal.statement.figures import quantized, statement_figures


def billing_increment_text(invoice: Invoice) -> str:
    """ "Billed per 60/60 s" (English; the faces translate it) for the increment the fill used."""
    if not invoice.billing_increment_first:
        return model.BILLING_INCREMENT
    return model.BILLED_PER % {"increment": f"{invoice.billing_increment_first}/{invoice.billing_increment_next}"}


def epc_payload(*, beneficiary: str, iban: str, bic: str, amount: Decimal, reference: str) -> str:
    """The EPC069-12 ("GiroCode") text of a SEPA credit transfer of `amount` euros, version 002, UTF-8.

    The amount is omitted when nothing is due (the payer then types it); the reference goes in
    the unstructured remittance line (at most 140 characters).
    """
    euros = f"EUR{amount:.2f}" if amount > 0 else ""
    fields = ["BCD", "002", "1", "SCT", bic, beneficiary[:70], iban.replace(" ", ""), euros, "", "", reference[:140]]
    return "\n".join(fields)


def _discount_line(d: InvoiceDiscount, cur, currency: str) -> model.Line:
    if d.kind == "free_minutes" and d.free_seconds:
        detail = phrases.free_minutes_used(d.free_seconds, d.used_seconds)
    else:
        detail = phrases.percent_off(d.percent or ZERO, cur(d.base), currency)
    return model.Line(label=f"Discount: {d.name}", amount=-cur(d.amount), kind="discount", detail=detail)


# What the traffic tables read of a destination or network row, besides its country's and network's names.
_TRAFFIC_COLUMNS = ("direction", "rate", "calls_count", "successful_calls_count", "billing_duration", "amount", "spent")


def _traffic_rows(table, invoice_id: int) -> list:
    """The invoice's destination (or network) rows as plain rows of the columns the tables show, with the
    names of their country and network joined in: one query, no ORM objects to build and track."""
    by_destination = table is InvoiceDestination
    columns = [getattr(table, name) for name in _TRAFFIC_COLUMNS]
    order = [table.direction, table.id]
    if by_destination:
        columns += [table.dst_prefix, table.discount]
        order.insert(1, table.dst_prefix)
    return db.session.execute(
        select(*columns, Country.name.label("country_name"), Network.name.label("network_name"))
        .outerjoin(Country, Country.id == table.country_id)
        .outerjoin(Network, Network.id == table.network_id)
        .where(table.invoice_id == invoice_id)
        .order_by(*order)
    ).all()


def _traffic_tables(invoice: Invoice, rows_, cur, *, by_network: bool = False) -> tuple[model.TrafficTable, ...]:
    tables = []
    for direction in ("originated", "terminated"):
        rows = tuple(
            model.TrafficRow(
                direction=direction,
                prefix="" if by_network else (row.dst_prefix or ""),
                country=row.country_name or "",
                network=row.network_name or "",
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
            title = model.SECTION_TITLES[direction]
            tables.append(model.TrafficTable(direction, title, rows, subtotal, after_discounts=by_network))
    return tuple(tables)


def _sections(invoice: Invoice, services, discounts, cur) -> list[model.Section]:
    sections: list[model.Section] = []

    def add(key: str, lines: list[model.Line]) -> None:
        if lines:
            sections.append(
                model.Section(key, model.SECTION_TITLES[key], tuple(lines), sum((x.amount for x in lines), ZERO))
            )

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
                model.Line(
                    model.CHARGED_LABELS[direction], cur(spent), "charge", phrases.calls_and_minutes(calls, seconds)
                )
            )
        if earned:
            lines.append(model.Line(model.CREDITED_LABELS[direction], -cur(earned), "credit"))
        add(direction, lines)
    add(
        "charges",
        [
            model.Line(name or N_("Other charges"), cur(row.amount), "charge", phrases.items(row.transactions_count))
            for row, name in services
            if row.spent
        ],
    )
    add(
        "credits",
        [
            model.Line(
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
        discount_lines.append(model.Line(N_("Discount"), -cur(invoice.discount_amount - recorded), "discount"))
    add("discounts", discount_lines)
    return sections


def _payment(invoice: Invoice, number: str, balance: Decimal) -> model.PaymentInstructions:
    org = invoice.organization
    beneficiary = org.legal_name or org.name
    iban, bic = (org.iban or "").strip(), (org.bic or "").strip()
    reference = number or invoice.reference or f"{invoice.id}"
    payload = None
    if invoice.currency == "EUR" and iban and balance > 0:
        payload = epc_payload(beneficiary=beneficiary, iban=iban, bic=bic, amount=balance, reference=reference)
    return model.PaymentInstructions(
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


def build_statement(invoice: Invoice, today: dt.date, *, with_traffic: bool = False) -> model.Statement:
    """The statement of one invoice on `today` (the day decides open or overdue).

    Args:
        invoice: any invoice (New, Pending or Approved); the caller has scoped it.
        today: the day the payment status is judged on.
        with_traffic: also load the destination and network rows (the traffic tables of the pages and PDF).

    Returns a Statement; two queries (service rows, discounts), and those of the traffic tables if asked.
    """
    currency = invoice.currency
    cur = quantized(currency)
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
            model.Section(
                "rounding",
                model.SECTION_TITLES["rounding"],
                (model.Line(N_("Rounding"), rounding, "rounding"),),
                rounding,
            )
        )
    vat_line = model.VatLine(
        rate=invoice.vat_rate or ZERO,
        base=net,
        amount=vat,
        reverse_charge=reverse_charge,
        reverse_amount=reverse_vat,
        note=model.REVERSE_CHARGE_NOTE if reverse_charge else "",
    )
    traffic: tuple[model.TrafficTable, ...] = ()
    networks: tuple[model.TrafficTable, ...] = ()
    if with_traffic:
        traffic = _traffic_tables(invoice, _traffic_rows(InvoiceDestination, invoice.id), cur)
        networks = _traffic_tables(invoice, _traffic_rows(InvoiceNetwork, invoice.id), cur, by_network=True)
    number = invoice.invoice_number or ""
    return model.Statement(
        invoice_id=invoice.id,
        number=number,
        reference=invoice.reference or "",
        title=model.CREDIT_NOTE_TITLE if total < 0 else model.INVOICE_TITLE,
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
        billing_increment=billing_increment_text(invoice),
    )
