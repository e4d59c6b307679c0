"""Forms of the templates page: message templates, bill styles, attachments, usage report profiles."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.delivery.message_templates import PLACEHOLDERS
from portal.forms import PortalForm, choices

PLACEHOLDER_HINT = "Placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)


class MessageTemplateForm(PortalForm):
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=100)])
    subject = StringField("Subject", validators=[InputRequired(message="can't be blank"), Length(max=200)])
    body_text = TextAreaField("Text body", validators=[InputRequired(message="can't be blank")])
    body_html = TextAreaField("HTML body (optional)", validators=[Optional()])


class BillStyleForm(PortalForm):
    id_prefix = "bill-style-"
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=40)])
    layout = SelectField(
        "Layout",
        validate_choice=False,
        choices=choices([("full", "Full (with destination tables)"), ("summary", "Summary")]),
    )
    description = StringField("Description", validators=[Optional(), Length(max=200)])


class AttachmentForm(PortalForm):
    id_prefix = "attachment-"
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=100)])
    file = FileField("PDF file")


class UsageReportProfileForm(PortalForm):
    id_prefix = "profile-"
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=100)])
    group_by = SelectField(
        "Group by", choices=choices([("destination", "destination"), ("network", "network")]), validate_choice=False
    )
