"""Message templates, bill styles, attachments and usage report profiles: validation, permission, rendering."""

from __future__ import annotations

import pytest

from portal.delivery import templates_service as ts
from portal.delivery.message_templates import DEFAULT_TEMPLATE, render_text, template_problems
from portal.foundations.errors import PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, MessageTemplate

ADMIN = Actor("boss@telco.example", kind="admin", level=4)
LEVEL3 = Actor("clerk@telco.example", kind="admin", level=3)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def fields(exc):
    return sorted({(e.field, e.message) for e in exc.value.errors})


def test_message_template_is_stored_and_audited(app, session):
    template = ts.create_message_template(
        "Monthly", "Invoice {invoice_number}", "Hello {customer}", "<p>{total}</p>", actor=ADMIN
    )
    assert session.get(MessageTemplate, template.id).subject == "Invoice {invoice_number}"
    assert session.query(AuditEvent).filter_by(action="template.created").count() == 1


def test_unknown_placeholder_is_refused_when_saving(app):
    with pytest.raises(ValidationFailed) as exc:
        ts.create_message_template("Bad", "Invoice {number}", "Hello {customer.__class__}", "{", actor=ADMIN)
    fields_seen = {e.field for e in exc.value.errors}
    assert fields_seen == {"subject", "body-text", "body-html"}
    assert "unknown placeholder {number}" in exc.value.message


def test_blank_and_duplicate_names_are_refused(app):
    ts.create_message_template("Monthly", "s", "t", actor=ADMIN)
    with pytest.raises(ValidationFailed) as exc:
        ts.create_message_template("monthly", "", "", actor=ADMIN)
    assert fields(exc) == [
        ("body-text", "can't be blank"),
        ("name", "has already been taken"),
        ("subject", "can't be blank"),
    ]


def test_update_keeps_unchanged_fields_and_checks_placeholders(app):
    template = ts.create_message_template("Monthly", "s {invoice_number}", "t", actor=ADMIN)
    ts.update_message_template(template, actor=ADMIN, body_text="Due {due_date}")
    assert (template.subject, template.body_text) == ("s {invoice_number}", "Due {due_date}")
    with pytest.raises(ValidationFailed):
        ts.update_message_template(template, actor=ADMIN, subject="{nope}")


def test_level_3_may_not_manage_templates(app):
    with pytest.raises(PermissionDenied, match="level 4"):
        ts.create_message_template("Monthly", "s", "t", actor=LEVEL3)
    with pytest.raises(PermissionDenied):
        ts.upload_attachment("Terms", "terms.pdf", PDF, actor=LEVEL3)


def test_attachment_must_be_a_pdf_by_content_and_small(app):
    attachment = ts.upload_attachment("Terms", "C:\\docs\\terms.pdf", PDF, actor=ADMIN)
    assert (attachment.filename, attachment.size) == ("terms.pdf", len(PDF))
    with pytest.raises(ValidationFailed, match="must be a PDF"):
        ts.upload_attachment("Fake", "fake.pdf", b"MZ\x90\x00 not a pdf", actor=ADMIN)
    with pytest.raises(ValidationFailed, match="too large"):
        ts.upload_attachment("Huge", "huge.pdf", b"%PDF" + b"0" * ts.MAX_ATTACHMENT_BYTES, actor=ADMIN)
    with pytest.raises(ValidationFailed, match="file - can't be blank"):
        ts.upload_attachment("Empty", "e.pdf", b"", actor=ADMIN)


def test_bill_style_and_usage_profile_choices_are_checked(app):
    assert ts.create_bill_style("Compact", "summary", actor=ADMIN).layout == "summary"
    assert ts.create_usage_report_profile("By network", "network", actor=ADMIN).group_by == "network"
    with pytest.raises(ValidationFailed, match="layout - must be full or summary"):
        ts.create_bill_style("Odd", "landscape", actor=ADMIN)
    with pytest.raises(ValidationFailed, match="group-by - must be destination or network"):
        ts.create_usage_report_profile("Odd", "country", actor=ADMIN)


def test_delete_services_remove_rows(app, session):
    style = ts.create_bill_style("Compact", "summary", actor=ADMIN)
    profile = ts.create_usage_report_profile("By network", "network", actor=ADMIN)
    attachment = ts.upload_attachment("Terms", "terms.pdf", PDF, actor=ADMIN)
    template = ts.create_message_template("Monthly", "s", "t", actor=ADMIN)
    ts.delete_bill_style(style, actor=ADMIN)
    ts.delete_usage_report_profile(profile, actor=ADMIN)
    ts.delete_attachment(attachment, actor=ADMIN)
    ts.delete_message_template(template, actor=ADMIN)
    assert session.query(MessageTemplate).count() == 0


def test_rendering_escapes_html_and_leaves_unknown_placeholders_visible():
    values = {"customer": "Smith & <Sons>", "total": "€10.00"}
    assert render_text("{customer} owes {total} {unknown}", values) == "Smith & <Sons> owes €10.00 {unknown}"
    assert render_text("<b>{customer}</b>", values, html=True) == "<b>Smith &amp; &lt;Sons&gt;</b>"
    # A template edited outside the admin area with broken syntax is still sent, known names filled.
    assert render_text("{customer} {", values) == "Smith & <Sons> {"


def test_default_template_uses_only_known_placeholders():
    for text in (DEFAULT_TEMPLATE.subject, DEFAULT_TEMPLATE.body_text, DEFAULT_TEMPLATE.body_html):
        assert template_problems(text) == []


def test_a_bill_style_in_use_by_accounts_is_not_deleted(app, session):
    from portal.foundations.errors import InvalidState
    from portal.models import BillStyle
    from tests.factories import AccountFactory

    style = ts.create_bill_style("Compact", "summary", actor=ADMIN)
    account = AccountFactory(bill_style="Compact")
    session.flush()
    with pytest.raises(InvalidState, match="used by 1 account"):
        ts.delete_bill_style(style, actor=ADMIN)
    assert session.get(BillStyle, style.id) is not None
    account.bill_style = "Full"
    ts.delete_bill_style(style, actor=ADMIN)
    assert session.get(BillStyle, style.id) is None
