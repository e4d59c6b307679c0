"""The audit log shows each event's details as text people read: labelled values, dates and money formatted,
records linked, everything there (long details in a disclosure), never a Python repr."""

from __future__ import annotations

import html as html_lib
import re
from decimal import Decimal

from portal.audit import record_event
from portal.foundations.permissions import Actor
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

CLERK = Actor("clerk@telco.example", kind="admin", level=5, id=1)


def _row(html: str, action: str) -> str:
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    [row] = [row for row in rows if f"<td>{action}</td>" in row]
    return row


def _cell_text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_details_are_labelled_formatted_and_linked(admin, session):
    customer = CustomerFactory(name="Nordwind Telekom")
    invoice = InvoiceFactory(account=AccountFactory(customer=customer, currency="EUR"), invoice_number="INV-338")
    record_event(CLERK, "invoice.approved", invoice, invoice_id=invoice.id, number="INV-338", total=Decimal("1234.5"))
    record_event(CLERK, "invoice.payment_recorded", invoice, invoice_id=invoice.id, amount="20", paid_on="2026-06-02")
    record_event(CLERK, "customer.updated", customer, fields=["name", "vat_id"], enabled=False, customer_id=customer.id)
    session.commit()
    html = admin.get("/admin/audit").get_data(as_text=True)

    approved = _row(html, "invoice.approved")
    assert "<dt>Total</dt>" in approved and "€1,234.50" in approved
    assert f'href="/admin/invoices/{invoice.id}">Invoice INV-338</a>' in approved  # the subject
    assert f'href="/admin/invoices/{invoice.id}">INV-338</a>' in approved  # the invoice column
    payment = _cell_text(_row(html, "invoice.payment_recorded"))
    assert "Amount €20.00" in payment and "Paid on Jun 2, 2026" in payment
    updated = _row(html, "customer.updated")
    assert "name, vat_id" in _cell_text(updated) and "Enabled no" in _cell_text(updated)
    assert updated.count(f'href="/admin/customers/{customer.id}">Nordwind Telekom</a>') == 2  # subject and detail
    assert not re.search(r"\['|Decimal\(|\bNone\b|\bFalse\b", html)


def test_long_details_are_folded_but_all_there(admin, session):
    invoice = InvoiceFactory()
    recipients = [f"accounts-payable-{n}@customer-with-a-long-name.example" for n in range(6)]
    record_event(CLERK, "invoice.emailed", invoice, invoice_id=invoice.id, recipients=recipients, status="sent")
    record_event(CLERK, "invoice.marked_delivered", invoice, invoice_id=invoice.id, how="printed")
    session.commit()
    html = admin.get("/admin/audit").get_data(as_text=True)
    emailed = _row(html, "invoice.emailed")
    summary = re.search(r"<summary>(.*?)</summary>", emailed, re.S).group(1)
    assert "(2 details)" in summary and len(_cell_text(summary)) < 100
    for address in recipients:
        assert address in emailed.split("</summary>")[1]  # the whole list, in the disclosure
    assert "<details>" not in _row(html, "invoice.marked_delivered")  # short: shown as it is
    assert "How printed" in _cell_text(_row(html, "invoice.marked_delivered"))


def test_a_bulk_approval_names_each_invoice_and_refusal_and_a_deleted_one_says_so(admin, session):
    approved, refused = InvoiceFactory(invoice_number="INV-1"), InvoiceFactory(reference="draft-7")
    record_event(
        CLERK, "invoice.bulk_approved", None, invoice_ids=[approved.id, 999_999], refused=[[refused.id, "No lines"]]
    )
    session.commit()
    row = _row(admin.get("/admin/audit").get_data(as_text=True), "invoice.bulk_approved")
    assert f'<a href="/admin/invoices/{approved.id}">Invoice INV-1</a>' in row
    assert "Invoice 999999 (deleted)" in row
    assert f'<a href="/admin/invoices/{refused.id}">Invoice draft-7: No lines</a>' in row


def test_the_filter_keeps_working_with_the_readable_details(admin, session):
    first, second = InvoiceFactory(), InvoiceFactory()
    record_event(CLERK, "invoice.payment_recorded", first, invoice_id=first.id, amount="5", paid_on="2026-01-31")
    record_event(CLERK, "invoice.payment_recorded", second, invoice_id=second.id, amount="7", paid_on="2026-02-01")
    session.commit()
    fragment = admin.get(f"/admin/audit?invoice={second.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="audit-results">')
    assert "Feb 1, 2026" in fragment and "Jan 31, 2026" not in fragment
