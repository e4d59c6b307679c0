"""E-mailing invoices and their CDR files to customers: one attempt, one EmailDelivery record, one audit event."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from portal import formatting
from portal.database import utcnow
from portal.delivery import mail
from portal.delivery.message_templates import DEFAULT_TEMPLATE, TemplateText, render_text
from portal.delivery.records import record_failure, record_sent
from portal.delivery.recipients import resolve_recipients
from portal.errors import DeliveryFailed, FieldError, InvalidState, ValidationFailed
from portal.extensions import db
from portal.models import Attachment, BillStyle, EmailDelivery, Invoice, MessageTemplate, UsageReportProfile
from portal.permissions import Actor, require

NOT_APPROVED = "Invoice must be approved before it can be emailed"
NO_CDRS = "No CDRs available for this invoice"
BUILT_IN_BILL_STYLES = ("Full", "Summary")
EMAIL_LINK_HOURS = 168


@dataclass(frozen=True)
class EmailChoices:
    """The validated extras of one invoice e-mail."""

    recipients: list[str]
    bill_style: str | None
    template: TemplateText
    attachments: list[Attachment]
    usage_report_profile: UsageReportProfile | None


def email_invoice(invoice: Invoice, *, actor: Actor, recipients=None, bill_style=None, message=None,
                  attachments=(), usage_report_profile=None) -> EmailDelivery:
    """E-mail an approved invoice with its PDF, an HTML + text body and a 7-day download link.

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
    require(actor, "invoice.email")
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    choices = validate_choices(invoice, recipients=recipients, bill_style=bill_style, message=message,
                               attachments=attachments, usage_report_profile=usage_report_profile)
    from portal.delivery.invoice_files import pdf_for_mail, usage_report_file

    files = [pdf_for_mail(invoice, choices.bill_style, actor=actor)]
    files += [(a.filename, a.content_type, a.data) for a in choices.attachments]
    if choices.usage_report_profile is not None:
        files.append(usage_report_file(invoice, choices.usage_report_profile))
    link_url = _mint_email_link(invoice, actor)
    values = placeholder_values(invoice, link_url)
    subject = render_text(choices.template.subject, values)
    text = render_text(choices.template.body_text, values)
    html = render_text(choices.template.body_html, values, html=True) if choices.template.body_html else None
    invoice_id = invoice.id
    try:
        message_id = mail.send_message(choices.recipients, subject, text, html, files)
    except DeliveryFailed as exc:
        failed = record_failure(invoice_id, kind="invoice", recipients=choices.recipients, subject=subject,
                                error=exc.message, actor=actor)
        exc.delivery = failed
        raise
    status = "outbox" if mail.outbox_mode() else "sent"
    invoice.emailed_at = utcnow()
    return record_sent(invoice, kind="invoice", recipients=choices.recipients, subject=subject, status=status,
                       message_id=message_id, actor=actor, template=choices.template.name,
                       attachments=[name for name, _type, _data in files])


def email_invoice_cdrs(invoice: Invoice, *, actor: Actor, recipients=None) -> EmailDelivery:
    """E-mail the CDR CSV of an approved invoice (stored as its `cdrs` document, created or replaced).

    Raises PermissionDenied, InvalidState (not approved; `No CDRs available for this invoice`),
    ValidationFailed (field `email`) and DeliveryFailed exactly like `email_invoice`.
    """
    require(actor, "invoice.email")
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    addresses = resolve_recipients(invoice, recipients)
    from portal.delivery.invoice_files import cdrs_file

    cdrs = cdrs_file(invoice)
    if cdrs is None:
        raise InvalidState(NO_CDRS)
    values = placeholder_values(invoice, "")
    subject = render_text("Call detail records of invoice {invoice_number} ({period})", values)
    text = render_text("Dear {customer},\n\nplease find attached the call detail records of invoice "
                       "{invoice_number} for {account}, period {period}.\n\nKind regards,\nBilling", values)
    invoice_id = invoice.id
    try:
        message_id = mail.send_message(addresses, subject, text, None, [cdrs])
    except DeliveryFailed as exc:
        exc.delivery = record_failure(invoice_id, kind="cdrs", recipients=addresses, subject=subject,
                                      error=exc.message, actor=actor)
        raise
    status = "outbox" if mail.outbox_mode() else "sent"
    return record_sent(invoice, kind="cdrs", recipients=addresses, subject=subject, status=status,
                       message_id=message_id, actor=actor, attachments=[cdrs[0]])


def validate_choices(invoice: Invoice, *, recipients=None, bill_style=None, message=None, attachments=(),
                     usage_report_profile=None) -> EmailChoices:
    """Check every option of an invoice e-mail at once; all problems are reported together."""
    errors: list[FieldError] = []
    try:
        addresses = resolve_recipients(invoice, recipients)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        addresses = []
    style_name = _blank_to_none(bill_style)
    if style_name is not None and style_name not in known_bill_styles():
        errors.append(FieldError("bill-style", f"unknown bill style {style_name!r}"))
    template = DEFAULT_TEMPLATE
    template_name = _blank_to_none(message)
    if template_name is not None:
        stored = _by_name(MessageTemplate, template_name)
        if stored is None:
            errors.append(FieldError("message", f"unknown message template {template_name!r}"))
        else:
            template = TemplateText(stored.name, stored.subject, stored.body_text, stored.body_html)
    wanted = _names(attachments)
    found = {a.name: a for a in db.session.scalars(select(Attachment).where(Attachment.name.in_(wanted)))}
    errors.extend(FieldError("attachments", f"unknown attachment {name!r}") for name in wanted if name not in found)
    profile = None
    profile_name = _blank_to_none(usage_report_profile)
    if profile_name is not None:
        profile = _by_name(UsageReportProfile, profile_name)
        if profile is None:
            errors.append(FieldError("usage-report-profile", f"unknown usage report profile {profile_name!r}"))
    if errors:
        raise ValidationFailed(errors)
    return EmailChoices(addresses, style_name, template, [found[n] for n in wanted], profile)


def known_bill_styles() -> list[str]:
    """Names of the stored bill styles plus the built-in Full and Summary."""
    names = list(db.session.scalars(select(BillStyle.name).order_by(BillStyle.name)))
    return names + [n for n in BUILT_IN_BILL_STYLES if n not in names]


def placeholder_values(invoice: Invoice, download_link: str) -> dict[str, str]:
    """The values of the message template placeholders for one invoice (English formatting)."""
    tz = invoice.account.timezone
    period = (f"{formatting.local_date(invoice.start_date, tz, 'en')} – "
              f"{formatting.period_end_date(invoice.end_date, tz, 'en')}")
    return {
        "customer": invoice.customer.name if invoice.customer else "",
        "invoice_number": invoice.invoice_number or "",
        "period": period,
        "total": formatting.money(invoice.total_amount, invoice.currency, "en"),
        "due_date": formatting.date(invoice.due_date, "en") if invoice.due_date else "",
        "download_link": download_link,
        "reference": invoice.reference or "",
        "account": invoice.account.name,
        # The operator brand that bills the customer: one install may serve several.
        "organization": invoice.organization.name if invoice.organization else "",
    }


def _mint_email_link(invoice: Invoice, actor: Actor) -> str:
    from portal.delivery.links import download_url, mint_download_link

    _link, token = mint_download_link(invoice, actor=actor, expires_in=dt.timedelta(hours=EMAIL_LINK_HOURS),
                                      max_uses=1, purpose="email")
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


