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


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
