"""E-mailing invoices and their CDR files to customers: one attempt, one EmailDelivery record, one audit event."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext
from sqlalchemy import func, select

from portal import mail
from portal.delivery.invoice_files import cdrs_file, delivery_format_files, pdf_for_mail, usage_report_file
from portal.delivery.links import download_url, mint_download_link
from portal.delivery.message_templates import DEFAULT_TEMPLATE, TemplateText, in_current_language, render_text
from portal.delivery.recipients import resolve_recipients
from portal.delivery.records import (
    claim_queued,
    is_followed,
    is_stalled,
    record_failed_try,
    record_failure,
    record_queued,
    record_request_failed,
    record_request_sent,
    record_sent,
)
from portal.documents.csv import invoice_has_cdrs
from portal.documents.qr import payment_qr_data_uri
from portal.documents.service import describe_failure
from portal.extensions import db
from portal.foundations import formatting
from portal.foundations.database import commit_with_retries, utcnow
from portal.foundations.dates import local_date
from portal.foundations.errors import (
    DeliveryFailed,
    ErrorCode,
    FieldError,
    InvalidState,
    ServiceError,
    ValidationFailed,
)
from portal.foundations.i18n import N_, in_language
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Attachment, BillStyle, EmailDelivery, Invoice, MessageTemplate, UsageReportProfile
from portal.statement import Statement, build_statement

NOT_APPROVED = "Invoice must be approved before it can be emailed"
NO_CDRS = "No CDRs available for this invoice"
BUILT_IN_BILL_STYLES = ("Full", "Summary")
EMAIL_LINK_HOURS = 168
CDRS_SUBJECT = N_("Call detail records of invoice {invoice_number} ({period})")
CDRS_TEXT = N_(
    "Dear {customer},\n\nPlease find attached the call detail records of invoice {invoice_number} for "
    "{account}, period {period}.\n\nKind regards,\nBilling"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmailChoices:
    """The validated extras of one invoice e-mail."""

    recipients: list[str]
    bill_style: str | None
    template: TemplateText
    attachments: list[Attachment]
    usage_report_profile: UsageReportProfile | None


def email_invoice(
    invoice: Invoice,
    *,
    actor: Actor,
    recipients=None,
    bill_style=None,
    message=None,
    attachments=(),
    usage_report_profile=None,
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
    choices = _approved_choices(invoice, actor, recipients, bill_style, message, attachments, usage_report_profile)
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


@dataclass(frozen=True)
class ComposedEmail:
    """One e-mail ready to send: subject, bodies, files, and what its audit event notes."""

    subject: str
    text: str
    html: str | None
    files: list
    details: dict


def compose_invoice_email(invoice: Invoice, choices: EmailChoices, *, actor: Actor) -> ComposedEmail:
    """The invoice e-mail for validated choices: the PDF (rendered and stored first if missing), attachments,
    usage report, and a 7-day single-use download link minted for it (added to the session).

    Raises InvalidState when the PDF cannot be rendered.
    """
    files = [pdf_for_mail(invoice, choices.bill_style, actor=actor), *delivery_format_files(invoice)]
    files += [(a.filename, a.content_type, a.data) for a in choices.attachments]
    if choices.usage_report_profile is not None:
        files.append(usage_report_file(invoice, choices.usage_report_profile))
    link_url = _mint_email_link(invoice, actor)
    statement = build_statement(invoice, local_date(utcnow(), invoice.account.timezone))
    with in_language(customer_language(invoice)):
        template = in_current_language(choices.template)
        values = placeholder_values(invoice, link_url, statement)
        subject = render_text(template.subject, values)
        # The message's own words, then the statement and how to pay: the same figures as every other face.
        text = render_text(template.body_text, values) + "\n\n" + statement_text(statement)
        html = render_text(template.body_html, values, html=True) if template.body_html else None
        if html is not None:
            html += statement_html(statement)
    return ComposedEmail(
        subject,
        text,
        html,
        files,
        {"template": choices.template.name, "attachments": [name for name, _type, _data in files]},
    )


def compose_cdrs_email(invoice: Invoice) -> ComposedEmail:
    """The CDR e-mail of an invoice; its CSV is stored as the invoice's `cdrs` document (added to the session).

    Raises InvalidState when the invoice has no CDRs.
    """
    cdrs = cdrs_file(invoice)
    if cdrs is None:
        raise InvalidState(NO_CDRS, code=ErrorCode.NO_CDRS)
    with in_language(customer_language(invoice)):
        values = placeholder_values(invoice, "")
        subject = render_text(gettext(CDRS_SUBJECT), values)
        text = render_text(gettext(CDRS_TEXT), values)
    return ComposedEmail(subject, text, None, [cdrs], {"attachments": [cdrs[0]]})


def request_invoice_email(
    invoice: Invoice,
    *,
    actor: Actor,
    recipients=None,
    bill_style=None,
    message=None,
    attachments=(),
    usage_report_profile=None,
) -> EmailDelivery:
    """Record a request to e-mail the invoice (status `queued`), for `send_email_job` to send.

    Every choice is checked now, as `email_invoice` checks it, so a refusal is shown at once.
    The caller commits, then enqueues `portal.delivery.tasks.enqueue_email(delivery.id)`.

    Raises PermissionDenied, InvalidState (not approved) and ValidationFailed exactly like `email_invoice`.
    """
    choices = _approved_choices(invoice, actor, recipients, bill_style, message, attachments, usage_report_profile)
    options = {
        "bill_style": choices.bill_style,
        "message": None if choices.template is DEFAULT_TEMPLATE else choices.template.name,
        "attachments": [a.name for a in choices.attachments],
        "usage_report_profile": choices.usage_report_profile.name if choices.usage_report_profile else None,
    }
    subject = render_text(choices.template.subject, placeholder_values(invoice, ""))
    return record_queued(
        invoice, kind="invoice", recipients=choices.recipients, subject=subject, options=options, actor=actor
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
    options = delivery.options or {}
    if delivery.kind == "cdrs":
        return request_cdrs_email(delivery.invoice, actor=actor, recipients=delivery.recipients)
    return request_invoice_email(
        delivery.invoice,
        actor=actor,
        recipients=delivery.recipients,
        bill_style=options.get("bill_style"),
        message=options.get("message"),
        attachments=options.get("attachments") or (),
        usage_report_profile=options.get("usage_report_profile"),
    )


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
    options = delivery.options or {}
    choices = validate_choices(
        invoice,
        recipients=delivery.recipients,
        bill_style=options.get("bill_style"),
        message=options.get("message"),
        attachments=options.get("attachments") or (),
        usage_report_profile=options.get("usage_report_profile"),
    )
    return compose_invoice_email(invoice, choices, actor=actor)


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


def _approved_choices(
    invoice: Invoice, actor: Actor, recipients, bill_style, message, attachments, usage_report_profile
) -> EmailChoices:
    """The checks every invoice e-mail starts with: the actor may e-mail, the invoice is approved, the choices valid.

    Raises PermissionDenied, InvalidState (not approved) and ValidationFailed (validate_choices).
    """
    require(actor, "invoice.email")
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    return validate_choices(
        invoice,
        recipients=recipients,
        bill_style=bill_style,
        message=message,
        attachments=attachments,
        usage_report_profile=usage_report_profile,
    )


def validate_choices(
    invoice: Invoice, *, recipients=None, bill_style=None, message=None, attachments=(), usage_report_profile=None
) -> EmailChoices:
    """Check every option of an invoice e-mail at once; all problems are reported together."""
    errors: list[FieldError] = []
    try:
        addresses = resolve_recipients(invoice, recipients)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        addresses = []
    style_name = _blank_to_none(bill_style)
    if style_name is not None and style_name not in known_bill_styles():
        errors.append(FieldError("bill-style", f"unknown bill style {style_name!r}", ErrorCode.UNKNOWN_BILL_STYLE))
    template = DEFAULT_TEMPLATE
    template_name = _blank_to_none(message)
    if template_name is not None:
        stored = _by_name(MessageTemplate, template_name)
        if stored is None:
            errors.append(
                FieldError("message", f"unknown message template {template_name!r}", ErrorCode.UNKNOWN_MESSAGE_TEMPLATE)
            )
        else:
            template = TemplateText(stored.name, stored.subject, stored.body_text, stored.body_html)
    wanted = _names(attachments)
    found = {a.name: a for a in db.session.scalars(select(Attachment).where(Attachment.name.in_(wanted)))}
    errors.extend(
        FieldError("attachments", f"unknown attachment {name!r}", ErrorCode.UNKNOWN_ATTACHMENT)
        for name in wanted
        if name not in found
    )
    profile = None
    profile_name = _blank_to_none(usage_report_profile)
    if profile_name is not None:
        profile = _by_name(UsageReportProfile, profile_name)
        if profile is None:
            errors.append(
                FieldError(
                    "usage-report-profile",
                    f"unknown usage report profile {profile_name!r}",
                    ErrorCode.UNKNOWN_USAGE_REPORT_PROFILE,
                )
            )
    if errors:
        raise ValidationFailed(errors)
    return EmailChoices(addresses, style_name, template, [found[n] for n in wanted], profile)


def known_bill_styles() -> list[str]:
    """Names of the stored bill styles plus the built-in Full and Summary."""
    names = list(db.session.scalars(select(BillStyle.name).order_by(BillStyle.name)))
    return names + [n for n in BUILT_IN_BILL_STYLES if n not in names]


def customer_language(invoice: Invoice) -> str | None:
    """The language the invoice's customer reads its e-mails in."""
    return invoice.customer.language if invoice.customer is not None else None


