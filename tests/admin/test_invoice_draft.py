"""A pending invoice on the admin page: its draft figures marked draft, and a draft PDF to look at before approving."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import InvoiceDocument
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.documents.conftest import make_invoice, pdf_text
from tests.factories import AccountFactory


def test_a_pending_invoice_shows_its_draft_figures_not_zero(app, admin):
    invoice = pending_invoice(AccountFactory(), calls=3, vat_rate=20)  # 3 calls of 0.10
    db.session.commit()
    html = admin.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)
    assert "Draft figures" in html
    assert '<tr class="total-row" data-figure="net"><th scope="row">Net</th><td class="num">€0.30</td>' in html
    assert "€0.36" in html  # total with 20 % VAT


def test_the_draft_pdf_is_marked_on_every_page_and_never_stored(app, admin):
    invoice = make_invoice(destinations=150, approve=False, render=False)
    db.session.commit()
    response = admin.get(f"/admin/invoices/{invoice.id}/draft.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_text(response.data)
    assert len(pages) >= 2
    assert all("Draft – not a valid invoice" in page for page in pages)
    assert db.session.scalar(select(func.count()).select_from(InvoiceDocument)) == 0


def test_only_pending_invoices_and_approvers_get_a_draft_pdf(app, admin, admin_as):
    raised = raised_invoice(AccountFactory())
    pending = pending_invoice(AccountFactory(), start=raised.start_date, end=raised.end_date)
    db.session.commit()
    refused = admin.get(f"/admin/invoices/{raised.id}/draft.pdf")
    assert refused.status_code == 303 and refused.location.endswith(f"/admin/invoices/{raised.id}")
    assert admin_as(1).get(f"/admin/invoices/{pending.id}/draft.pdf").status_code == 403
