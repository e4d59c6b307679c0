"""The choices of an invoice e-mail (recipients, bill style, message template, attachments, usage report),
checked all at once before anything is composed or queued."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict, Unpack

from sqlalchemy import func, select

from portal.delivery.message_templates import DEFAULT_TEMPLATE, TemplateText
from portal.delivery.recipients import resolve_recipients
from portal.extensions import db
from portal.foundations.errors import ErrorCode, FieldError, InvalidState, ValidationFailed
from portal.foundations.permissions import Actor, require
from portal.models import Attachment, BillStyle, Invoice, MessageTemplate, UsageReportProfile

NOT_APPROVED = "Invoice must be approved before it can be emailed"
BUILT_IN_BILL_STYLES = ("Full", "Summary")


class EmailOptions(TypedDict, total=False):
    """The options of an invoice e-mail as a face passes them and a queued request stores them (all by name)."""

    recipients: str | Iterable[str] | None
    bill_style: str | None
    message: str | None
    attachments: Iterable[str]
    usage_report_profile: str | None


@dataclass(frozen=True)
class EmailChoices:
    """The validated extras of one invoice e-mail."""

    recipients: list[str]
    bill_style: str | None
    template: TemplateText
    attachments: list[Attachment]
    usage_report_profile: UsageReportProfile | None


def approved_choices(invoice: Invoice, actor: Actor, **options: Unpack[EmailOptions]) -> EmailChoices:
    """The checks every invoice e-mail starts with: the actor may e-mail, the invoice is approved, the choices valid.

    Raises PermissionDenied, InvalidState (not approved) and ValidationFailed (validate_choices).
    """
    require(actor, "invoice.email")
    if not invoice.is_approved:
        raise InvalidState(NOT_APPROVED)
    return validate_choices(invoice, **options)


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
    stored = _named(MessageTemplate, message, "message", "message template", ErrorCode.UNKNOWN_MESSAGE_TEMPLATE, errors)
    template = (
        DEFAULT_TEMPLATE
        if stored is None
        else TemplateText(stored.name, stored.subject, stored.body_text, stored.body_html)
    )
    wanted = _names(attachments)
    found = {a.name: a for a in db.session.scalars(select(Attachment).where(Attachment.name.in_(wanted)))}
    errors.extend(
        FieldError("attachments", f"unknown attachment {name!r}", ErrorCode.UNKNOWN_ATTACHMENT)
        for name in wanted
        if name not in found
    )
    profile = _named(
        UsageReportProfile,
        usage_report_profile,
        "usage-report-profile",
        "usage report profile",
        ErrorCode.UNKNOWN_USAGE_REPORT_PROFILE,
        errors,
    )
    if errors:
        raise ValidationFailed(errors)
    return EmailChoices(addresses, style_name, template, [found[n] for n in wanted], profile)


def known_bill_styles() -> list[str]:
    """Names of the stored bill styles plus the built-in Full and Summary."""
    names = list(db.session.scalars(select(BillStyle.name).order_by(BillStyle.name)))
    return names + [n for n in BUILT_IN_BILL_STYLES if n not in names]


def _named(model, value, field: str, label: str, code: ErrorCode, errors: list[FieldError]):
    """The row of `model` named `value` (case-insensitive), None for a blank name; an unknown name adds an error."""
    name = _blank_to_none(value)
    if name is None:
        return None
    row = _by_name(model, name)
    if row is None:
        errors.append(FieldError(field, f"unknown {label} {name!r}", code))
    return row


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
