"""What the customer list and detail pages read: plain rows for the list, one CDR probe, no statement for a
credit note, and the same figures as the statement the PDF is rendered from, inside the customer's scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.billing.credit_notes import issue_credit_note
from portal.customers.scope import CustomerScope
from portal.extensions import db
from portal.foundations.errors import NotFound
from portal.models import Invoice
from portal.reading.customer_detail import CreditNoteDetail, InvoiceDetail, invoice_detail_for_customer
from portal.reading.customer_views import CustomerInvoiceFilters, list_customer_invoices
from portal.reading.listed_invoice import ListedInvoice
from portal.statement import build_statement
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.documents.test_einvoices import raised_invoice
from tests.factories import AccountFactory, CustomerUserFactory
from tests.statements import recorded_statements


def test_list_rows_carry_the_invoices_figures_status_and_account(app, customer, account):
    other = AccountFactory(customer=customer, name="Second trunk", timezone="America/New_York")
    invoices = [
        approved_invoice(account, month(-1), total="120.00"),
        approved_invoice(other, month(-2), total="80.00", paid="30.00"),
        approved_invoice(account, month(-3), total="50.00", paid="50.00"),
        approved_invoice(other, month(-4), total="70.00", due=TODAY - dt.timedelta(days=3)),
    ]
    db.session.commit()
    page = list_customer_invoices(CustomerScope(customer.id), CustomerInvoiceFilters(), today=TODAY)
    assert [item.id for item in page.items] == [inv.id for inv in invoices]  # latest invoice date first
    for item in page.items:
        assert isinstance(item, ListedInvoice)
        invoice = db.session.get(Invoice, item.id)
        for name in ("uuid", "invoice_number", "reference", "start_date", "end_date", "invoice_date", "due_date"):
            assert getattr(item, name) == getattr(invoice, name), name
        assert (item.total_amount, item.outstanding, item.currency) == (
            invoice.total_amount,
            invoice.outstanding,
            invoice.currency,
        )
        assert item.payment_status(TODAY) == invoice.payment_status(TODAY)
        assert (item.account.name, item.account.timezone) == (invoice.account.name, invoice.account.timezone)


def test_list_page_reads_the_user_the_accounts_the_count_and_the_rows(signed_in, account):
    for i in range(1, 30):
        approved_invoice(account, month(-i))
    db.session.commit()
    db.session.expunge_all()  # as in a request of its own: the user is not in the session yet
    with recorded_statements() as seen:
        html = signed_in.get("/portal/invoices").get_data(as_text=True)
    assert len(seen) == 4, "\n".join(seen)
    assert "Acme main" in html and html.count('class="card-number"') == 25


@pytest.fixture
def raised(app, client, login):
    """A raised invoice of its own customer and that customer's user, signed in."""
    invoice = raised_invoice()
    user = CustomerUserFactory(customer=invoice.customer)
    db.session.commit()
    login(user)
    return invoice


def test_detail_reads_calls_and_pdf_in_the_invoices_query_and_shows_the_download(client, raised):
    url = f"/portal/invoices/{raised.uuid}"
    db.session.expunge_all()  # as in a request of its own: the user is not in the session yet
    with recorded_statements() as seen:
        html = client.get(url).get_data(as_text=True)
    assert len([s for s in seen if re.search(r"\bFROM cdrs\b", s)]) == 1
    assert "Download calls (CSV)" in html
    # Nothing was credited, so no credit notes are looked for: the user, the invoice (whether a PDF is stored
    # and the calls come in its query), its service rows, discounts, destination and network rows.
    assert not [s for s in seen if re.search(r"WHERE invoices\.credited_invoice_id =", s)]
    assert len(seen) == 6, "\n".join(seen)
    assert re.search(r"\bFROM invoice_documents\b", next(s for s in seen if re.search(r"\bFROM cdrs\b", s)))


def test_detail_figures_are_the_statements_the_pdf_is_rendered_from(app, raised):
    scope = CustomerScope(raised.customer_id)
    detail = invoice_detail_for_customer(scope, raised.uuid, TODAY)
    assert isinstance(detail, InvoiceDetail)
    assert detail.statement == build_statement(raised, TODAY, with_traffic=True)
    assert detail.credit_notes == []


def test_credit_note_page_builds_no_statement_and_shows_its_lines(client, raised):
    note = issue_credit_note(raised, mode="amount", amount="1.00", reason="Goodwill", render_pdf=False)
    db.session.commit()
    detail = invoice_detail_for_customer(CustomerScope(raised.customer_id), note.uuid, TODAY)
    assert isinstance(detail, CreditNoteDetail) and [line.net_amount for line in detail.lines]
    with recorded_statements() as seen:
        html = client.get(f"/portal/invoices/{note.uuid}").get_data(as_text=True)
    read = " ".join(seen)
    for table in ("invoice_service_data", "invoice_discounts", "invoice_destinations", "invoice_networks"):
        assert not re.search(rf"\bFROM {table}\b", read), table
    assert f"Credit note {note.invoice_number}" in html and "Goodwill" in html
    # The credited invoice's page lists the note, from the same detail read.
    page = client.get(f"/portal/invoices/{raised.uuid}").get_data(as_text=True)
    assert f"/portal/invoices/{note.uuid}" in page
    assert invoice_detail_for_customer(CustomerScope(raised.customer_id), raised.uuid, TODAY).credit_notes == [note]


def test_another_customers_invoice_and_credit_note_stay_out_of_reach(client, login, raised):
    note = issue_credit_note(raised, mode="amount", amount="1.00", reason="Goodwill", render_pdf=False)
    stranger = raised_invoice()
    outsider = CustomerUserFactory(customer=stranger.customer)
    db.session.commit()
    login(outsider)
    for invoice in (raised, note):
        assert client.get(f"/portal/invoices/{invoice.uuid}").status_code == 404
        with pytest.raises(NotFound):
            invoice_detail_for_customer(CustomerScope(stranger.customer_id), invoice.uuid, TODAY)
    listing = client.get("/portal/invoices").get_data(as_text=True)
    assert raised.invoice_number not in listing and note.invoice_number not in listing


def test_detail_knows_a_stored_pdf_and_an_invoice_without_calls(client, login, customer, account):
    from portal.models import InvoiceDocument

    quiet = approved_invoice(account, month(-1))
    stored = approved_invoice(account, month(-2))
    db.session.add(
        InvoiceDocument(
            invoice=stored,
            kind="pdf",
            filename="x.pdf",
            content_type="application/pdf",
            data=b"%PDF-",
            size=5,
            sha256="0" * 64,
        )
    )
    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    login(user)
    scope = CustomerScope(customer.id)
    first, second = (invoice_detail_for_customer(scope, inv.uuid, TODAY) for inv in (quiet, stored))
    assert (first.has_pdf, first.has_cdrs, second.has_pdf, second.has_cdrs) == (False, False, True, False)
    html = client.get(f"/portal/invoices/{quiet.uuid}").get_data(as_text=True)
    assert "Download calls (CSV)" not in html and "is not ready yet" in html
    assert "Download PDF" in client.get(f"/portal/invoices/{stored.uuid}").get_data(as_text=True)
