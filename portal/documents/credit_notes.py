"""The plain data a credit note's PDF is rendered from: the invoice context plus what is credited, and why."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from portal.documents.context import LOCALE, invoice_pdf_context
from portal.documents.einvoices import credit_note_lines
from portal.documents.labels import statement_label
from portal.foundations.formatting import date as format_date
from portal.foundations.formatting import money, number
from portal.foundations.i18n import N_, in_language

CREDIT_NOTE_TEMPLATE = "pdf/credit_note.html"
UNITS = {"MIN": N_("min"), "C62": ""}


def _unit(code: str | None) -> str:
    unit = UNITS.get(code or "", "")
    return " " + _(unit) if unit else ""


def credit_note_pdf_context(credit_note) -> dict:
    """`invoice_pdf_context` of the credit note, with `credit_note`: the invoice it corrects, the reason and the lines.

    Amounts are shown as the credit note states them: positive sums credited to the customer.
    """
    context = invoice_pdf_context(credit_note)
    currency, original = credit_note.currency, credit_note.credited_invoice

    def fmt(value) -> str:
        return money(value if value is not None else Decimal(0), currency, LOCALE)

    with in_language(context["language"]):  # figures, dates and units in the customer's language, as the rest
        context["credit_note"] = _credited(context, credit_note, original, fmt)
    return context


def _credited(context: dict, credit_note, original, fmt) -> dict:
    return {
        "invoice_number": original.invoice_number or "",
        "invoice_date": format_date(original.invoice_date, LOCALE) if original.invoice_date else "",
        "reason": credit_note.credit_reason or "",
        "lines": [
            {
                "name": statement_label(line.name),
                "description": line.description or "",
                "quantity": number(line.quantity, LOCALE) + _unit(line.unit_code),
                "amount": fmt(line.net_amount),
            }
            for line in credit_note_lines(credit_note)
        ],
        "net": fmt(-credit_note.net_amount),
        "vat": fmt(-credit_note.vat_amount),
        "reverse_vat": fmt(-credit_note.reverse_vat_amount) if credit_note.reverse_vat_amount else "",
        "total": fmt(-credit_note.total_amount),
        "vat_rate": number(credit_note.vat_rate or Decimal(0), LOCALE),
        "reverse_charge": any(vat["reverse_amount"] for vat in context["statement"]["vat_lines"]),
    }
