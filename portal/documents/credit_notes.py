"""The plain data a credit note's PDF is rendered from: the invoice context plus what is credited, and why."""

from __future__ import annotations

from decimal import Decimal

from portal.documents.context import LOCALE, invoice_pdf_context
from portal.documents.einvoices import credit_note_lines
from portal.foundations.formatting import date as format_date
from portal.foundations.formatting import money, number, percent

CREDIT_NOTE_TEMPLATE = "pdf/credit_note.html"
UNITS = {"MIN": "min", "C62": ""}


def credit_note_pdf_context(credit_note) -> dict:
    """`invoice_pdf_context` of the credit note, with `credit_note`: the invoice it corrects, the reason and the lines.

    Amounts are shown as the credit note states them: positive sums credited to the customer.
    """
    context = invoice_pdf_context(credit_note)
    currency, original = credit_note.currency, credit_note.credited_invoice

    def fmt(value) -> str:
        return money(value if value is not None else Decimal(0), currency, LOCALE)

    # The template names the VAT rate and reverse charge of its totals (as the invoice's did before the statement).
    rate = (credit_note.vat_rate or Decimal(0)) / 100
    context["totals"]["vat_rate"] = percent(rate, context.get("language") or LOCALE)
    context["totals"]["reverse_charge"] = bool(credit_note.customer.reverse_charge)
    context["credit_note"] = {
        "invoice_number": original.invoice_number or "",
        "invoice_date": format_date(original.invoice_date, LOCALE) if original.invoice_date else "",
        "reason": credit_note.credit_reason or "",
        "lines": [
            {
                "name": line.name,
                "description": line.description or "",
                "quantity": number(line.quantity, LOCALE) + (" " + UNITS.get(line.unit_code, "")).rstrip(),
                "amount": fmt(line.net_amount),
            }
            for line in credit_note_lines(credit_note)
        ],
        "net": fmt(-credit_note.net_amount),
        "vat": fmt(-credit_note.vat_amount),
        "reverse_vat": fmt(-credit_note.reverse_vat_amount) if credit_note.reverse_vat_amount else "",
        "total": fmt(-credit_note.total_amount),
    }
    return context
