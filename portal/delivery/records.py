"""Delivery records: e-mail attempts that succeeded (in the caller's transaction) or failed (committed on their own)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.audit import _plain, record_event
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, EmailDelivery, Invoice
from portal.permissions import Actor


def record_sent(invoice: Invoice, *, kind: str, recipients: list[str], subject: str, status: str,
                message_id: str, actor: Actor, **details) -> EmailDelivery:
    """Add the successful attempt and its audit event to the session; the caller commits."""
    delivery = EmailDelivery(invoice_id=invoice.id, kind=kind, recipients=", ".join(recipients), subject=subject,
                             status=status, message_id=message_id, created_by=actor.label)
    db.session.add(delivery)
    db.session.flush()
    record_event(actor, "invoice.emailed" if kind == "invoice" else "invoice.cdrs_emailed", delivery,
                 invoice_id=invoice.id, recipients=recipients, status=status, **details)
    db.session.flush()
    return delivery


def record_failure(invoice_id: int, *, kind: str, recipients: list[str], subject: str, error: str,
                   actor: Actor) -> EmailDelivery:
    """Commit a failed attempt and its audit event so that they survive the caller's rollback.

    The session's open transaction is rolled back first: whatever this attempt prepared (the
    download link it minted) must not be kept, and on SQLite the request's connection would
    otherwise still hold the write lock that the separate connection below needs. The record
    is written through its own Session and connection, then read back into db.session.
    """
    db.session.rollback()
    with Session(db.engine, expire_on_commit=False) as separate:
        delivery = EmailDelivery(invoice_id=invoice_id, kind=kind, recipients=", ".join(recipients),
                                 subject=subject, status="failed", error=error, created_by=actor.label,
                                 created_at=utcnow())
        separate.add(delivery)
        separate.flush()
        separate.add(AuditEvent(
            actor=actor.label,
            action="invoice.email_failed" if kind == "invoice" else "invoice.cdrs_email_failed",
            subject_type=EmailDelivery.__tablename__, subject_id=delivery.id, invoice_id=invoice_id,
            details={"recipients": _plain(recipients), "error": error}, created_at=utcnow(),
        ))
        separate.commit()
        delivery_id = delivery.id
    return db.session.get(EmailDelivery, delivery_id)
