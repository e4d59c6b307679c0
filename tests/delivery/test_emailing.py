"""email_invoice / email_invoice_cdrs against a real loopback SMTP server: content, choices, refusals, failures,
retry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.delivery import templates_service as ts
from portal.delivery.emailing import email_invoice, email_invoice_cdrs
from portal.delivery.tasks import email_invoices
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import DeliveryFailed, InvalidState, PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, DownloadLink, EmailDelivery, InvoiceDocument
from tests.bulk import approved_invoices, calls
from tests.factories import AccountFactory
from tests.invoices import approved_invoice, make_invoice, pending_invoice  # noqa: F401 - pytest fixtures
from tests.smtp import free_port

CLERK = Actor("clerk@telco.example", kind="admin", level=3)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def stored_pdf(invoice) -> bytes:
    return db.session.scalars(
        select(InvoiceDocument.data).where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == "pdf")
    ).one()


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_invoice_arrives_with_headers_bodies_link_and_the_stored_pdf(app, smtp_server, approved_invoice):
    invoice = approved_invoice
    delivery = email_invoice(invoice, actor=CLERK)
    db.session.commit()

    [received] = smtp_server.messages
    msg = received.message
    contact = invoice.account.invoice_contacts[0].email
    assert received.rcpt_tos == [contact]
    assert msg["To"] == contact and msg["From"] == f"Billing <{app.config['MAIL_FROM']}>"
    assert msg["Subject"] == f"Invoice {invoice.invoice_number} for May 1, 2026 – May 31, 2026"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert ",\r\n\r\nPlease find attached invoice" in text and "<p>Please find attached" in html
    assert invoice.customer.name in text and invoice.invoice_number in html
    [link] = db.session.scalars(select(DownloadLink).where(DownloadLink.invoice_id == invoice.id)).all()
    assert (link.purpose, link.max_uses) == ("email", 1)
    assert dt.timedelta(hours=167) < link.expires_at - utcnow() <= dt.timedelta(hours=168)
    assert "/d/" in text and "/d/" in html
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == stored_pdf(invoice)
    assert invoice.invoice_number in pdf_text(pdf.get_content())

    assert (delivery.status, delivery.kind, delivery.recipients) == ("sent", "invoice", contact)
    assert invoice.emailed_at is not None
    assert (
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.invoice_id == invoice.id))
        .all()
        .count("invoice.emailed")
        == 1
    )


def test_customer_address_is_used_when_the_account_has_no_invoice_contacts(app, smtp_server, approved_invoice):
    approved_invoice.account.invoice_contacts.clear()
    db.session.commit()
    email_invoice(approved_invoice, actor=CLERK)
    assert smtp_server.messages[0].rcpt_tos == [approved_invoice.customer.email]


def test_given_addresses_replace_the_defaults_and_are_validated(app, smtp_server, approved_invoice):
    email_invoice(approved_invoice, actor=CLERK, recipients=["a@one.example; b@two.example", "c@three.example"])
    assert smtp_server.messages[0].rcpt_tos == ["a@one.example", "b@two.example", "c@three.example"]
    with pytest.raises(ValidationFailed) as exc:
        email_invoice(approved_invoice, actor=CLERK, recipients="ok@one.example, not-an-address")
    assert [e.field for e in exc.value.errors] == ["email"] and "not-an-address" in exc.value.message
    assert len(smtp_server.messages) == 1


def test_unknown_choices_are_reported_together_with_the_api_field_names(app, smtp_server, approved_invoice):
    with pytest.raises(ValidationFailed) as exc:
        email_invoice(
            approved_invoice,
            actor=CLERK,
            bill_style="Landscape",
            message="Nope",
            attachments=["Terms"],
            usage_report_profile="Daily",
        )
    assert [e.field for e in exc.value.errors] == ["bill-style", "message", "attachments", "usage-report-profile"]
    assert smtp_server.messages == []


def test_template_attachments_and_usage_report_are_used(app, smtp_server, approved_invoice):
    admin = Actor("boss@telco.example", kind="admin", level=4)
    ts.create_message_template(
        "Reminder", "Your bill {reference} ({total})", "Due {due_date} for {account}", actor=admin
    )
    ts.upload_attachment("Terms", "terms.pdf", PDF, actor=admin)
    ts.create_usage_report_profile("By network", "network", actor=admin)
    db.session.commit()
    email_invoice(
        approved_invoice, actor=CLERK, message="Reminder", attachments=["Terms"], usage_report_profile="By network"
    )
    msg = smtp_server.messages[0].message
    assert msg["Subject"].startswith(f"Your bill {approved_invoice.reference} (€")
    names = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert names["terms.pdf"] == PDF
    [usage] = [n for n in names if n.startswith("usage-networks-")]
    assert names[usage].splitlines()[0].startswith("direction,spent,country,network,calls")


def test_another_bill_style_is_rendered_for_the_mail_only(app, smtp_server, approved_invoice):
    before = stored_pdf(approved_invoice)
    email_invoice(approved_invoice, actor=CLERK, bill_style="Summary")
    [pdf] = list(smtp_server.messages[0].message.iter_attachments())
    assert pdf.get_content() != before and pdf.get_content().startswith(b"%PDF")
    assert stored_pdf(approved_invoice) == before


def test_only_approved_invoices_and_level_3(app, smtp_server, pending_invoice, approved_invoice):
    with pytest.raises(InvalidState, match="Invoice must be approved before it can be emailed"):
        email_invoice(pending_invoice, actor=CLERK)
    with pytest.raises(PermissionDenied, match="level 3"):
        email_invoice(approved_invoice, actor=Actor("x", kind="admin", level=2))
    assert smtp_server.messages == []


def test_refused_mail_is_recorded_kept_after_rollback_and_a_retry_succeeds(app, smtp_server, approved_invoice):
    invoice_id = approved_invoice.id
    smtp_server.handler.refuse_rcpt = "550 5.1.1 Mailbox unavailable"
    with pytest.raises(DeliveryFailed, match="550") as exc:
        email_invoice(approved_invoice, actor=CLERK)
    assert exc.value.delivery.status == "failed"
    db.session.rollback()  # what every caller does with an error

    [failed] = db.session.scalars(select(EmailDelivery).where(EmailDelivery.invoice_id == invoice_id)).all()
    assert failed.status == "failed" and "Mailbox unavailable" in failed.error
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invoice.email_failed")).one()
    invoice = db.session.get(type(approved_invoice), invoice_id)
    assert invoice.emailed_at is None
    assert db.session.scalars(select(DownloadLink).where(DownloadLink.invoice_id == invoice_id)).all() == []

    smtp_server.handler.refuse_rcpt = None
    retried = email_invoice(invoice, actor=CLERK)
    db.session.commit()
    assert retried.status == "sent" and invoice.emailed_at is not None
    assert len(smtp_server.messages) == 1
    statuses = db.session.scalars(
        select(EmailDelivery.status).where(EmailDelivery.invoice_id == invoice_id).order_by(EmailDelivery.id)
    ).all()
    assert statuses == ["failed", "sent"]


def test_no_server_listening_is_a_recorded_failure(app, approved_invoice):
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=3)
    try:
        with pytest.raises(DeliveryFailed, match="Could not send"):
            email_invoice(approved_invoice, actor=CLERK)
    finally:
        app.config["MAIL_HOST"] = None
    db.session.rollback()
    assert db.session.scalars(select(EmailDelivery.status)).all() == ["failed"]


def test_outbox_mode_records_an_outbox_delivery_and_writes_the_eml(app, outbox, approved_invoice):
    delivery = email_invoice(approved_invoice, actor=CLERK)
    assert delivery.status == "outbox"
    [path] = list(outbox.glob("*.eml"))
    assert approved_invoice.invoice_number.encode() in path.read_bytes()


def test_bulk_job_commits_each_invoice_and_reports_failures(app, smtp_server, session):
    good, pending = make_invoice("Approved"), make_invoice("Pending")
    result = email_invoices([good.id, pending.id, 424242], CLERK)
    assert result["sent"] == [good.id]
    assert [f["id"] for f in result["failed"]] == [pending.id, 424242]
    session.rollback()
    assert session.get(type(good), good.id).emailed_at is not None


def test_cdr_file_is_emailed_and_stored_as_the_cdrs_document(app, smtp_server, approved_invoice):
    delivery = email_invoice_cdrs(approved_invoice, actor=CLERK, recipients="ops@customer.example")
    db.session.commit()
    [received] = smtp_server.messages
    [csv_part] = list(received.message.iter_attachments())
    document = db.session.scalars(
        select(InvoiceDocument).where(InvoiceDocument.invoice_id == approved_invoice.id, InvoiceDocument.kind == "cdrs")
    ).one()
    sent = csv_part.get_payload(decode=True)
    assert sent.replace(b"\r\n", b"\n") == document.data.replace(b"\r\n", b"\n")
    assert document.data.count(b"\n") >= 2  # a header and the one call
    assert (delivery.kind, delivery.recipients) == ("cdrs", "ops@customer.example")


def test_cdr_mail_needs_cdrs(app, smtp_server):
    invoice = make_invoice("Approved")
    from portal.models import Cdr

    db.session.execute(Cdr.__table__.delete())
    db.session.commit()
    with pytest.raises(InvalidState, match="No CDRs available for this invoice"):
        email_invoice_cdrs(invoice, actor=CLERK)


def test_the_cdr_file_of_2500_calls_has_every_call(app, smtp_server):
    account = AccountFactory(timezone="UTC")
    [invoice] = approved_invoices(account, 1)
    calls(account, invoice.start_date, 2500)  # more than two read batches
    db.session.commit()
    email_invoice_cdrs(invoice, actor=CLERK, recipients="ops@customer.example")
    db.session.commit()
    [received] = smtp_server.messages
    [csv_part] = list(received.message.iter_attachments())
    lines = csv_part.get_payload(decode=True).decode("utf-8").splitlines()
    assert len(lines) == 2501
    assert lines[1].startswith("2020-01-01T00:00:00+00:00,+49300000000,+491500000000,")
    assert lines[-1].startswith("2020-01-01T00:20:49.500000+00:00,+49300002499,+491500002499,")
