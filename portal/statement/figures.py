"""The statement's figures without its lines: the VAT rule, net, VAT, total, paid, balance due and status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from portal.foundations.money import ZERO, round_currency
from portal.models import Invoice, PaymentStatus


def vat_amounts(net: Decimal, rate: Decimal, reverse_charge: bool, currency: str) -> tuple[Decimal, Decimal]:
    """(VAT charged, reverse-charge VAT) on a rounded net: under reverse charge nothing is charged and
    the customer accounts for the VAT; otherwise VAT = net × rate %, rounded to the currency."""
    vat = round_currency(net * (rate or ZERO) / 100, currency)
    zero = round_currency(ZERO, currency)
    return (zero, vat) if reverse_charge else (vat, zero)


def quantized(currency: str):
    return lambda value: round_currency(value or ZERO, currency)


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
    cur = quantized(currency)
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
