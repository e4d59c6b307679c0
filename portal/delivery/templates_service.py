"""Managing what invoice e-mails are made of: message templates, bill styles, attachments, usage report profiles.

Every function requires "template.write", adds and flushes, records an audit event; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit import add_recorded, delete_recorded, record_event
from portal.delivery.message_templates import template_problems
from portal.extensions import db
from portal.foundations.errors import FieldError, InvalidState, ValidationFailed
from portal.foundations.permissions import Actor, require
from portal.foundations.text import SINGLE_LINE_MESSAGE, is_single_line
from portal.models import Account, Attachment, BillStyle, MessageTemplate, UsageReportProfile

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
BILL_STYLE_LAYOUTS = ("full", "summary")
USAGE_REPORT_GROUPINGS = ("destination", "network")


def _name(value, errors: list[FieldError], model, *, max_length: int, exclude_id: int | None = None) -> str:
    name = (value or "").strip()
    if not name:
        errors.append(FieldError("name", "can't be blank"))
    elif len(name) > max_length:
        errors.append(FieldError("name", f"is too long (at most {max_length} characters)"))
    elif not is_single_line(name):
        errors.append(FieldError("name", SINGLE_LINE_MESSAGE))
    else:
        stmt = select(model.id).where(func.lower(model.name) == name.lower())
        if exclude_id is not None:
            stmt = stmt.where(model.id != exclude_id)
        if db.session.scalars(stmt).first() is not None:
            errors.append(FieldError("name", "has already been taken"))
    return name


def _template_fields(subject, body_text, body_html, errors: list[FieldError]) -> tuple[str, str, str | None]:
    subject = (subject or "").strip()
    body_text = (body_text or "").strip()
    body_html = (body_html or "").strip() or None
    if not subject:
        errors.append(FieldError("subject", "can't be blank"))
    elif len(subject) > 200:
        errors.append(FieldError("subject", "is too long (at most 200 characters)"))
    elif not is_single_line(subject):
        # The subject becomes a mail header, where a line break would end it (and start another).
        errors.append(FieldError("subject", SINGLE_LINE_MESSAGE))
    if not body_text:
        errors.append(FieldError("body-text", "can't be blank"))
    for field, text in (("subject", subject), ("body-text", body_text), ("body-html", body_html)):
        errors.extend(FieldError(field, problem) for problem in template_problems(text))
    return subject, body_text, body_html


def create_message_template(name, subject, body_text, body_html=None, *, actor: Actor) -> MessageTemplate:
    """Store a message template after checking its placeholders.

    The name and the subject must be single lines (the subject becomes the mail's Subject header).

    Raises ValidationFailed (fields name, subject, body-text, body-html) or PermissionDenied.
    """
    require(actor, "template.write")
    errors: list[FieldError] = []
    name = _name(name, errors, MessageTemplate, max_length=100)
    subject, body_text, body_html = _template_fields(subject, body_text, body_html, errors)
    if errors:
        raise ValidationFailed(errors)
    template = MessageTemplate(name=name, subject=subject, body_text=body_text, body_html=body_html)
    _add_named(template, "template.created", actor)
    return template


def update_message_template(
    template: MessageTemplate, *, actor: Actor, name=None, subject=None, body_text=None, body_html=None
) -> MessageTemplate:
    """Change a message template; arguments left None keep their value. Same errors as create."""
    require(actor, "template.write")
    errors: list[FieldError] = []
    new_name = _name(
        template.name if name is None else name, errors, MessageTemplate, max_length=100, exclude_id=template.id
    )
    subject, body_text, body_html = _template_fields(
        template.subject if subject is None else subject,
        template.body_text if body_text is None else body_text,
        template.body_html if body_html is None else body_html,
        errors,
    )
    if errors:
        raise ValidationFailed(errors)
    template.name, template.subject, template.body_text, template.body_html = new_name, subject, body_text, body_html
    record_event(actor, "template.updated", template, name=new_name)
    db.session.flush()
    return template


def delete_message_template(template: MessageTemplate, *, actor: Actor) -> None:
    """Delete a message template (e-mails already sent keep their text)."""
    _delete_named(template, "template.deleted", actor)


def create_bill_style(name, layout="full", description=None, *, actor: Actor) -> BillStyle:
    """Store a named bill style with layout `full` (destination tables) or `summary`.

    Raises ValidationFailed (fields name, layout) or PermissionDenied.
    """
    require(actor, "template.write")
    errors: list[FieldError] = []
    name = _name(name, errors, BillStyle, max_length=40)
    layout = _choice(layout, BILL_STYLE_LAYOUTS, "layout", errors)
    description = (description or "").strip() or None
    if description and len(description) > 200:
        errors.append(FieldError("description", "is too long (at most 200 characters)"))
    elif description and not is_single_line(description):
        errors.append(FieldError("description", SINGLE_LINE_MESSAGE))
    if errors:
        raise ValidationFailed(errors)
    style = BillStyle(name=name, layout=layout, description=description)
    _add_named(style, "bill_style.created", actor, layout=layout)
    return style


def delete_bill_style(style: BillStyle, *, actor: Actor) -> None:
    """Delete a bill style (invoices keep the name they were rendered with).

    Raises InvalidState while accounts still use it: their next invoice would name a style that no
    longer exists, and their settings form would refuse to save until someone picked another.
    """
    require(actor, "template.write")
    users = db.session.scalar(select(func.count()).select_from(Account).where(Account.bill_style == style.name))
    if users:
        raise InvalidState(
            f"Bill style {style.name} is used by {users} account{'s' if users != 1 else ''}; "
            "give them another bill style first."
        )
    _delete_named(style, "bill_style.deleted", actor)


def upload_attachment(name, filename, data: bytes, *, actor: Actor) -> Attachment:
    """Store an uploaded PDF under a name admins pick when e-mailing invoices.

    Raises ValidationFailed: `name` blank/taken, `file` missing, not a PDF (checked by its
    `%PDF` magic bytes, not its name) or larger than 5 MiB.
    """
    require(actor, "template.write")
    errors: list[FieldError] = []
    name = _name(name, errors, Attachment, max_length=100)
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or None
    if not data:
        errors.append(FieldError("file", "can't be blank"))
    elif len(data) > MAX_ATTACHMENT_BYTES:
        errors.append(FieldError("file", f"is too large (at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB)"))
    elif not data.startswith(b"%PDF"):
        errors.append(FieldError("file", "must be a PDF document"))
    if errors:
        raise ValidationFailed(errors)
    if not filename or not filename.lower().endswith(".pdf"):
        filename = (filename or name).rsplit(".", 1)[0] + ".pdf"
    attachment = Attachment(
        name=name, filename=filename[:200], content_type="application/pdf", data=data, size=len(data)
    )
    _add_named(attachment, "attachment.uploaded", actor, size=len(data))
    return attachment


def delete_attachment(attachment: Attachment, *, actor: Actor) -> None:
    """Delete an uploaded attachment."""
    _delete_named(attachment, "attachment.deleted", actor)


def create_usage_report_profile(name, group_by="destination", *, actor: Actor) -> UsageReportProfile:
    """Store a usage report profile: a CSV grouped by `destination` or `network`.

    Raises ValidationFailed (fields name, group-by) or PermissionDenied.
    """
    require(actor, "template.write")
    errors: list[FieldError] = []
    name = _name(name, errors, UsageReportProfile, max_length=100)
    group_by = _choice(group_by, USAGE_REPORT_GROUPINGS, "group-by", errors)
    if errors:
        raise ValidationFailed(errors)
    profile = UsageReportProfile(name=name, group_by=group_by)
    _add_named(profile, "usage_report_profile.created", actor, group_by=group_by)
    return profile


def usage_report_profile_names() -> list[str]:
    """Names of the stored usage report profiles, sorted: the values an invoice's usage report may name."""
    return list(db.session.scalars(select(UsageReportProfile.name).order_by(UsageReportProfile.name)))


def delete_usage_report_profile(profile: UsageReportProfile, *, actor: Actor) -> None:
    """Delete a usage report profile."""
    _delete_named(profile, "usage_report_profile.deleted", actor)


def _choice(value, allowed: tuple[str, ...], field: str, errors: list[FieldError]) -> str:
    """`value` trimmed and lower-cased; one outside `allowed` adds an error for `field`."""
    value = (value or "").strip().lower()
    if value not in allowed:
        errors.append(FieldError(field, f"must be {' or '.join(allowed)}"))
    return value


def _add_named(row, event: str, actor: Actor, **details) -> None:
    """Add a new named row and record `event` with its name and `details`."""
    add_recorded(actor, event, row, name=row.name, **details)


def _delete_named(row, event: str, actor: Actor) -> None:
    """Delete one of the named e-mail settings rows, recording who did it."""
    require(actor, "template.write")
    delete_recorded(actor, event, row, name=row.name)
