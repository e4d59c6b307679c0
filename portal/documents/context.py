"""The plain data an invoice PDF is rendered from (strings and lists only, formatted for people)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from portal.documents.columns import Column, column_widths_or_none, css_length
from portal.documents.qr import payment_qr_svg
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.foundations.formatting import date as format_date
from portal.foundations.formatting import local_date_text, minutes, money, number, period_end_date
from portal.foundations.i18n import N_, in_language
from portal.models import BillStyle
from portal.statement import DRAFT_NOTE, build_statement

# None: figures and dates in the current locale, which invoice_pdf_context sets to the customer's language
# (a Locale parsed once per process, portal.foundations.i18n.locale_for).
LOCALE = None
DIRECTION_TITLES = {"originated": N_("Originated calls"), "terminated": N_("Terminated calls")}
# The traffic tables' columns, in order (the row key of each); tables by network have no prefix.
TRAFFIC_COLUMNS = {
    "prefix": Column(N_("Prefix"), numeric=False),
    "country": Column(N_("Country"), numeric=False),
    "network": Column(N_("Network"), numeric=False),
    "rate": Column(N_("Rate"), numeric=True),
    "calls": Column(N_("Calls"), numeric=True),
    "successful": Column(N_("Successful"), numeric=True),
    "minutes": Column(N_("Minutes"), numeric=True),
    "amount": Column(N_("Amount"), numeric=True),
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


def _signed(value: Decimal, currency: str) -> str:
    """An amount; one in the customer's favour with the minus sign U+2212 (portal.foundations.formatting.money)."""
    return money(value, currency, LOCALE)


def _traffic_row(row, currency: str, with_prefix: bool) -> dict:
    data = {
        "country": row.country,
        "network": row.network,
        # Per-minute rates need more decimals than the currency has.
        "rate": number(row.rate, LOCALE, 4),
        "calls": number(row.calls, LOCALE, 0),
        "successful": number(row.successful_calls, LOCALE, 0),
        "minutes": minutes(row.billing_seconds, LOCALE),
        # Credited rows say so in words and with the sign, never by colour alone.
        "amount": _("%(amount)s credit", amount=_signed(row.amount, currency))
        if row.credit
        else _signed(row.amount, currency),
        "credit": row.credit,
    }
    if with_prefix:
        data["prefix"] = row.prefix
    return data


def traffic_section(title: str, rows: list[dict], with_prefix: bool, subtotal: dict | None = None) -> dict:
    """One traffic table: its title, its columns (label, numeric or not, width for the PDF), its rows and
    its subtotal (`label`, `amount`; printed right under the table, so the measured widths stay the table's), if any."""
    keys = [key for key in TRAFFIC_COLUMNS if with_prefix or key != "prefix"]
    # Translated before the widths are measured: the headers take the width of their own language.
    columns = [Column(_(TRAFFIC_COLUMNS[key].label), TRAFFIC_COLUMNS[key].numeric) for key in keys]
    sized = column_widths_or_none(columns, [[row[key] for key in keys] for row in rows])
    widths = [css_length(width) for width in sized.widths] if sized else [None] * len(keys)
    return {
        "title": title,
        "rows": rows,
        "subtotal": subtotal,
        "fixed": sized is not None,
        "break_words": bool(sized and sized.break_words),
        "columns": [
            {"key": key, "label": column.label, "numeric": column.numeric, "width": width}
            for key, column, width in zip(keys, columns, widths)
        ],
    }


def _tables(tables, currency: str, with_prefix: bool) -> list[dict]:
    sections = []
    for table in tables:
        section = traffic_section(
            table.title, [_traffic_row(r, currency, with_prefix) for r in table.rows], with_prefix
        )
        label = f"Subtotal {table.title.lower()}" + (" after discounts" if table.after_discounts else "")
        section["subtotal"] = {"label": label, "amount": _signed(table.subtotal, currency)}
        sections.append(section)
    return sections


