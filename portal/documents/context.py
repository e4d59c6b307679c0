"""The plain data an invoice PDF is rendered from (strings and lists only, formatted for people)."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.documents.columns import Column, column_widths_or_none, css_length
from portal.extensions import db
from portal.foundations.formatting import date as format_date
from portal.foundations.formatting import local_date_text, minutes, money, number, period_end_date
from portal.models import BillStyle, InvoiceDestination, InvoiceNetwork, InvoiceServiceData

LOCALE = Locale.parse("en")  # parsed once: Babel would parse a locale string again for every number
DIRECTION_TITLES = {"originated": "Originated calls", "terminated": "Terminated calls"}
# The traffic tables' columns, in order (the row key of each); tables by network have no prefix.
TRAFFIC_COLUMNS = {
    "prefix": Column("Prefix", numeric=False),
    "country": Column("Country", numeric=False),
    "network": Column("Network", numeric=False),
    "rate": Column("Rate", numeric=True),
    "calls": Column("Calls", numeric=True),
    "successful": Column("Successful", numeric=True),
    "minutes": Column("Minutes", numeric=True),
    "amount": Column("Amount", numeric=True),
}


def bill_layout(bill_style: str | None) -> str:
    """`full` or `summary`: the named bill style's layout, else `summary` only for a style called Summary."""
    name = (bill_style or "Full").strip()
    style = db.session.scalars(select(BillStyle).where(BillStyle.name == name)).first()
    if style is not None:
        return style.layout
    return "summary" if name.lower() == "summary" else "full"


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _traffic_row(row, currency: str, with_prefix: bool) -> dict:
    data = {
        "country": row.country.name if row.country else "",
        "network": row.network.name if row.network else "",
        # Per-minute rates need more decimals than the currency has.
        "rate": number(row.rate, LOCALE, 4),
        "calls": number(row.calls_count, LOCALE, 0),
        "successful": number(row.successful_calls_count, LOCALE, 0),
        "minutes": minutes(row.billing_duration, LOCALE),
        "amount": money(row.amount, currency, LOCALE),
        "credit": not row.spent,
    }
    if with_prefix:
        data["prefix"] = row.dst_prefix or ""
    return data


def traffic_section(title: str, rows: list[dict], with_prefix: bool) -> dict:
    """One traffic table: its title, its columns (label, numeric or not, width for the PDF) and its rows."""
    keys = [key for key in TRAFFIC_COLUMNS if with_prefix or key != "prefix"]
    columns = [TRAFFIC_COLUMNS[key] for key in keys]
    sized = column_widths_or_none(columns, [[row[key] for key in keys] for row in rows])
    widths = [css_length(width) for width in sized.widths] if sized else [None] * len(keys)
    return {
        "title": title,
        "rows": rows,
        "fixed": sized is not None,
        "break_words": bool(sized and sized.break_words),
        "columns": [
            {"key": key, "label": column.label, "numeric": column.numeric, "width": width}
            for key, column, width in zip(keys, columns, widths)
        ],
    }


def _grouped(rows, currency: str, with_prefix: bool) -> list[dict]:
    sections = []
    for direction in ("originated", "terminated"):
        mine = [_traffic_row(r, currency, with_prefix) for r in rows if r.direction == direction]
        if mine:
            sections.append(traffic_section(DIRECTION_TITLES[direction], mine, with_prefix))
    return sections


