"""Queued e-mail requests: recorded by the admin pages, sent by a worker (`send_queued_email`) at most once,
retried on request."""

from __future__ import annotations

import logging
from typing import Unpack

from portal import mail
from portal.delivery.email_choices import NOT_APPROVED, EmailOptions, approved_choices, validate_choices
from portal.delivery.email_compose import (
    CDRS_SUBJECT,
    NO_CDRS,
    ComposedEmail,
    compose_cdrs_email,
    compose_invoice_email,
    placeholder_values,
)
from portal.delivery.message_templates import DEFAULT_TEMPLATE, render_text
from portal.delivery.recipients import resolve_recipients
from portal.delivery.records import (
    claim_queued,
    is_followed,
    is_stalled,
    record_failed_try,
    record_queued,
    record_request_failed,
    record_request_sent,
)
from portal.documents.csv import invoice_has_cdrs
from portal.documents.service import describe_failure
from portal.extensions import db
from portal.foundations.database import commit_with_retries
from portal.foundations.errors import DeliveryFailed, ErrorCode, InvalidState, ServiceError
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import EmailDelivery, Invoice

log = logging.getLogger(__name__)


def request_invoice_email(
    invoice: Invoice,
    *,
    actor: Actor,
    **options: Unpack[EmailOptions],
) -> EmailDelivery:
    """Record a request to e-mail the invoice (status `queued`), for `send_email_job` to send.

    Every choice is checked now, as `email_invoice` checks it, so a refusal is shown at once.
    The caller commits, then enqueues `portal.delivery.tasks.enqueue_email(delivery.id)`.

    Raises PermissionDenied, InvalidState (not approved) and ValidationFailed exactly like `email_invoice`.
    """
    choices = approved_choices(invoice, actor, **options)
    stored = {
        "bill_style": choices.bill_style,
        "message": None if choices.template is DEFAULT_TEMPLATE else choices.template.name,
        "attachments": [a.name for a in choices.attachments],
        "usage_report_profile": choices.usage_report_profile.name if choices.usage_report_profile else None,
    }
    subject = render_text(choices.template.subject, placeholder_values(invoice, ""))
    return record_queued(
        invoice, kind="invoice", recipients=choices.recipients, subject=subject, options=stored, actor=actor
    )


def request_cdrs_email(invoice: Invoice, *, actor: Actor, recipients=None) -> EmailDelivery:
    """Record a request to e-mail the invoice's CDR file (status `queued`); the caller commits, then enqueues.

    Raises PermissionDenied, InvalidState (not approved; no CDRs) and ValidationFailed (field `email`).
    """
    require(actor, "invoice.email")
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    addresses = resolve_recipients(invoice, recipients)
    if not invoice_has_cdrs(invoice):
        raise InvalidState(NO_CDRS, code=ErrorCode.NO_CDRS)
    subject = render_text(CDRS_SUBJECT, placeholder_values(invoice, ""))
    return record_queued(invoice, kind="cdrs", recipients=addresses, subject=subject, options=None, actor=actor)


def retry_email(delivery: EmailDelivery, *, actor: Actor) -> EmailDelivery:
    """Queue a new request with the recipients and options of a failed (or stalled) one.

    A stalled request is marked failed first ("replaced by a retry"), so that a worker that
    picks it up late finds nothing to send. The caller commits, then enqueues the new request.

    Raises:
        PermissionDenied: the actor may not e-mail invoices.
        InvalidState: the request did not fail and is not stalled, or a later request of the same
            invoice and kind exists; the invoice is no longer approved.
        ValidationFailed: an option it used no longer exists (a deleted template or attachment).
    """
    require(actor, "invoice.email")
    if delivery.status != "failed" and not is_stalled(delivery):
        raise InvalidState("Only a failed or stalled e-mail can be retried")
    if is_followed(delivery):
        raise InvalidState("This e-mail was followed by a later one; see the delivery history")
    if delivery.status != "failed":
        record_request_failed(delivery, error="Stalled; replaced by a retry.", actor=actor)
    if delivery.kind == "cdrs":
        return request_cdrs_email(delivery.invoice, actor=actor, recipients=delivery.recipients)
    return request_invoice_email(delivery.invoice, actor=actor, **_stored_options(delivery))