def statement_text(statement: Statement) -> str:
    """The statement and payment instructions as the plain-text part of an invoice e-mail."""
    return render_template("delivery/email/statement.txt", st=statement)


def statement_html(statement: Statement) -> str:
    """The statement and payment instructions as HTML for an invoice e-mail (a GiroCode PNG for EUR)."""
    qr_uri = payment_qr_data_uri(statement.payment.epc_payload)
    return render_template("delivery/email/statement.html", st=statement, qr_uri=qr_uri)


def placeholder_values(invoice: Invoice, download_link: str, statement: Statement | None = None) -> dict[str, str]:
    """The values of the message template placeholders for one invoice, formatted in the current locale
    (the customer's language while an e-mail is composed); `total` is the statement's (its draft figure
    for an invoice not approved yet)."""
    tz = invoice.account.timezone
    period = (
        f"{formatting.local_date_text(invoice.start_date, tz)} – {formatting.period_end_date(invoice.end_date, tz)}"
    )
    return {
        "customer": invoice.customer.name if invoice.customer else "",
        "invoice_number": invoice.invoice_number or "",
        "period": period,
        "total": formatting.money(
            (statement or build_statement(invoice, local_date(utcnow(), tz))).total, invoice.currency
        ),
        "due_date": formatting.date(invoice.due_date) if invoice.due_date else "",
        "download_link": download_link,
        "reference": invoice.reference or "",
        "account": invoice.account.name,
        # The operator brand that bills the customer: one install may serve several.
        "organization": invoice.organization.name if invoice.organization else "",
    }


def _mint_email_link(invoice: Invoice, actor: Actor) -> str:
    _link, token = mint_download_link(
        invoice, actor=actor, expires_in=dt.timedelta(hours=EMAIL_LINK_HOURS), max_uses=1, purpose="email"
    )
    return download_url(token)


def _by_name(model, name: str):
    return db.session.scalars(select(model).where(func.lower(model.name) == name.lower())).first()


def _blank_to_none(value):
    if value is None:
        return None
    if not isinstance(value, str):
        value = getattr(value, "name", str(value))
    return value.strip() or None


def _names(values) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    names: list[str] = []
    for item in items:
        name = _blank_to_none(item)
        if name and name not in names:
            names.append(name)
    return names
