"""Every admin invoice action through its view: success message, refusals by level (403) and by state."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from portal.delivery.links import DEFAULT_LINK_EXPIRY_HOURS
from portal.models import DownloadLink, EmailDelivery, Invoice, Payment
from tests.admin.conftest import post
from tests.invoices import make_invoice


def act(client, invoice, action, data=None):
    return post(client, f"/admin/invoices/{invoice.id}/{action}", data, follow_redirects=True)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "action, level, state",
    [
        ("approve", 3, "Pending"),
        ("delete", 4, "Pending"),
        ("refill", 2, "Pending"),
        ("reapply-discounts", 2, "Pending"),
        ("recreate", 3, "Approved"),
        ("email", 3, "Approved"),
        ("email-cdrs", 3, "Approved"),
        ("payments", 3, "Approved"),
        ("links", 3, "Approved"),
        ("delivered", 3, "Approved"),
    ],
)
def test_each_action_below_its_level_is_a_403_naming_the_level(app, admin_client, action, level, state):
    invoice = make_invoice(state)
    response = post(
        admin_client(level - 1), f"/admin/invoices/{invoice.id}/{action}", {"amount": "1", "paid_on": "2026-06-01"}
    )
    assert response.status_code == 403
    assert f"needs expert level {level}" in text(response)


def test_detail_page_shows_what_the_admin_needs(app, admin_client, session):
    invoice = make_invoice("Approved")
    body = text(admin_client(1).get(f"/admin/invoices/{invoice.id}"))
    for expected in (
        invoice.invoice_number,
        "Spent and earned",
        "Delivery history",
        "Download links",
        "Payments",
        "Audit trail",
        "invoice.approved",
        invoice.account.invoice_contacts[0].email,
    ):
        assert expected in body
    assert "Xero" not in body  # the module is disabled
    assert client_get_missing(admin_client(1)) == 404


def client_get_missing(client) -> int:
    return client.get("/admin/invoices/987654").status_code


def test_approve_pending_and_refuse_approved(app, admin_client, session):
    invoice = make_invoice("Pending")
    client = admin_client(3)
    body = text(act(client, invoice, "approve"))
    session.expire_all()
    assert f"Invoice approved as {invoice.invoice_number}." in body
    assert "Invoice already approved" in text(act(client, invoice, "approve"))


def test_delete_only_unapproved(app, admin_client, session):
    pending, approved = make_invoice("Pending"), make_invoice("Approved")
    client = admin_client(4)
    assert "deleted." in text(act(client, pending, "delete", {"confirmed": "yes"}))
    assert session.get(Invoice, pending.id) is None
    assert "Approved invoice can&#39;t be deleted" in text(act(client, approved, "delete"))


def test_delete_without_confirmation_asks_on_a_page_of_its_own_and_deletes_nothing(app, admin_client, session):
    invoice = make_invoice("Pending")
    client = admin_client(4)
    response = act(client, invoice, "delete")
    assert response.status_code == 200
    assert f"Delete invoice {invoice.reference}?" in text(response)
    assert 'name="confirmed" value="yes"' in text(response)
    session.expire_all()
    assert session.get(Invoice, invoice.id) is not None
    assert "deleted." in text(act(client, invoice, "delete", {"confirmed": "yes"}))
    assert session.get(Invoice, invoice.id) is None


def test_refill_and_reapply_only_before_approval(app, admin_client):
    pending, approved = make_invoice("Pending"), make_invoice("Approved")
    client = admin_client(2)
    assert "Call transactions updated" in text(act(client, pending, "refill"))
    assert "Discount plans reapplied." in text(act(client, pending, "reapply-discounts"))
    assert "can only be updated on invoices that are not approved" in text(act(client, approved, "refill"))
    assert "can only be reapplied to pending invoices" in text(act(client, approved, "reapply-discounts"))


def test_record_payment_and_its_errors(app, admin_client, session):
    invoice = make_invoice("Approved")
    client = admin_client(3)
    body = text(act(client, invoice, "payments", {"amount": "1.00", "paid_on": "2026-06-01", "method": "Wire"}))
    assert "Payment of 1.000000 recorded." in body
    assert session.scalars(select(Payment)).one().method == "Wire"
    body = text(act(client, invoice, "payments", {"amount": "-3", "paid_on": "tomorrow"}))
    assert "amount - must be greater than 0" in body and "paid-on - is invalid" in body


def test_mark_delivered(app, admin_client, session):
    invoice = make_invoice("Approved")
    client = admin_client(3)
    assert "marked delivered (by hand)" in text(act(client, invoice, "delivered", {"how": "by hand"}))
    session.expire_all()
    assert invoice.marked_delivered_at is not None
    assert "how - must be printed or by hand" in text(act(client, invoice, "delivered", {"how": "fax"}))
    pending = make_invoice("Pending")
    assert "Only approved invoices can be marked delivered" in text(act(client, pending, "delivered"))


def test_xero_link_replace_and_unlink_by_level(app, admin_client, session):
    invoice = make_invoice("Approved")
    assert "The Xero module is not enabled" in text(
        act(admin_client(5), invoice, "xero", {"xero_id": "550e8400-e29b-41d4-a716-446655440000"})
    )
    app.config["XERO_ENABLED"] = True
    try:
        level3 = admin_client(3)
        assert "Xero" in text(level3.get(f"/admin/invoices/{invoice.id}"))
        assert "xeroID - must be a UUID" in text(act(level3, invoice, "xero", {"xero_id": "12"}))
        assert "linked to Xero invoice 550e8400" in text(
            act(level3, invoice, "xero", {"xero_id": "550e8400-e29b-41d4-a716-446655440000"})
        )
        replace = post(
            level3, f"/admin/invoices/{invoice.id}/xero", {"xero_id": "00000000-0000-0000-0000-000000000001"}
        )
        assert replace.status_code == 403 and "level 5" in text(replace)
        assert post(level3, f"/admin/invoices/{invoice.id}/xero/unlink").status_code == 403
        assert "Xero link removed." in text(act(admin_client(5), invoice, "xero/unlink"))
    finally:
        app.config["XERO_ENABLED"] = False


def test_email_from_the_page_with_contacts_and_extra_addresses(app, admin_client, session, smtp_server):
    invoice = make_invoice("Approved")
    contact = invoice.account.invoice_contacts[0].email
    body = text(act(admin_client(3), invoice, "email", {"recipients": [contact], "extra": "cfo@customer.example"}))
    assert f"Invoice e-mailed to {contact}, cfo@customer.example (sent)." in body
    assert smtp_server.messages[0].rcpt_tos == [contact, "cfo@customer.example"]


def test_email_refusals_show_on_the_page(app, admin_client, session, smtp_server):
    approved, pending = make_invoice("Approved"), make_invoice("Pending")
    client = admin_client(3)
    assert "email - bad@ is not a valid e-mail address" in text(act(client, approved, "email", {"extra": "bad@"}))
    assert "bill-style - unknown bill style" in text(act(client, approved, "email", {"bill_style": "Odd"}))
    assert "Invoice must be approved before it can be emailed" in text(act(client, pending, "email"))
    assert smtp_server.messages == []


def test_failed_email_is_reported_recorded_and_can_be_retried(app, admin_client, session, smtp_server):
    invoice = make_invoice("Approved")
    client = admin_client(3)
    smtp_server.handler.refuse_data = "554 5.7.1 Rejected by policy"
    body = text(act(client, invoice, "email"))
    assert "E-mail not sent:" in body and "554" in body and "you can retry" in body
    assert "Rejected by policy" in body  # in the delivery history of the page
    smtp_server.handler.refuse_data = None
    assert "(sent)." in text(act(client, invoice, "email"))
    assert session.scalars(select(EmailDelivery.status).order_by(EmailDelivery.id)).all() == ["failed", "sent"]


def test_email_cdrs_and_its_refusals(app, admin_client, session, smtp_server):
    invoice = make_invoice("Approved")
    client = admin_client(3)
    assert "CDR file e-mailed to ops@customer.example (sent)." in text(
        act(client, invoice, "email-cdrs", {"extra": "ops@customer.example"})
    )
    pending = make_invoice("Pending")
    assert "Invoice must be approved" in text(act(client, pending, "email-cdrs"))


def test_recreate_documents(app, admin_client, session):
    invoice = make_invoice("Approved")
    assert "Documents recreated." in text(act(admin_client(3), invoice, "recreate"))
    response = admin_client(1).get(f"/admin/invoices/{invoice.id}/documents/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert admin_client(1).get(f"/admin/invoices/{invoice.id}/documents/usage").status_code == 404


def test_download_link_is_shown_once_and_can_be_revoked(app, admin_client, session):
    invoice = make_invoice("Approved")
    client = admin_client(3)
    response = post(client, f"/admin/invoices/{invoice.id}/links", {"expires_in": "24", "max_uses": "2"})
    link = session.scalars(select(DownloadLink)).one()
    assert (link.max_uses, link.purpose) == (2, "admin")
    # Post/Redirect/Get: the address is not in the redirect (nor in any URL a log or the history keeps)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/invoices/{invoice.id}/links/{link.id}"
    shown = client.get(response.headers["Location"])
    body = text(shown)
    assert shown.status_code == 200 and "shown only once" in body and shown.headers["Cache-Control"] == "no-store"
    url = re.search(r'value="(http[^"]+/d/[^"]+)"', body).group(1)
    assert url.rpartition("/")[2] not in response.headers["Location"]
    # a reload shows it no more and mints nothing
    reload = client.get(response.headers["Location"], follow_redirects=True)
    assert url not in text(reload) and f"download link {link.id} was shown once" in text(reload)
    assert session.scalars(select(DownloadLink)).all() == [link]
    assert url not in text(client.get(f"/admin/invoices/{invoice.id}"))
    assert "Download link revoked." in text(act(client, invoice, f"links/{link.id}/revoke"))
    session.expire_all()
    assert link.revoked_at is not None


@pytest.mark.parametrize("data", [{"expires_in": "5"}, {"max_uses": "3"}, {"expires_in": "x"}])
def test_download_link_choices_are_checked(app, admin_client, session, data):
    invoice = make_invoice("Approved")
    body = text(act(admin_client(3), invoice, "links", data))
    assert "Choose an expiry of 1, 6, 24, 72, 168, 336, 720 hours and 1 or 2 uses." in body
    assert session.scalars(select(DownloadLink)).all() == []


def test_a_link_asked_for_without_choices_gets_the_forms_defaults(app, admin_client, session):
    invoice = make_invoice("Approved")
    act(admin_client(3), invoice, "links")
    link = session.scalars(select(DownloadLink)).one()
    assert link.max_uses == 1
    lifetime = link.expires_at - link.created_at
    assert dt.timedelta(hours=DEFAULT_LINK_EXPIRY_HOURS) - dt.timedelta(minutes=1) < lifetime
    assert lifetime <= dt.timedelta(hours=DEFAULT_LINK_EXPIRY_HOURS)


def test_revoking_a_link_of_another_invoice_is_refused(app, admin_client, session):
    mine, other = make_invoice("Approved"), make_invoice("Approved")
    client = admin_client(3)
    post(client, f"/admin/invoices/{other.id}/links", {"expires_in": "24", "max_uses": "1"})
    link = session.scalars(select(DownloadLink)).one()
    assert "does not belong to the invoice" in text(act(client, mine, f"links/{link.id}/revoke"))


def test_actions_need_a_csrf_token(app, admin_client):
    invoice = make_invoice("Pending")
    assert admin_client(5).post(f"/admin/invoices/{invoice.id}/approve").status_code == 400
