"""In Chromium: the new manual invoice's customer is typed with suggestions from the server, and the Account
choice offers only that customer's accounts (htmx swaps them in; without JavaScript the form comes back
with them). The page never lists every customer or every account."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Invoice
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory, CustomerFactory

SHOTS = os.environ.get("PORTAL_SCREENSHOTS")  # a folder: the test leaves a picture of the form there


def _customers():
    ours = CustomerFactory(name="Alpha Telecom")
    mine = [AccountFactory(customer=ours, name=f"Alpha {n}") for n in ("east", "west")]
    AccountFactory(customer=CustomerFactory(name="Alphabet Carrier"), name="Alphabet trunk")
    AccountFactory(customer=CustomerFactory(name="Beta Carrier"), name="Beta trunk")
    AdminUserFactory(level=2, email="clerk@telco.example")
    db.session.commit()
    return ours, mine


def _account_labels(page) -> list[str]:
    return page.locator("#account option").all_inner_texts()


def test_typing_a_customer_suggests_names_and_brings_its_accounts(app, page, live_server, browser_login):
    ours, mine = _customers()
    browser_login(page, "clerk@telco.example", PASSWORD)
    page.goto(f"{live_server.url}/admin/invoices/new")
    assert _account_labels(page) == ["Choose a customer first"]
    assert page.locator("#customer-suggestions option").count() == 0  # no customer is listed up front

    customer = page.get_by_label("Customer")
    customer.press_sequentially("alpha")
    expect(page.locator("#customer-suggestions option")).to_have_count(2)
    suggested = page.locator("#customer-suggestions option").evaluate_all("os => os.map(o => o.value)")
    assert suggested == ["Alpha Telecom", "Alphabet Carrier"]

    customer.fill("Alpha Telecom")  # what choosing the suggestion puts in the field
    customer.press("Tab")
    expect(page.locator("#account option")).to_have_count(3)
    assert _account_labels(page) == ["Choose an account", "Alpha east", "Alpha west"]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "new-invoice-customer-chosen.png"), full_page=True)

    page.get_by_label("Account").select_option(label="Alpha west")
    page.get_by_label("Start date").fill("2026-05-01")
    page.get_by_label("End date").fill("2026-06-01")
    page.get_by_role("button", name="Create and fill").click()
    page.wait_for_selector("text=its charges are being filled")
    db.session.expire_all()
    assert db.session.query(Invoice).one().account_id == mine[1].id


def test_without_javascript_the_form_comes_back_with_the_customers_accounts(app, browser, live_server, browser_login):
    ours, mine = _customers()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_login(page, "clerk@telco.example", PASSWORD)
        page.goto(f"{live_server.url}/admin/invoices/new")
        page.get_by_label("Customer").fill("Nobody at all")
        page.get_by_label("Start date").fill("2026-05-01")
        page.get_by_role("button", name="Show its accounts").click()
        page.wait_for_load_state()
        assert "is not a known customer" in page.locator("#customer-error").inner_text()
        assert page.get_by_label("Customer").input_value() == "Nobody at all"  # kept, to correct
        assert page.get_by_label("Start date").input_value() == "2026-05-01"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, "new-invoice-unknown-customer.png"), full_page=True)

        page.get_by_label("Customer").fill("alpha telecom")  # the whole name, in any case
        page.get_by_role("button", name="Show its accounts").click()
        page.wait_for_load_state()
        assert _account_labels(page) == ["Choose an account", "Alpha east", "Alpha west"]
        assert page.get_by_label("Start date").input_value() == "2026-05-01"
        page.get_by_label("Account").select_option(label="Alpha east")
        page.get_by_label("End date").fill("2026-06-01")
        page.get_by_role("button", name="Create and fill").click()
        page.wait_for_selector("text=its charges are being filled")
        db.session.expire_all()
        assert db.session.query(Invoice).one().account_id == mine[0].id
    finally:
        context.close()