def invoice_pdf_context(invoice) -> dict:
    """Everything the PDF template shows, as plain data: organization, customer, invoice, totals, tables.

    Amounts are formatted in the invoice currency, the period in the account's time zone
    (the end is the last day covered, the period being half-open).
    """
    account, customer, org = invoice.account, invoice.customer, invoice.organization
    currency, tz = invoice.currency, account.timezone
    layout = bill_layout(invoice.bill_style)
    destinations = []
    if layout == "full":
        destinations = list(
            db.session.scalars(
                select(InvoiceDestination)
                .where(InvoiceDestination.invoice_id == invoice.id)
                .options(selectinload(InvoiceDestination.country), selectinload(InvoiceDestination.network))
                .order_by(InvoiceDestination.direction.desc(), InvoiceDestination.dst_prefix, InvoiceDestination.id)
            )
        )
    networks = list(
        db.session.scalars(
            select(InvoiceNetwork)
            .where(InvoiceNetwork.invoice_id == invoice.id)
            .options(selectinload(InvoiceNetwork.country), selectinload(InvoiceNetwork.network))
            .order_by(InvoiceNetwork.direction.desc(), InvoiceNetwork.id)
        )
    )
    services = list(
        db.session.scalars(
            select(InvoiceServiceData)
            .where(InvoiceServiceData.invoice_id == invoice.id)
            .options(selectinload(InvoiceServiceData.service))
            .order_by(InvoiceServiceData.id)
        )
    )

    def fmt(value) -> str:
        return money(value if value is not None else Decimal(0), currency, LOCALE)

    return {
        "layout": layout,
        "bill_style": invoice.bill_style or "Full",
        "organization": {
            "name": org.name,
            "legal_name": org.legal_name or org.name,
            "address": _lines(org.address),
            "vat_number": org.vat_number or "",
            "email": org.email or "",
            "phone": org.phone or "",
            "website": org.website or "",
            "bank_details": _lines(org.bank_details),
            "brand_color": org.brand_color or "#0b5394",
        },
        "customer": {
            "name": customer.name,
            "address": _lines(customer.address),
            "vat_number": customer.vat_number or "",
        },
        "invoice": {
            "number": invoice.invoice_number or "",
            "is_draft": not invoice.is_approved,
            "reference": invoice.reference or "",
            "customer_reference": invoice.customer_reference or "",
            "purchase_order_number": invoice.purchase_order_number or "",
            "account": account.name,
            "currency": currency,
            "timezone": tz,
            "invoice_date": format_date(invoice.invoice_date, LOCALE) if invoice.invoice_date else "",
            "due_date": format_date(invoice.due_date, LOCALE) if invoice.due_date else "",
            "period_start": local_date_text(invoice.start_date, tz, LOCALE),
            "period_end": period_end_date(invoice.end_date, tz, LOCALE),
            "message": invoice.invoice_message or "",
            "payment_method": invoice.payment_method or "",
        },
        "totals": {
            "originated": fmt(invoice.originated_amount_spent),
            "terminated": fmt(invoice.terminated_amount_spent),
            "services": fmt(invoice.services_amount_spent),
            "credits": fmt(invoice.amount_earned),
            "has_credits": bool(invoice.amount_earned),
            "net": fmt(invoice.net_amount if invoice.is_approved else invoice.amount_total),
            "vat_rate": number(invoice.vat_rate, LOCALE) + "%",
            "vat": fmt(invoice.vat_amount),
            "reverse_vat": fmt(invoice.reverse_vat_amount) if invoice.reverse_vat_amount else "",
            "reverse_charge": bool(customer.reverse_charge),
            "total": fmt(invoice.display_amount),
            "calls": number(invoice.originated_calls_count, LOCALE, 0),
            "minutes": minutes(invoice.originated_billing_duration, LOCALE),
        },
        "destination_sections": _grouped(destinations, currency, with_prefix=True),
        "network_sections": _grouped(networks, currency, with_prefix=False),
        "charges": [
            {
                "name": s.service.name if s.service else "Other charges",
                "count": number(s.transactions_count, LOCALE, 0),
                "amount": fmt(s.amount),
            }
            for s in services
            if s.spent
        ],
        "credits": [
            {
                "name": s.service.name if s.service else "Other credits",
                "count": number(s.transactions_count, LOCALE, 0),
                "amount": fmt(-s.amount),
            }
            for s in services
            if not s.spent
        ],
    }
