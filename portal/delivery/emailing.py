"""E-mailing invoices and their CDR files to customers now: one attempt, one EmailDelivery record, one audit event.

The synchronous sends of the APIs; the queued requests of the admin pages are in `email_queue`."""

from __future__ import annotations

from typing import Unpack

from portal import mail
from portal.delivery.email_choices import NOT_APPROVED, EmailOptions, approved_choices
from portal.delivery.email_compose import compose_cdrs_email, compose_invoice_email
from portal.delivery.recipients import resolve_recipients
from portal.delivery.records import record_failure, record_sent
from portal.foundations.database import utcnow
from portal.foundations.errors import DeliveryFailed, InvalidState
from portal.foundations.permissions import Actor, require
from portal.models import EmailDelivery, Invoice


def email_invoice(
    invoice: Invoice,
    *,
    actor: Actor,
    **options: Unpack[EmailOptions],
) -> EmailDelivery:
    """E-mail an approved invoice with its PDF, an HTML + text body and a 7-day download link, now.

    The synchronous send of the APIs; the admin pages queue a request instead
    (`request_invoice_email`, sent by `send_queued_email`).

    Args:
        recipients: None (the account's invoice contacts, else the customer's address), a list
            of addresses and/or comma/semicolon-separated strings.
        bill_style: name of the bill style of the attached PDF (default: the stored PDF's).
        message: name of the message template (default: the built-in template).
        attachments: names of uploaded attachments to add.
        usage_report_profile: name of a usage report profile; its CSV is attached.

    Returns the EmailDelivery (status `sent`, or `outbox` without SMTP); `invoice.emailed_at`
    is set. The caller commits.

    Raises:
        PermissionDenied: the actor may not e-mail invoices ("invoice.email").
        InvalidState: the invoice is not approved.
        ValidationFailed: fields `email`, `bill-style`, `message`, `attachments`,
            `usage-report-profile` (unknown names, invalid addresses).
        DeliveryFailed: sending failed. The session's transaction has been rolled back, the
            invoice is unchanged, and a `failed` EmailDelivery with the error is committed;
            calling again retries.
    """
    choices = approved_choices(invoice, actor, **options)
    composed = compose_invoice_email(invoice, choices, actor=actor)
    invoice_id = invoice.id
    try:
        message_id = mail.send_message(
            choices.recipients, composed.subject, composed.text, composed.html, composed.files
        )
    except DeliveryFailed as exc:
        failed = record_failure(
            invoice_id,
            kind="invoice",
            recipients=choices.recipients,
            subject=composed.subject,
            error=exc.message,
            actor=actor,
        )
        exc.delivery = failed
        raise
    status = "outbox" if mail.outbox_mode() else "sent"
    invoice.emailed_at = utcnow()
    return record_sent(
        invoice,
        kind="invoice",
        recipients=choices.recipients,
        subject=composed.subject,
        status=status,
        message_id=message_id,
        actor=actor,
        **composed.details,
    )


def email_invoice_cdrs(invoice: Invoice, *, actor: Actor, recipients=None) -> EmailDelivery:
    """E-mail the CDR CSV of an approved invoice (stored as its `cdrs` document, created or replaced), now.

    Raises PermissionDenied, InvalidState (not approved; `No CDRs available for this invoice`),
    ValidationFailed (field `email`) and DeliveryFailed exactly like `email_invoice`.
    """
    require(actor, "invoice.email")
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    addresses = resolve_recipients(invoice, recipients)
    composed = compose_cdrs_email(invoice)
    invoice_id = invoice.id
    try:
        message_id = mail.send_message(addresses, composed.subject, composed.text, None, composed.files)
    except DeliveryFailed as exc:
        exc.delivery = record_failure(
            invoice_id, kind="cdrs", recipients=addresses, subject=composed.subject, error=exc.message, actor=actor
        )
        raise
    status = "outbox" if mail.outbox_mode() else "sent"
    return record_sent(
        invoice,
        kind="cdrs",
        recipients=addresses,
        subject=composed.subject,
        status=status,
        message_id=message_id,
        actor=actor,
        **composed.details,
    )
