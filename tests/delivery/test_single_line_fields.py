"""Values that end up in mail headers are single lines: a line break is a field error wherever they are written
(services, admin forms), and a value stored before that rule still never reaches the email package with one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import mail
from portal.customers.accounts import create_account
from portal.customers.customers import add_contact, create_customer, update_customer
from portal.delivery import templates_service as ts
from portal.delivery.emailing import email_invoice
from portal.extensions import db
from portal.foundations.errors import ValidationFailed
from portal.foundations.permissions import Actor
from portal.foundations.text import SINGLE_LINE_MESSAGE, is_single_line, one_line
from portal.models import Account, Customer, EmailDelivery, MessageTemplate
from tests.admin.conftest import admin, admin_as  # noqa: F401 - fixtures
from tests.admin.test_customer_views import _account_form, field_error
from tests.factories import CustomerFactory
from tests.invoices import approved_invoice  # noqa: F401 - fixture

BOSS = Actor("boss@telco.example", kind="admin", level=5)
BREAKS = ["Acme\r\nBcc: victim@example.com", "Acme\nLtd", "Acme\rLtd", "Acme\u2028Ltd", "Acme\x0bLtd", "Acme\x1bLtd"]


def field_messages(exc) -> dict:
    return {e.field: e.message for e in exc.value.errors}


def test_single_line_rule_allows_tabs_and_unicode_and_refuses_every_line_break():
    assert is_single_line("Müller\tSøn & Co. — 東京")
    for text in BREAKS + ["\x85", "\u2029", "\x7f", "\x1c"]:
        assert not is_single_line(text), repr(text)
    assert one_line("Invoice 1\r\nBcc: x@y\n\nz") == "Invoice 1 Bcc: x@y z"


@pytest.mark.parametrize("subject", BREAKS, ids=repr)
def test_message_template_subject_with_a_line_break_is_refused(app, subject):
    with pytest.raises(ValidationFailed) as exc:
        ts.create_message_template("Monthly", subject, "Dear {customer}", actor=BOSS)
    assert field_messages(exc) == {"subject": SINGLE_LINE_MESSAGE}
    template = ts.create_message_template("Monthly", "Invoice {invoice_number}", "Dear {customer}", actor=BOSS)
    with pytest.raises(ValidationFailed) as exc:
        ts.update_message_template(template, actor=BOSS, subject=subject)
    assert field_messages(exc) == {"subject": SINGLE_LINE_MESSAGE}
    assert template.subject == "Invoice {invoice_number}"


def test_names_of_templates_styles_attachments_and_profiles_are_single_lines(app):
    bad = "Monthly\nBcc"
    for call in (
        lambda: ts.create_message_template(bad, "s", "t", actor=BOSS),
        lambda: ts.create_bill_style(bad, "full", actor=BOSS),
        lambda: ts.create_bill_style("Plain", "full", "one\ntwo", actor=BOSS),
        lambda: ts.upload_attachment(bad, "terms.pdf", b"%PDF-1.4 x", actor=BOSS),
        lambda: ts.create_usage_report_profile(bad, "network", actor=BOSS),
    ):
        with pytest.raises(ValidationFailed) as exc:
            call()
        assert SINGLE_LINE_MESSAGE in field_messages(exc).values()


@pytest.mark.parametrize("name", BREAKS, ids=repr)
def test_customer_account_and_contact_names_with_a_line_break_are_refused(app, session, name):
    with pytest.raises(ValidationFailed) as exc:
        create_customer(name=name)
    assert field_messages(exc) == {"name": SINGLE_LINE_MESSAGE}
    customer = CustomerFactory(name="Acme")
    with pytest.raises(ValidationFailed) as exc:
        update_customer(customer, name=name)
    assert field_messages(exc) == {"name": SINGLE_LINE_MESSAGE}
    assert customer.name == "Acme"
    with pytest.raises(ValidationFailed) as exc:
        create_account(customer, name=name, currency="EUR", timezone="UTC")
    assert field_messages(exc) == {"name": SINGLE_LINE_MESSAGE}
    with pytest.raises(ValidationFailed) as exc:
        add_contact(customer, email="ap@acme.example", name=name)
    assert field_messages(exc) == {"name": SINGLE_LINE_MESSAGE}


def test_a_customer_address_keeps_its_lines(app):
    customer = create_customer(name="Acme", address="1 Main Street\r\nBerlin")
    assert customer.address == "1 Main Street\r\nBerlin"


def test_message_template_form_shows_the_line_break_beside_the_subject(admin, session):
    data = {
        "name": "Monthly",
        "subject": "Invoice {invoice_number}\r\nBcc: victim@example.com",
        "body_text": "Dear {customer}",
    }
    response = admin.post_form("/admin/templates/messages/new", data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "subject") == SINGLE_LINE_MESSAGE
    assert session.scalar(select(MessageTemplate.id)) is None

    template = ts.create_message_template("Monthly", "Invoice {invoice_number}", "Dear {customer}", actor=BOSS)
    session.commit()
    response = admin.post_form(f"/admin/templates/messages/{template.id}", {**data, "subject": "Hi\nthere"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "subject") == SINGLE_LINE_MESSAGE
    session.expire_all()
    assert session.get(MessageTemplate, template.id).subject == "Invoice {invoice_number}"


def test_customer_account_and_contact_forms_show_the_line_break_beside_the_name(admin, session):
    customer = CustomerFactory(name="Acme")
    session.commit()
    bad = "Acme\r\nBcc: victim@example.com"
    response = admin.post_form(
        f"/admin/customers/{customer.id}/edit", {"name": bad, "country_code": "DE", "payment_method": "Card"}
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == SINGLE_LINE_MESSAGE
    response = admin.post_form(f"/admin/customers/{customer.id}/accounts/new", _account_form(name=bad))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == SINGLE_LINE_MESSAGE
    response = admin.post_form(f"/admin/customers/{customer.id}/contacts", {"email": "ap@acme.example", "name": bad})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == SINGLE_LINE_MESSAGE
    session.expire_all()
    assert session.get(Customer, customer.id).name == "Acme"
    assert session.scalar(select(Account.id)) is None and not session.get(Customer, customer.id).contacts


def test_a_line_break_stored_before_the_rule_never_reaches_the_mail_headers(app, smtp_server, approved_invoice):
    invoice = approved_invoice
    # Written straight to the row, as data stored before names had to be single lines.
    invoice.customer.name = "Acme\r\nBcc: victim@example.com"
    ts.create_message_template("Named", "Invoice {invoice_number} for {customer}", "Dear {customer}", actor=BOSS)
    db.session.commit()
    delivery = email_invoice(invoice, actor=BOSS, message="Named")
    db.session.commit()
    [received] = smtp_server.messages
    assert received.message["Subject"] == f"Invoice {invoice.invoice_number} for Acme Bcc: victim@example.com"
    assert received.message["Bcc"] is None
    assert "victim@example.com" not in received.rcpt_tos
    assert db.session.get(EmailDelivery, delivery.id).status == "sent"


def test_build_message_puts_every_header_on_one_line(app):
    app.config["MAIL_FROM"], saved = "Billing\r\n <billing@telco.example>", app.config["MAIL_FROM"]
    try:
        msg = mail.build_message(
            ["a@example.com"],
            "Invoice 1\r\nBcc: x@example.com",
            "text",
            attachments=[("inv\n1.pdf", "application/pdf", b"%PDF")],
        )
    finally:
        app.config["MAIL_FROM"] = saved
    assert msg["Subject"] == "Invoice 1 Bcc: x@example.com" and msg["Bcc"] is None
    assert "\n" not in msg["From"] and "\r" not in msg["From"]
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "inv 1.pdf"
    assert msg.as_bytes()  # serializes: nothing the email package refuses