def send_queued_email(delivery_id: int, *, last_try: bool) -> str:
    """One try at sending a queued e-mail request. Idempotent, and never sends one request twice.

    The try claims the request (`sending`, with the Message-ID it will carry) and composes the
    message (download link, PDF) in one transaction and commits it before handing the message
    to the mail server. A try that finds the request already `sending` cannot know whether the
    earlier one's message went out (it stopped after the claim: a crash, or the final record
    could not be committed), so it records the request as failed with that explanation instead
    of sending again: at most once, and never silently.

    Returns "gone", "already sent", "already failed", "claimed elsewhere", "outcome unknown"
    (recorded as failed), "sent" or "outbox", or "failed": the failure is recorded (status
    `failed`, the error, an audit event). A refusal that a retry cannot change (the invoice is
    no longer approved, an option vanished, the PDF cannot be made) fails at once.

    Raises:
        DeliveryFailed or any other error of a try that is not the last, after putting the
        request back to `queued` with the error and the try counted (the caller tries again).
    """
    delivery = db.session.get(EmailDelivery, delivery_id)
    if delivery is None:
        return "gone"
    if delivery.status in ("sent", "outbox"):
        return "already sent"
    if delivery.status == "failed":
        return "already failed"
    actor = Actor(delivery.created_by or SYSTEM.label)
    if delivery.status == "sending":
        error = (
            f"The outcome of an earlier try is unknown: it stopped after handing over message "
            f"{delivery.message_id} or just before. Check the mail server's log before retrying."
        )
        commit_with_retries(db.session, lambda: record_request_failed(_delivery(delivery_id), error=error, actor=actor))
        return "outcome unknown"
    message_id = mail.new_message_id()
    claimed = False  # committed as `sending`: from here on the message may go out
    try:
        if not claim_queued(delivery_id, message_id):
            db.session.rollback()
            return "claimed elsewhere"
        delivery = _delivery(delivery_id)
        db.session.refresh(delivery)
        composed = _compose_request(delivery)
        recipients = delivery.recipients.split(", ")
        db.session.commit()
        claimed = True
        mail.send_message(
            recipients, composed.subject, composed.text, composed.html, composed.files, message_id=message_id
        )
    except Exception as exc:
        db.session.rollback()
        error = exc.message if isinstance(exc, ServiceError) else describe_failure(exc)
        final = last_try or (isinstance(exc, ServiceError) and not isinstance(exc, DeliveryFailed))
        # A composition that failed rolled the claim back with it; the try still counts.
        commit_with_retries(
            db.session,
            lambda: record_failed_try(_delivery(delivery_id), error=error, final=final, counted=claimed, actor=actor),
        )
        if final:
            return "failed"
        log.warning("e-mail request %s failed, to be tried again: %s", delivery_id, error)
        raise
    status = "outbox" if mail.outbox_mode() else "sent"
    # Were this record lost, the request would stay `sending` and the next try would report it, not resend it.
    commit_with_retries(
        db.session,
        lambda: record_request_sent(
            _delivery(delivery_id), status=status, subject=composed.subject, actor=actor, **composed.details
        ),
    )
    return status


def _delivery(delivery_id: int) -> EmailDelivery:
    return db.session.get(EmailDelivery, delivery_id)


def _compose_request(delivery: EmailDelivery) -> ComposedEmail:
    invoice = delivery.invoice
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    actor = Actor(delivery.created_by or SYSTEM.label)
    if delivery.kind == "cdrs":
        return compose_cdrs_email(invoice)
    choices = validate_choices(invoice, **_stored_options(delivery))
    return compose_invoice_email(invoice, choices, actor=actor)


def _stored_options(delivery: EmailDelivery) -> EmailOptions:
    """The options of an invoice e-mail request as it stored them."""
    options = delivery.options or {}
    return EmailOptions(
        recipients=delivery.recipients,
        bill_style=options.get("bill_style"),
        message=options.get("message"),
        attachments=options.get("attachments") or (),
        usage_report_profile=options.get("usage_report_profile"),
    )
