"""The templates page: message templates, bill styles, e-mail attachments and usage report profiles
(the rules live in portal.delivery.templates_service)."""

from __future__ import annotations

import io

from flask import redirect, render_template, send_file, url_for

from portal.admin import bp
from portal.admin.forms import ConfirmForm
from portal.admin.helpers import NOT_SAVED, commit_or_explain, current_actor, save_form, save_form_page
from portal.admin.template_forms import (
    PLACEHOLDER_HINT,
    AttachmentForm,
    BillStyleForm,
    MessageTemplateForm,
    UsageReportProfileForm,
)
from portal.customers.customers import get_row
from portal.delivery import templates_service as service
from portal.foundations.permissions import require
from portal.models import Attachment, BillStyle, MessageTemplate, UsageReportProfile
from portal.reading.admin_pages import named_rows

_ALIASES = {"body-text": "body_text", "body-html": "body_html", "group-by": "group_by"}


def _all(model):
    return named_rows(model)


def _page(status: int = 200, **forms):
    forms.setdefault("bill_style_form", BillStyleForm())
    forms.setdefault("attachment_form", AttachmentForm())
    forms.setdefault("profile_form", UsageReportProfileForm())
    return render_template(
        "admin/templates/list.html",
        templates=_all(MessageTemplate),
        styles=_all(BillStyle),
        attachments=_all(Attachment),
        profiles=_all(UsageReportProfile),
        confirm=ConfirmForm(),
        **forms,
    ), status


def _back(anchor: str):
    return redirect(url_for("admin.templates_list", _anchor=anchor), 303)


@bp.get("/templates")
def templates_list():
    return _page()


def _message_template_form(template: MessageTemplate | None, save, message):
    """The message template form (a new template when `template` is None), saved through `save(form)`, then
    the list. Every admin may look at a template; changing one, or starting a new one, needs the permission."""
    form = MessageTemplateForm(obj=template)
    if template is None or form.is_submitted():
        require(current_actor(), "template.write")
    context = {"confirm": ConfirmForm()} if template is not None else {}
    return save_form_page(
        form,
        lambda: save(form),
        message,
        "admin/templates/message_form.html",
        lambda _: url_for("admin.templates_list", _anchor="message-templates"),
        aliases=_ALIASES,
        template=template,
        hint=PLACEHOLDER_HINT,
        **context,
    )


@bp.route("/templates/messages/new", methods=["GET", "POST"])
def message_templates_create():
    return _message_template_form(
        None,
        lambda form: service.create_message_template(
            form.name.data, form.subject.data, form.body_text.data, form.body_html.data, actor=current_actor()
        ),
        lambda template: f"Message template {template.name} created.",
    )


@bp.route("/templates/messages/<int:template_id>", methods=["GET", "POST"])
def message_templates_edit(template_id: int):
    template = get_row(MessageTemplate, template_id, "message template")
    return _message_template_form(
        template,
        lambda form: service.update_message_template(
            template,
            name=form.name.data,
            subject=form.subject.data,
            body_text=form.body_text.data,
            body_html=form.body_html.data or "",
            actor=current_actor(),
        ),
        lambda _: f"Message template {template.name} saved.",
    )


def _delete(model, pk: int, label: str, delete, anchor: str):
    row = get_row(model, pk, label)
    if ConfirmForm().validate_on_submit():
        commit_or_explain(lambda: delete(row, actor=current_actor()), f"{label.capitalize()} {row.name} deleted.")
    return _back(anchor)


@bp.post("/templates/messages/<int:template_id>/delete")
def message_templates_delete(template_id: int):
    return _delete(
        MessageTemplate, template_id, "message template", service.delete_message_template, "message-templates"
    )


def _save(form, form_key: str, anchor: str, create, message):
    """Validate `form`, call one service through `create(form)`, commit once; errors go beside the fields."""
    if save_form(form, lambda: create(form), message, _ALIASES) is not NOT_SAVED:
        return _back(anchor)
    return _page(422, **{form_key: form})


@bp.post("/templates/bill-styles")
def bill_styles_create():
    return _save(
        BillStyleForm(),
        "bill_style_form",
        "bill-styles",
        lambda f: service.create_bill_style(f.name.data, f.layout.data, f.description.data, actor=current_actor()),
        lambda style: f"Bill style {style.name} created.",
    )


@bp.post("/templates/bill-styles/<int:style_id>/delete")
def bill_styles_delete(style_id: int):
    return _delete(BillStyle, style_id, "bill style", service.delete_bill_style, "bill-styles")


@bp.post("/templates/attachments")
def attachments_upload():
    def upload(form):
        file = form.file.data
        data = file.read(service.MAX_ATTACHMENT_BYTES + 1) if file else b""
        return service.upload_attachment(form.name.data, getattr(file, "filename", None), data, actor=current_actor())

    return _save(
        AttachmentForm(),
        "attachment_form",
        "attachments",
        upload,
        lambda attachment: f"Attachment {attachment.name} uploaded.",
    )


@bp.get("/templates/attachments/<int:attachment_id>")
def attachments_download(attachment_id: int):
    attachment = get_row(Attachment, attachment_id, "attachment")
    return send_file(
        io.BytesIO(attachment.data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )


@bp.post("/templates/attachments/<int:attachment_id>/delete")
def attachments_delete(attachment_id: int):
    return _delete(Attachment, attachment_id, "attachment", service.delete_attachment, "attachments")


@bp.post("/templates/usage-reports")
def usage_report_profiles_create():
    return _save(
        UsageReportProfileForm(),
        "profile_form",
        "usage-reports",
        lambda f: service.create_usage_report_profile(f.name.data, f.group_by.data, actor=current_actor()),
        lambda profile: f"Usage report profile {profile.name} created.",
    )


@bp.post("/templates/usage-reports/<int:profile_id>/delete")
def usage_report_profiles_delete(profile_id: int):
    return _delete(
        UsageReportProfile, profile_id, "usage report profile", service.delete_usage_report_profile, "usage-reports"
    )
