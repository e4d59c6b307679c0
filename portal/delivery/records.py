"""Delivery records: e-mail attempts that succeeded (in the caller's transaction) or failed (committed on their own),
and the life of a queued e-mail request (queued → sending → sent/outbox or failed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from portal.audit import _plain, record_event
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, EmailDelivery, Invoice


def _action(kind: str, what: str) -> str:
    return f"invoice.{what}" if kind == "invoice" else f"invoice.cdrs_{what}"


def _delivery(
    invoice_id: int, kind: str, recipients: list[str], subject: str, actor: Actor, **columns
) -> EmailDelivery:
    """A new delivery record of `kind` to `recipients`, made by `actor`, with its other `columns`."""
    return EmailDelivery(
        invoice_id=invoice_id,
        kind=kind,
        recipients=", ".join(recipients),
        subject=subject,
        created_by=actor.label,
        **columns,
    )


def record_sent(
    invoice: Invoice,
    *,
    kind: str,
    recipients: list[str],
    subject: str,
    status: str,
    message_id: str,
    actor: Actor,
    **details,
) -> EmailDelivery:
    """Add the successful attempt and its audit event to the session; the caller commits."""
    delivery = _delivery(invoice.id, kind, recipients, subject, actor, status=status, message_id=message_id)
    db.session.add(delivery)
    db.session.flush()
    record_event(
        actor,
        _action(kind, "emailed"),
        delivery,
        invoice_id=invoice.id,
        recipients=recipients,
        status=status,
        **details,
    )
    db.session.flush()
    return delivery


def record_failure(
    invoice_id: int, *, kind: str, recipients: list[str], subject: str, error: str, actor: Actor
) -> EmailDelivery:
    """Commit a failed attempt and its audit event so that they survive the caller's rollback.

    The session's open transaction is rolled back first: whatever this attempt prepared (the
    download link it minted) must not be kept, and on SQLite the request's connection would
    otherwise still hold the write lock that the separate connection below needs. The record
    is written through its own Session and connection, then read back into db.session.
    """
    db.session.rollback()
    with Session(db.engine, expire_on_commit=False) as separate:
        delivery = _delivery(
            invoice_id, kind, recipients, subject, actor, status="failed", error=error, created_at=utcnow()
        )
        separate.add(delivery)
        separate.flush()
        separate.add(
            AuditEvent(
                actor=actor.label,
                action=_action(kind, "email_failed"),
                subject_type=EmailDelivery.__tablename__,
                subject_id=delivery.id,
                invoice_id=invoice_id,
                details={"recipients": _plain(recipients), "error": error},
                created_at=utcnow(),
            )
        )
        separate.commit()
        delivery_id = delivery.id
    return db.session.get(EmailDelivery, delivery_id)


# A queued or sending request untouched this long is shown to admins as stalled (a worker died or is down).
STALLED_AFTER = dt.timedelta(minutes=15)


def record_queued(
    invoice: Invoice, *, kind: str, recipients: list[str], subject: str, options: dict | None, actor: Actor
) -> EmailDelivery:
    """Add a queued e-mail request and its audit event to the session; the caller commits, then enqueues."""
    delivery = _delivery(
        invoice.id, kind, recipients, subject, actor, status="queued", options=options, updated_at=utcnow()
    )
    db.session.add(delivery)
    db.session.flush()
    record_event(actor, _action(kind, "email_queued"), delivery, invoice_id=invoice.id, recipients=recipients)
    db.session.flush()
    return delivery


def claim_queued(delivery_id: int, message_id: str) -> bool:
    """Mark a queued request `sending` with the Message-ID it is about to go out with (one conditional UPDATE).

    Returns False when it is no longer queued (another try claimed it). The caller commits before
    sending: a try that finds the request `sending` knows an earlier one may have sent it.
    """
    claimed = db.session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id == delivery_id, EmailDelivery.status == "queued")
        .values(status="sending", message_id=message_id, attempts=EmailDelivery.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def record_failed_try(
    delivery: EmailDelivery, *, error: str, final: bool, counted: bool, actor: Actor
) -> EmailDelivery:
    """A try that did not send: failed for good when `final` (see `record_request_failed`), else back to
    `queued` with its error for the next try. `counted`: the try's claim was committed (it is in `attempts`
    already); otherwise it is counted now. The caller commits."""
    if not counted:
        delivery.attempts += 1
    if final:
        return record_request_failed(delivery, error=error, actor=actor)
    delivery.status, delivery.error, delivery.updated_at = "queued", error, utcnow()
    db.session.flush()
    return delivery


def record_request_sent(
    delivery: EmailDelivery, *, status: str, subject: str, actor: Actor, **details
) -> EmailDelivery:
    """The request went out: its status (`sent`, `outbox`), the invoice's `emailed_at`, an audit event.

    The caller commits.
    """
    delivery.status, delivery.subject, delivery.error, delivery.updated_at = status, subject, None, utcnow()
    if delivery.kind == "invoice":
        delivery.invoice.emailed_at = utcnow()
    return _record_outcome(delivery, actor, "emailed", status=status, **details)


def record_request_failed(delivery: EmailDelivery, *, error: str, actor: Actor) -> EmailDelivery:
    """The request failed for good: status `failed`, the error, an audit event (caller commits)."""
    delivery.status, delivery.error, delivery.updated_at = "failed", error, utcnow()
    return _record_outcome(delivery, actor, "email_failed", error=error)


def _record_outcome(delivery: EmailDelivery, actor: Actor, what: str, **details) -> EmailDelivery:
    """The audit event of how a request ended (`emailed`, `email_failed`), with its recipients."""
    record_event(
        actor,
        _action(delivery.kind, what),
        delivery,
        invoice_id=delivery.invoice_id,
        recipients=delivery.recipients.split(", "),
        **details,
    )
    db.session.flush()
    return delivery


def is_stalled(delivery: EmailDelivery, now: dt.datetime | None = None) -> bool:
    """A queued or sending request that no try has touched for STALLED_AFTER."""
    stamp = delivery.updated_at or delivery.created_at
    return delivery.status in ("queued", "sending") and stamp < (now or utcnow()) - STALLED_AFTER


def is_followed(delivery: EmailDelivery) -> bool:
    """A later request of the same invoice and kind exists (a Retry, or sending again)."""
    return db.session.scalar(
        select(
            exists().where(
                EmailDelivery.invoice_id == delivery.invoice_id,
                EmailDelivery.kind == delivery.kind,
                EmailDelivery.id > delivery.id,
            )
        )
    )


def open_failure_ids(deliveries: list[EmailDelivery]) -> set[int]:
    """Of one invoice's deliveries, the ids Retry applies to: the newest request of each kind, failed or stalled."""
    newest: dict[str, EmailDelivery] = {}
    for delivery in deliveries:
        if delivery.kind not in newest or delivery.id > newest[delivery.kind].id:
            newest[delivery.kind] = delivery
    return {d.id for d in newest.values() if d.status == "failed" or is_stalled(d)}


def open_email_failures(limit: int = 500) -> list[EmailDelivery]:
    """E-mail requests that failed or stalled and were not followed by a later request of the same invoice
    and kind (a Retry, or sending again), newest first."""
    later = aliased(EmailDelivery)
    followed = exists().where(
        later.invoice_id == EmailDelivery.invoice_id, later.kind == EmailDelivery.kind, later.id > EmailDelivery.id
    )
    cutoff = utcnow() - STALLED_AFTER
    stalled = EmailDelivery.status.in_(("queued", "sending")) & (
        func.coalesce(EmailDelivery.updated_at, EmailDelivery.created_at) < cutoff
    )
    return list(
        db.session.scalars(
            select(EmailDelivery)
            .where(or_(EmailDelivery.status == "failed", stalled), ~followed)
            .order_by(EmailDelivery.id.desc())
            .limit(limit)
        )
    )
