"""The admin invoice list: all states, filters in the URL, htmx fragment, errors, bulk actions, guard."""

from __future__ import annotations

import io
import zipfile

from portal.models import InvoiceDocument
from tests.admin.conftest import post
from tests.factories import CustomerUserFactory
from tests.invoices import make_invoice


def test_lists_every_state_by_default(app, admin_client, session):
    approved, pending = make_invoice("Approved"), make_invoice("Pending")
    body = admin_client(1).get("/admin/invoices").get_data(as_text=True)
    assert approved.invoice_number in body
    assert f'/admin/invoices/{pending.id}"' in body
    assert "All states are listed" in body


def test_filters_are_read_from_the_url_and_htmx_gets_only_the_results(app, admin_client):
    approved, pending = make_invoice("Approved"), make_invoice("Pending")
    client = admin_client(1)
    response = client.get(
        "/admin/invoices?state=Pending", headers={"HX-Request": "true", "HX-Target": "invoice-results"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert f'/admin/invoices/{pending.id}"' in body and approved.invoice_number not in body
    full = client.get("/admin/invoices?state=Pending").get_data(as_text=True)
    assert "<html" in full and 'hx-push-url="true"' in full


def test_bad_filters_show_errors_not_a_500(app, admin_client):
    response = admin_client(1).get("/admin/invoices?minDate=2026-05-10&maxDate=2026-05-01&perPage=100000")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "maxDate - must not be before the minimum" in body and "perPage - must be between 1 and 200" in body


def test_customers_are_sent_away_with_a_404(app, client, login):
    user = CustomerUserFactory()
    login(user)
    assert client.get("/admin/invoices").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    response = client.get("/admin/invoices")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bulk_approve_approves_the_selection(app, admin_client, session):
    first, second = make_invoice("Pending"), make_invoice("Pending")
    approved = make_invoice("Approved")
    client = admin_client(3)
    response = post(
        client,
        "/admin/invoices/bulk",
        {"action": "approve", "ids": [first.id, second.id, approved.id]},
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    session.expire_all()
    assert first.state == second.state == "Approved"
    assert "2 approved · 1 skipped · 0 failed · 0 waiting" in body and "Invoice already approved" in body


def test_bulk_approve_at_level_2_is_a_403_naming_the_level(app, admin_client, session):
    pending = make_invoice("Pending")
    response = post(admin_client(2), "/admin/invoices/bulk", {"action": "approve", "ids": [pending.id]})
    assert response.status_code == 403
    assert "needs expert level 3" in response.get_data(as_text=True)
    session.expire_all()
    assert pending.state == "Pending"


def test_bulk_without_selection_or_csrf(app, admin_client):
    client = admin_client(3)
    response = post(client, "/admin/invoices/bulk", {"action": "approve"}, follow_redirects=True)
    assert "Select at least one invoice first." in response.get_data(as_text=True)
    assert client.post("/admin/invoices/bulk", data={"action": "approve", "ids": ["1"]}).status_code == 400


def test_bulk_zip_contains_the_stored_pdfs_and_names_the_missing(app, admin_client, session):
    with_pdf, without = make_invoice("Approved"), make_invoice("Approved")
    session.execute(InvoiceDocument.__table__.delete().where(InvoiceDocument.invoice_id == without.id))
    session.commit()
    stored = session.query(InvoiceDocument).filter_by(invoice_id=with_pdf.id, kind="pdf").one()
    response = post(admin_client(1), "/admin/invoices/bulk", {"action": "zip", "ids": [with_pdf.id, without.id]})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.read(stored.filename) == stored.data
    assert str(without.id) in archive.read("MISSING.txt").decode()


def test_bulk_unknown_action_is_refused(app, admin_client):
    inv = make_invoice("Pending")
    response = post(admin_client(5), "/admin/invoices/bulk", {"action": "drop", "ids": [inv.id]}, follow_redirects=True)
    assert "Unknown bulk action." in response.get_data(as_text=True)


def test_bulk_email_sends_each_selected_invoice_and_reports_refusals(app, admin_client, session):
    from tests.smtp import SmtpServer

    approved, pending = make_invoice("Approved"), make_invoice("Pending")
    with SmtpServer() as server:
        saved = {key: app.config.get(key) for key in server.config()}
        app.config.update(server.config())
        try:
            response = post(
                admin_client(3),
                "/admin/invoices/bulk",
                {"action": "email", "ids": [approved.id, pending.id]},
                follow_redirects=True,
            )
        finally:
            app.config.update(saved)
    body = response.get_data(as_text=True)
    assert "1 invoice e-mailed." in body
    assert f"Invoice {pending.id}: Invoice must be approved before it can be emailed" in body
    assert [m.rcpt_tos for m in server.messages] == [[approved.account.invoice_contacts[0].email]]


def test_bulk_email_at_level_2_is_a_403(app, admin_client):
    approved = make_invoice("Approved")
    response = post(admin_client(2), "/admin/invoices/bulk", {"action": "email", "ids": [approved.id]})
    assert response.status_code == 403 and "needs expert level 3" in response.get_data(as_text=True)