def _statement(st, currency: str) -> dict:
    fmt = lambda value: _signed(value, currency)  # noqa: E731 - one formatter for every figure below
    return {
        "title": st.title,
        "is_credit_note": st.is_credit_note,
        "is_settled": st.is_settled,
        "has_marks": st.has_credits or st.has_discounts,
        "sections": [
            {
                "title": section.title,
                "lines": [
                    {"label": line.label, "detail": line.detail, "amount": fmt(line.amount), "kind": line.kind}
                    for line in section.lines
                ],
                "subtotal": fmt(section.subtotal),
            }
            for section in st.sections
        ],
        "net": fmt(st.net),
        "vat_lines": [
            {
                "label": (
                    _("VAT %(rate)s%% on %(base)s (reverse charge)", rate=number(v.rate, LOCALE), base=fmt(v.base))
                    if v.reverse_charge
                    else _("VAT %(rate)s%% on %(base)s", rate=number(v.rate, LOCALE), base=fmt(v.base))
                ),
                "amount": fmt(v.amount),
                "note": v.note,
                "reverse_amount": fmt(v.reverse_amount) if v.reverse_charge else "",
            }
            for v in st.vat_lines
        ],
        "total": fmt(st.total),
        "paid": fmt(st.paid),
        "balance": fmt(st.balance_due),
        "status": st.status.label,
        "rate_unit": st.rate_unit,
        "billing_increment": st.billing_increment,
    }


def _payment(st) -> dict:
    pay = st.payment
    return {
        "due": not st.is_draft and st.balance_due > 0,
        "amount": money(pay.amount, pay.currency, LOCALE),
        "beneficiary": pay.beneficiary,
        "bank": pay.bank,
        "iban": pay.iban,
        "bic": pay.bic,
        "bank_details": list(pay.bank_details),
        "reference": pay.reference,
        "qr_svg": payment_qr_svg(pay.epc_payload),
    }


def invoice_pdf_context(invoice) -> dict:
    """Everything the PDF template shows, as plain data: organization, customer, invoice, the statement
    (portal.statement: every figure and line), payment instructions, traffic tables.

    Amounts are formatted in the invoice currency and the customer's language (`language`, which
    render_invoice_pdf renders the template in), with a real minus sign for credits; the period in the
    account's time zone (the end is the last day covered, the period being half-open).
    """
    language = invoice.customer.language if invoice.customer is not None else None
    with in_language(language):
        return {**_invoice_context(invoice), "language": language}


def _invoice_context(invoice) -> dict:
    account, customer, org = invoice.account, invoice.customer, invoice.organization
    currency, tz = invoice.currency, account.timezone
    layout = bill_layout(invoice.bill_style)
    st = build_statement(invoice, local_date(utcnow(), tz), with_traffic=True)
    calls = invoice.originated_calls_count + invoice.terminated_calls_count
    seconds = invoice.originated_billing_duration + invoice.terminated_billing_duration

    return {
        "layout": layout,
        "bill_style": invoice.bill_style or "Full",
        "draft_note": DRAFT_NOTE,
        "organization": {
            "name": org.name,
            "legal_name": org.legal_name or org.name,
            "address": _lines(org.address),
            "vat_number": org.vat_number or "",
            "registration_number": org.registration_number or "",
            "registered_office": org.registered_office or "",
            "email": org.email or "",
            "phone": org.phone or "",
            "website": org.website or "",
            "bank_details": _lines(org.bank_details),
            "brand_color": org.brand_color or "#0b5394",
        },
        "customer": {
            "name": customer.name,
            "number": str(customer.id),
            "address": _lines(customer.address),
            "vat_number": customer.vat_number or "",
        },
        "invoice": {
            "number": invoice.invoice_number or "",
            "is_draft": st.is_draft,
            "reference": invoice.reference or "",
            "customer_reference": invoice.customer_reference or "",
            "purchase_order_number": invoice.purchase_order_number or "",
            "account": account.name,
            "account_number": str(account.id),
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
            "calls": number(calls, LOCALE, 0),
            "minutes": minutes(seconds, LOCALE),
        },
        "statement": _statement(st, currency),
        "payment": _payment(st),
        "destination_sections": _tables(st.traffic, currency, with_prefix=True) if layout == "full" else [],
        "network_sections": _tables(st.networks, currency, with_prefix=False),
    }
