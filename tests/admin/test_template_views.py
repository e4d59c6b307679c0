"""The templates page: message templates, bill styles, attachments and usage report profiles with their errors."""

from __future__ import annotations

import io

from sqlalchemy import select

from portal.models import Attachment, BillStyle, MessageTemplate, UsageReportProfile
from tests.admin.test_customer_views import field_error

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_templates_page_lists_everything(admin, session):
    session.add_all(
        [
            MessageTemplate(name="Monthly", subject="Invoice {invoice_number}", body_text="Hi"),
            BillStyle(name="Branded", layout="summary"),
            UsageReportProfile(name="By net", group_by="network"),
            Attachment(name="Terms", filename="terms.pdf", data=PDF, size=len(PDF)),
        ]
    )
    session.commit()
    html = admin.get("/admin/templates").get_data(as_text=True)
    for text in ("Monthly", "Branded", "By net", "Terms"):
        assert text in html


def test_message_template_create_edit_and_placeholder_errors(admin, session):
    bad = admin.post_form(
        "/admin/templates/messages/new", {"name": "Monthly", "subject": "Invoice {nope}", "body_text": ""}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert field_error(html, "body_text") == "can't be blank"
    unknown = admin.post_form(
        "/admin/templates/messages/new", {"name": "Monthly", "subject": "Invoice {nope}", "body_text": "Hi"}
    )
    assert unknown.status_code == 422
    assert "nope" in (field_error(unknown.get_data(as_text=True), "subject") or "")
    ok = admin.post_form(
        "/admin/templates/messages/new",
        {"name": "Monthly", "subject": "Invoice {invoice_number}", "body_text": "Dear {customer}"},
    )
    assert ok.status_code == 303
    template = session.scalars(select(MessageTemplate)).one()
    saved = admin.post_form(
        f"/admin/templates/messages/{template.id}",
        {"name": "Monthly", "subject": "Your invoice {invoice_number}", "body_text": "Hello"},
    )
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(MessageTemplate, template.id).subject == "Your invoice {invoice_number}"
    admin.post_form(f"/admin/templates/messages/{template.id}/delete")
    session.expire_all()
    assert session.get(MessageTemplate, template.id) is None


def test_bill_style_and_usage_profile_errors_and_creation(admin, session):
    bad = admin.post_form("/admin/templates/bill-styles", {"name": "Branded", "layout": "poster"})
    assert (
        bad.status_code == 422
        and field_error(bad.get_data(as_text=True), "bill-style-layout") == "must be full or summary"
    )
    assert admin.post_form("/admin/templates/bill-styles", {"name": "Branded", "layout": "summary"}).status_code == 303
    taken = admin.post_form("/admin/templates/bill-styles", {"name": "branded", "layout": "full"})
    assert field_error(taken.get_data(as_text=True), "bill-style-name") == "has already been taken"
    bad = admin.post_form("/admin/templates/usage-reports", {"name": "X", "group_by": "colour"})
    assert field_error(bad.get_data(as_text=True), "profile-group_by") == "must be destination or network"
    assert admin.post_form("/admin/templates/usage-reports", {"name": "X", "group_by": "network"}).status_code == 303
    assert session.scalars(select(BillStyle.name)).all() == ["Branded"]
    assert session.scalars(select(UsageReportProfile.group_by)).all() == ["network"]


def test_attachment_upload_only_takes_pdfs_and_can_be_downloaded(admin, session):
    bad = admin.post_form(
        "/admin/templates/attachments",
        {"name": "Terms", "file": (io.BytesIO(b"MZ not a pdf"), "terms.pdf")},
        content_type="multipart/form-data",
    )
    assert (
        bad.status_code == 422
        and field_error(bad.get_data(as_text=True), "attachment-file") == "must be a PDF document"
    )
    ok = admin.post_form(
        "/admin/templates/attachments",
        {"name": "Terms", "file": (io.BytesIO(PDF), "terms.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303
    attachment = session.scalars(select(Attachment)).one()
    download = admin.get(f"/admin/templates/attachments/{attachment.id}")
    assert download.data == PDF and download.mimetype == "application/pdf"


def test_template_writes_need_level_4(admin_as, session):
    clerk = admin_as(3)
    response = clerk.post_form("/admin/templates/bill-styles", {"name": "Branded", "layout": "full"})
    assert response.status_code == 403 and "needs expert level 4" in response.get_data(as_text=True)
    assert clerk.get("/admin/templates/messages/new").status_code == 403
    assert clerk.get("/admin/templates").status_code == 200


def test_deleting_a_bill_style_in_use_explains_why_and_keeps_it(admin, session):
    from tests.factories import AccountFactory

    assert admin.post_form("/admin/templates/bill-styles", {"name": "Branded", "layout": "summary"}).status_code == 303
    style = session.scalars(select(BillStyle)).one()
    AccountFactory(bill_style="Branded")
    session.commit()
    answer = admin.post_form(f"/admin/templates/bill-styles/{style.id}/delete")
    assert answer.status_code == 303
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Bill style Branded is used by 1 account; give them another bill style first." in page
    session.expire_all()
    assert session.scalars(select(BillStyle.name)).all() == ["Branded"]
