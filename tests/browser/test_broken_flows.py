"""In Chromium, the flows that used to break: Back/Forward with htmx filters, a session that expires during
a filter, and a delete confirmation while the CDN hangs (the new manual invoice's customer choice:
test_new_invoice_customer_choice.py)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.extensions import db
from portal.models import Invoice
from tests.browser.conftest import CHROMIUM
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory
from tests.invoices import make_invoice


@pytest.fixture
def customer_data(app):
    customer = CustomerFactory(name="Acme Voice")
    account = AccountFactory(customer=customer, name="Acme main", currency="EUR")
    for i in range(1, 13):
        # Every third one is overdue (due in the past, nothing paid); the others are paid.
        overdue = i % 3 == 0
        approved_invoice(
            account,
            month(-i),
            total=f"{i * 10}.00",
            paid="0" if overdue else f"{i * 10}.00",
            due=TODAY - dt.timedelta(days=5),
        )
    CustomerUserFactory(customer=customer, email="ops@acme.example")
    db.session.commit()


def rows(page):
    return page.locator("#invoice-results table.invoices tbody tr")


def wait_for_rows(page, count: int):
    page.wait_for_function(
        f"() => document.querySelectorAll('#invoice-results table.invoices tbody tr').length === {count}"
    )


def test_back_and_forward_restore_the_filter_form_with_its_results(page, live_server, browser_login, customer_data):
    browser_login(page, "ops@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices")
    wait_for_rows(page, 12)
    page.get_by_label("Status").select_option("overdue")
    page.get_by_label("Period from").fill(month(-12).isoformat())
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=overdue**")
    wait_for_rows(page, 4)
    page.get_by_label("Status").select_option("paid")
    page.get_by_label("Period from").fill("")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=paid**")
    wait_for_rows(page, 8)

    page.go_back()
    page.wait_for_url("**status=overdue**")
    wait_for_rows(page, 4)
    assert page.get_by_label("Status").input_value() == "overdue"
    assert page.get_by_label("Period from").input_value() == month(-12).isoformat()
    page.go_back()
    wait_for_rows(page, 12)
    assert page.get_by_label("Status").input_value() == ""
    assert page.get_by_label("Period from").input_value() == ""
    page.go_forward()
    page.wait_for_url("**status=overdue**")
    wait_for_rows(page, 4)
    assert page.get_by_label("Status").input_value() == "overdue"
    # Apply on the restored form gives the list it shows.
    page.get_by_role("button", name="Apply filters").click()
    wait_for_rows(page, 4)


def test_a_session_that_expires_during_a_filter_lands_on_a_normal_sign_in_page(
    page, live_server, browser_login, customer_data
):
    browser_login(page, "ops@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices")
    page.context.clear_cookies()  # the session ends (expired, or signed out in another tab)
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/login?**")
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    assert page.locator("#invoice-results").count() == 0
    assert page.get_by_role("button", name="Sign out").count() == 0
    next_url = urlsplit(parse_qs(urlsplit(page.url).query)["next"][0])
    assert next_url.path == "/portal/invoices"
    fields = parse_qs(next_url.query, keep_blank_values=True)
    assert fields["status"] == ["overdue"] and all(v != [""] for v in fields.values())  # no empty fields
    page.get_by_label("Email").fill("ops@acme.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/invoices?status=overdue*")
    wait_for_rows(page, 4)


@pytest.fixture
def hanging_cdn_page(browser, app):
    """A page whose htmx CDN request never answers (neither the file nor an error)."""
    context = browser.new_context()
    context.route(app.config["HTMX_URL"], lambda route: None)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_delete_asks_for_confirmation_while_the_cdn_hangs(app, hanging_cdn_page, live_server):
    assert CHROMIUM
    page = hanging_cdn_page
    admin = AdminUserFactory(level=4, email="manager@telco.example")
    db.session.commit()
    invoice_id = make_invoice("Pending").id
    page.goto(f"{live_server.url}/login", wait_until="commit")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/", wait_until="commit")

    page.goto(f"{live_server.url}/admin/invoices/{invoice_id}", wait_until="commit")
    page.wait_for_selector("html.js", state="attached")  # the app's script ran although htmx never came
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_timeout(500)
    assert messages == ["Delete this invoice?"]
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id) is not None

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_url("**/admin/invoices", wait_until="commit")
    page.wait_for_selector("text=deleted.")
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id) is None


def test_delete_without_javascript_confirms_on_a_page(app, browser, live_server):
    admin = AdminUserFactory(level=4, email="manager@telco.example")
    db.session.commit()
    invoice = make_invoice("Pending")
    invoice_id, reference = invoice.id, invoice.reference
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("Email").fill(admin.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/admin/invoices/{invoice_id}")
        page.get_by_role("button", name="Delete", exact=True).click()
        page.wait_for_selector(f"h1 >> text=Delete invoice {reference}?")
        db.session.expire_all()
        assert db.session.get(Invoice, invoice_id) is not None
        page.get_by_role("button", name="Delete this invoice").click()
        page.wait_for_selector("text=deleted.")
        db.session.expire_all()
        assert db.session.get(Invoice, invoice_id) is None
    finally:
        context.close()


def test_on_a_phone_invoices_are_cards_and_a_filter_brings_the_results_into_view(
    page, live_server, browser_login, customer_data
):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "ops@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices")
    wait_for_rows(page, 12)
    assert not page.locator("details.filter-panel").evaluate("d => d.open")  # the filters are folded
    first = rows(page).first
    assert first.evaluate("r => getComputedStyle(r).display") == "grid"
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    for part in ("INV-T-", "€", "Paid" if "Paid" in first.inner_text() else "Overdue", "PDF"):
        assert part in first.inner_text()
    assert first.get_by_role("button", name="PDF").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Apply filters").click()
    wait_for_rows(page, 4)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'results-heading'")
    top = page.locator("#results-heading").bounding_box()["y"]
    assert 0 <= top < 844  # the results are on screen, not below the filter card
    assert not page.locator("details.filter-panel").evaluate("d => d.open")


def test_without_javascript_the_print_button_stays_hidden_and_the_page_has_a_favicon(
    app, browser, live_server, customer_data
):
    invoice = db.session.query(Invoice).first()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("Email").fill("ops@acme.example")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/portal/invoices/{invoice.uuid}")
        assert page.locator(".print-button").count() == 1
        assert not page.locator(".print-button").is_visible()
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        assert page.request.get(live_server.url + icon).status == 200
    finally:
        context.close()
