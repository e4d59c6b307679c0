"""The customer portal in a real browser: sign in, htmx filtering, detail, PDF download, phone, keyboard."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.extensions import db
from tests.browser.conftest import download_pdf
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import PASSWORD, AccountFactory, CustomerFactory, CustomerUserFactory


@pytest.fixture
def portal_data(app):
    customer = CustomerFactory(name="Acme Voice")
    main = AccountFactory(customer=customer, name="Acme main", currency="EUR")
    wholesale = AccountFactory(customer=customer, name="Acme wholesale with a long name", currency="USD")
    invoices = [
        approved_invoice(
            main if i % 3 else wholesale,
            month(-i),
            total=f"{i * 11}.00",
            paid=f"{i * 11}.00" if i % 2 else "0",
            due=TODAY + dt.timedelta(days=20),
        )
        for i in range(1, 16)
    ]
    user = CustomerUserFactory(customer=customer, email="ops@acme.example")
    db.session.commit()
    return {"user": user, "invoices": invoices, "main": main}


def invoice_rows(page):
    return page.locator("#invoice-results table.invoices tbody tr")


def test_sign_in_and_filter_the_list_with_htmx_without_reloading(page, live_server, browser_login, portal_data):
    browser_login(page, "ops@acme.example", PASSWORD)
    assert page.url.endswith("/portal/")
    page.get_by_role("link", name="Invoices", exact=True).click()
    page.wait_for_url("**/portal/invoices")
    assert invoice_rows(page).count() == 15
    page.evaluate("window.__sameDocument = 'yes'")
    page.get_by_label("Status").select_option("paid")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=paid**")
    page.wait_for_function("document.querySelectorAll('#invoice-results tbody tr').length === 8")
    assert page.evaluate("window.__sameDocument") == "yes"  # no full page load happened
    assert "status=paid" in page.url and "account=" not in page.url  # no empty fields in the address
    assert all("Paid" in text for text in invoice_rows(page).locator("td.card-status").all_inner_texts())
    # Sorting is a link inside the swapped fragment and also keeps the document.
    page.get_by_role("link", name="Total").click()
    page.wait_for_url("**sort=amount**")
    page.wait_for_selector("th[aria-sort] >> text=Total")
    assert page.evaluate("window.__sameDocument") == "yes"
    # A bad value shows its message beside the field, still without a reload.
    page.get_by_label("Period from").fill("2026-05-01")
    page.get_by_label("Period to").fill("2026-04-01")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("#period_to-error >> text=Must not be before the start date.")
    assert page.evaluate("window.__sameDocument") == "yes"
    # The pushed URL is a real page: reloading it shows the same filtered list.
    page.goto(f"{live_server.url}/portal/invoices?status=paid")
    assert invoice_rows(page).count() == 8


def test_open_a_detail_page(page, live_server, browser_login, portal_data):
    browser_login(page, "ops@acme.example", PASSWORD)
    target = portal_data["invoices"][0]
    page.goto(f"{live_server.url}/portal/invoices")
    page.get_by_role("link", name=target.invoice_number).click()
    page.wait_for_url(f"**/portal/invoices/{target.uuid}")
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Invoice {target.invoice_number}")
    assert page.locator("figure.chart").count() == 2


def test_phone_sized_viewport_lists_invoices_without_page_overflow(page, live_server, browser_login, portal_data):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "ops@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices")
    assert invoice_rows(page).count() == 15
    body_overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert body_overflow <= 0, f"page is {body_overflow}px wider than the phone"
    wrap = page.locator("#invoice-results .table-wrap")
    assert wrap.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    box = wrap.bounding_box()
    assert box["width"] <= 375
    # The invoice link and amount of the first row are visible on the phone screen.
    first_link = invoice_rows(page).first.get_by_role("link")
    assert first_link.is_visible() and first_link.bounding_box()["x"] >= 0


def _tab_to(page, predicate_js: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def test_filter_and_open_an_invoice_with_the_keyboard_alone(page, live_server, browser_login, portal_data):
    browser_login(page, "ops@acme.example", PASSWORD)
    target = portal_data["invoices"][4]
    page.goto(f"{live_server.url}/portal/invoices")
    _tab_to(page, "el.id === 'number'")
    page.keyboard.type(target.invoice_number)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**number={target.invoice_number}**")
    page.wait_for_function("document.querySelectorAll('#invoice-results tbody tr').length === 1")
    _tab_to(page, f"el.tagName === 'A' && el.textContent.trim() === '{target.invoice_number}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/portal/invoices/{target.uuid}")
    assert target.invoice_number in page.get_by_role("heading", level=1).inner_text()


@pytest.fixture
def invoice_with_pdf(app, portal_data):
    """An approved invoice built by the engine, so approval stored its real PDF."""
    from portal.billing.fill import fill_invoice
    from portal.billing.invoices import approve_invoice, create_invoice

    account = portal_data["main"]
    invoice = create_invoice(account_id=account.id, start_date="2020-01-01", end_date="2020-02-01")
    fill_invoice(invoice)
    approve_invoice(invoice)
    db.session.commit()
    return invoice


def test_download_the_pdf_with_one_click(page, live_server, browser_login, invoice_with_pdf):
    browser_login(page, "ops@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices/{invoice_with_pdf.uuid}")
    download_pdf(page, invoice_with_pdf)


def test_an_expired_link_shows_the_410_page_with_a_way_to_a_fresh_one(
    app, page, live_server, browser_login, invoice_with_pdf
):
    from portal.delivery.links import download_url, mint_download_link
    from portal.foundations.permissions import SYSTEM

    link, token = mint_download_link(
        invoice_with_pdf, actor=SYSTEM, expires_in=dt.timedelta(minutes=10), purpose="portal"
    )
    link.expires_at = link.created_at - dt.timedelta(seconds=1)
    db.session.commit()
    browser_login(page, "ops@acme.example", PASSWORD)
    with app.test_request_context():
        path = download_url(token, external=False)
    response = page.goto(live_server.url + path)
    assert response.status == 410
    assert "This link no longer works" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Open the invoice to get a new link").click()
    page.wait_for_url(f"**/portal/invoices/{invoice_with_pdf.uuid}")
