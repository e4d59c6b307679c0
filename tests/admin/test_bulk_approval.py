"""Bulk approval answers at once with a progress page of the PDF jobs; approval replaces a draft PDF."""

from __future__ import annotations

from sqlalchemy import select

from portal.documents.tasks import enqueue_render_pdf
from portal.extensions import db
from portal.models import AuditEvent, Invoice, InvoiceDocument
from tests.admin.conftest import post
from tests.invoices import enqueued_pdf_jobs as enqueued  # noqa: F401 - fixture
from tests.invoices import make_invoice


def test_bulk_approve_shows_a_progress_page_at_once_and_it_follows_the_pdf_jobs(app, admin_client, enqueued):
    first, second, third = (make_invoice("Pending") for _ in range(3))
    already = make_invoice("Approved")
    client = admin_client(3)
    enqueued.clear()

    response = post(
        client, "/admin/invoices/bulk", {"action": "approve", "ids": [first.id, second.id, third.id, already.id]}
    )

    assert response.status_code == 303
    progress_url = response.headers["Location"]
    assert "/admin/invoices/bulk-approvals/" in progress_url
    assert sorted(enqueued) == sorted((i.id, "Approved") for i in (first, second, third))
    page = client.get(progress_url).get_data(as_text=True)
    assert "3 invoices approved." in page and f"Invoice {already.id}: Invoice already approved" in page
    assert "0 of 3 PDFs rendered · 0 failed · 3 waiting" in page
    assert 'hx-trigger="every 2s"' in page and '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "Refresh</a>" in page

    enqueue_render_pdf(first.id)  # the worker renders two; one fails
    enqueue_render_pdf(second.id)
    db.session.get(Invoice, third.id).pdf_error = "RuntimeError: no fonts"
    db.session.commit()

    fragment = client.get(progress_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    assert "2 of 3 PDFs rendered · 1 failed · 0 waiting" in fragment
    assert "hx-trigger" not in fragment and "RuntimeError: no fonts" in fragment
    full = client.get(progress_url).get_data(as_text=True)
    assert "http-equiv" not in full


def test_bulk_approve_without_a_queue_renders_every_pdf_before_the_progress_page(app, admin_client):
    invoices = [make_invoice("Pending") for _ in range(3)]
    response = post(
        admin_client(3),
        "/admin/invoices/bulk",
        {"action": "approve", "ids": [i.id for i in invoices]},
        follow_redirects=True,
    )

    body = response.get_data(as_text=True)
    assert "3 of 3 PDFs rendered · 0 failed · 0 waiting" in body and "hx-trigger" not in body


def test_progress_page_of_an_unknown_bulk_approval_is_a_404(app, admin_client):
    make_invoice("Pending")
    other_event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invoice.filled")).first()
    client = admin_client(1)
    assert client.get("/admin/invoices/bulk-approvals/424242").status_code == 404
    assert client.get(f"/admin/invoices/bulk-approvals/{other_event.id}").status_code == 404


def test_a_draft_pdf_made_before_approval_is_replaced_by_the_numbered_one(app, admin_client):
    invoice = make_invoice("Pending")
    client = admin_client(5)
    post(client, f"/admin/invoices/{invoice.id}/recreate")
    draft = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf")).one()
    assert draft.filename.startswith("DRAFT-")

    post(client, f"/admin/invoices/{invoice.id}/approve")

    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    document = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf")).one()
    assert document.filename == f"{invoice.invoice_number}.pdf"
