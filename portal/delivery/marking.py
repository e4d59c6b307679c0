"""Marking an invoice delivered outside the portal: printed and posted, or handed over."""

from __future__ import annotations

from portal.audit import record_event
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.permissions import Actor, require
from portal.models import Invoice

DELIVERY_WAYS = {"printed": "printed_at", "by hand": "marked_delivered_at"}


def mark_invoice_delivered(invoice: Invoice, *, actor: Actor, how: str = "printed") -> Invoice:
    """Record that an approved invoice was printed (`how="printed"`) or delivered by hand (`"by hand"`).

    Raises PermissionDenied ("invoice.mark_delivered"), InvalidState (not approved) and
    ValidationFailed (field `how`).
    """
    require(actor, "invoice.mark_delivered")
    if not invoice.is_approved:
        raise InvalidState("Only approved invoices can be marked delivered")
    column = DELIVERY_WAYS.get((how or "").strip().lower())
    if column is None:
        raise ValidationFailed.single("how", "must be printed or by hand")
    setattr(invoice, column, utcnow())
    record_event(actor, "invoice.marked_delivered", invoice, invoice_id=invoice.id, how=how)
    db.session.flush()
    return invoice
