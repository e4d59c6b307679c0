"""Recording audit events (every state change and delivery)."""

from __future__ import annotations

from portal.extensions import db
from portal.foundations.permissions import Actor
from portal.models import AuditEvent


def record_event(actor: Actor, action: str, subject, *, invoice_id: int | None = None, **details) -> AuditEvent:
    """Add an audit event for `action` on `subject` to the session (the caller commits)."""
    event = AuditEvent(
        actor=actor.label,
        action=action,
        subject_type=type(subject).__tablename__ if subject is not None else "system",
        subject_id=getattr(subject, "id", None),
        invoice_id=invoice_id,
        details={k: _plain(v) for k, v in details.items()},
    )
    db.session.add(event)
    return event


def add_recorded(actor: Actor, action: str, row, **details):
    """Add a new row to the session, flush it for its id and record `action` on it; returns the row."""
    db.session.add(row)
    db.session.flush()
    record_event(actor, action, row, **details)
    return row


def delete_recorded(actor: Actor, action: str, row, **details) -> None:
    """Record `action` on a row (while it still has its id), then delete it and flush."""
    record_event(actor, action, row, **details)
    db.session.delete(row)
    db.session.flush()


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
