"""Linking invoices to their copies in Xero (a stored Xero invoice id; nothing is sent to Xero)."""

from __future__ import annotations

import uuid as uuid_mod

from flask import current_app

from portal.audit import record_event
from portal.extensions import db
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.permissions import Actor, require
from portal.models import Invoice

XERO_DISABLED = "The Xero module is not enabled"


def xero_enabled() -> bool:
    return bool(current_app.config.get("XERO_ENABLED"))


def link_invoice_to_xero(invoice: Invoice, xero_id, *, actor: Actor) -> Invoice:
    """Store the Xero invoice id (a UUID) of an invoice.

    Raises:
        InvalidState: the Xero module is disabled (config XERO_ENABLED).
        ValidationFailed: field `xeroID` blank or not a UUID.
        PermissionDenied: "invoice.xero_link"; replacing a different existing link needs
            "invoice.xero_relink" (level 5).
    """
    if not xero_enabled():
        raise InvalidState(XERO_DISABLED)
    require(actor, "invoice.xero_link")
    raw = str(xero_id).strip() if xero_id is not None else ""
    if not raw:
        raise ValidationFailed.single("xeroID", "can't be blank")
    try:
        value = uuid_mod.UUID(raw)
    except ValueError:
        raise ValidationFailed.single("xeroID", "must be a UUID (00000000-0000-0000-0000-000000000000)") from None
    previous = invoice.xero_id
    if previous is not None and previous != value:
        require(actor, "invoice.xero_relink")
    invoice.xero_id = value
    record_event(actor, "invoice.xero_linked", invoice, invoice_id=invoice.id, xero_id=value, previous=previous)
    db.session.flush()
    return invoice


def unlink_invoice_from_xero(invoice: Invoice, *, actor: Actor) -> Invoice:
    """Remove the Xero link (the invoice in Xero is not affected).

    Raises InvalidState (module disabled, or no link) and PermissionDenied ("invoice.xero_relink", level 5).
    """
    if not xero_enabled():
        raise InvalidState(XERO_DISABLED)
    require(actor, "invoice.xero_relink")
    if invoice.xero_id is None:
        raise InvalidState("The invoice is not linked to Xero")
    previous = invoice.xero_id
    invoice.xero_id = None
    record_event(actor, "invoice.xero_unlinked", invoice, invoice_id=invoice.id, previous=previous)
    db.session.flush()
    return invoice
