"""In Chromium: an admin signs in, creates a manual invoice, approves it and e-mails it; the loopback SMTP
server gets the PDF."""

from __future__ import annotations

import io
import os

from playwright.sync_api import expect
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Invoice
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory, CdrFactory, ContactFactory
from tests.smtp import smtp_server  # noqa: F401 - fixture


def test_create_approve_and_email_an_invoice(app, page, live_server, browser_login, smtp_server):
    admin = AdminUserFactory(level=3, email="clerk@telco.example")
    account = AccountFactory(name="Voice trunk")
    contact = ContactFactory(customer=account.customer, email="ap@customer.example")
    account.invoice_contacts.append(contact)
    CdrFactory(customer_acc_id=account.id)
    db.session.commit()

    browser_login(page, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/invoices/new")
    page.get_by_label("Customer").fill(account.customer.name)
    page.get_by_label("Customer").press("Tab")
    expect(page.locator("#account option")).to_have_count(2)  # htmx brought its account
    page.get_by_label("Account").select_option(str(account.id))
    page.get_by_label("Start date").fill("2026-05-01")
    page.get_by_label("End date").fill("2026-06-01")
    page.get_by_role("button", name="Create and fill").click()
    page.wait_for_selector("text=its charges are being filled", timeout=60_000)  # the fill runs inline

    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=Invoice approved as")
    db.session.expire_all()
    invoice = db.session.query(Invoice).one()
    assert invoice.state == "Approved"

    assert page.get_by_label("ap@customer.example").is_checked()  # the invoice contact, prefilled
    page.get_by_role("button", name="Send e-mail").click()
    page.wait_for_selector("text=Invoice e-mailed to ap@customer.example (sent).")

    [received] = smtp_server.messages
    assert received.rcpt_tos == ["ap@customer.example"]
    assert received.message["Subject"].startswith(f"Invoice {invoice.invoice_number}")
    [pdf] = list(received.message.iter_attachments())
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert invoice.invoice_number in text
    assert page.locator("text=sent").first.is_visible()  # the delivery history shows the attempt


def test_list_filters_update_in_place_with_a_bookmarkable_url(app, page, live_server, browser_login):
    from tests.invoices import make_invoice

    admin = AdminUserFactory(level=1, email="reader@telco.example")
    db.session.commit()
    approved, pending = make_invoice("Approved"), make_invoice("Pending")

    browser_login(page, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/invoices")
    assert page.locator(f'a[href="/admin/invoices/{approved.id}"]').count() == 1
    page.evaluate("window.fullLoads = (window.fullLoads || 0) + 1")
    page.get_by_label("State", exact=True).select_option("Pending")
    page.wait_for_url("**/admin/invoices?*state=Pending*")
    page.wait_for_selector(f'a[href="/admin/invoices/{approved.id}"]', state="detached")
    assert page.locator(f'a[href="/admin/invoices/{pending.id}"]').count() == 1
    assert page.evaluate("window.fullLoads") == 1  # htmx swapped the results; the page did not reload

    page.goto(page.url)  # the bookmarked URL gives the same list
    assert page.locator(f'a[href="/admin/invoices/{approved.id}"]').count() == 0
    assert page.locator(f'a[href="/admin/invoices/{pending.id}"]').count() == 1


def test_bulk_approval_answers_with_a_progress_page_that_updates_itself_until_the_summary(
    app, page, live_server, browser_login
):
    from tests.invoices import make_invoice

    admin = AdminUserFactory(level=3, email="clerk@telco.example")
    db.session.commit()
    pending = [make_invoice("Pending") for _ in range(3)]
    approved = make_invoice("Approved")

    browser_login(page, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/invoices")
    for invoice in pending + [approved]:
        page.get_by_label(f"Select invoice {invoice.id}").check()
    page.get_by_role("button", name="Approve").click()

    page.wait_for_url("**/admin/invoices/bulk-approvals/*")
    summary = page.locator("#bulk-approval-summary")
    summary.wait_for(timeout=180_000)  # htmx polled the fragment until the job had finished
    assert "3 of 4 approved, 1 skipped, 0 failed." in summary.inner_text()
    page.locator("#bulk-approval[data-finished='true']").wait_for(timeout=180_000)
    assert "3 of 3 PDFs rendered" in page.locator("#pdf-counts").inner_text()
    assert "Invoice already approved" in page.locator("#approval-refusals").inner_text()
    if os.environ.get("PORTAL_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["PORTAL_SCREENSHOTS"], "bulk-approval.png"), full_page=True)
    db.session.expire_all()
    assert {db.session.get(Invoice, i.id).state for i in pending} == {"Approved"}
