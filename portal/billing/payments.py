"""Payments against raised invoices; paid, partially paid and overdue follow from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from portal.audit import record_event
from portal.billing.locks import lock_invoice
from portal.extensions import db
from portal.foundations.errors import FieldError, InvalidState, ValidationFailed
from portal.foundations.money import micro
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Invoice, Payment


def record_payment(
    invoice: Invoice,
    *,
    amount,
    paid_on,
    method: str | None = None,
    reference: str | None = None,
    actor: Actor = SYSTEM,
    today: dt.date | None = None,
) -> Payment:
    """Record a payment of `amount` received on `paid_on` against an approved invoice.

    The invoice is locked and re-read before the amount is checked against what is still
    outstanding, so two payments at once can never together pay more than the total: the
    second waits for the first and is checked against the outstanding amount it left.

    Returns the flushed Payment (the invoice's paid amount, outstanding and paid date updated).

    Raises:
        InvalidState: the invoice is not approved.
        NotFound: the invoice was deleted meanwhile.
        ValidationFailed: `amount - must be greater than 0`, `amount - is invalid`,
            `amount - is more than the outstanding amount`, `paid-on - is invalid`,
            `paid-on - can't be in the future`.
    """
    require(actor, "invoice.payment")
    invoice = lock_invoice(invoice)
    if not invoice.is_approved:
        raise InvalidState("Payments can only be recorded on approved invoices")
    errors: list[FieldError] = []
    try:
        value = micro(Decimal(str(amount).strip()))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(FieldError("amount", "is invalid"))
        value = None
    if value is not None and value <= 0:
        errors.append(FieldError("amount", "must be greater than 0"))
    elif value is not None and value > invoice.outstanding:
        errors.append(FieldError("amount", "is more than the outstanding amount"))
    if isinstance(paid_on, str):
        try:
            paid_on = dt.date.fromisoformat(paid_on.strip())
        except ValueError:
            paid_on = None
    if not isinstance(paid_on, dt.date):
        errors.append(FieldError("paid-on", "is invalid"))
    elif paid_on > (today or dt.date.today()):
        errors.append(FieldError("paid-on", "can't be in the future"))
    # The column sizes: an overlong value is the caller's error, not a database failure.
    for name, text, limit in (
        ("method", method, Payment.method.type.length),
        ("reference", reference, Payment.reference.type.length),
    ):
        if text is not None and len(text) > limit:
            errors.append(FieldError(name, f"is too long (at most {limit} characters)"))
    if errors:
        raise ValidationFailed(errors)

    payment = Payment(
        invoice=invoice, amount=value, paid_on=paid_on, method=method, reference=reference, created_by=actor.label
    )
    db.session.add(payment)
    invoice.paid_amount += value
    invoice.outstanding = invoice.total_amount - invoice.paid_amount - invoice.credited_amount
    if invoice.outstanding <= 0:
        invoice.paid_date = paid_on
    record_event(
        actor, "invoice.payment_recorded", invoice, invoice_id=invoice.id, amount=value, paid_on=paid_on.isoformat()
    )
    db.session.flush()
    return payment
