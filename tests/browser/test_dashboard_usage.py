"""The dashboard's "this period so far" in a real browser, on a desktop and a phone: one row per account the user
may see with its calls, minutes and amount so far, inside the screen's width."""

from __future__ import annotations

import pytest

from portal.billing.usage import open_period, usage_so_far
from portal.extensions import db
from portal.foundations.database import utcnow
from tests.factories import PASSWORD, AccountFactory, CustomerFactory, CustomerUserFactory
from tests.statement.test_usage_so_far import account_with_plans, traffic

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_dashboard_shows_this_periods_usage_per_account(page, live_server, browser_login, app, viewport, tmp_path):
    customer = CustomerFactory()
    accounts = [
        account_with_plans(customer=customer, invoice_period="Monthly", name="Main line"),
        AccountFactory(customer=customer, currency="USD", invoice_period="Weekly", name="Second line"),
    ]
    carrier, now = AccountFactory(), utcnow()
    for account in accounts:
        traffic(account, carrier, open_period(account, now)[0], now)
    CustomerUserFactory(customer=customer, email="usage@customer.example")
    db.session.commit()
    amounts = {a.name: usage_so_far(a, now).amount for a in accounts}

    page.set_viewport_size(VIEWPORTS[viewport])
    browser_login(page, "usage@customer.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/")
    section = page.locator("section", has=page.get_by_role("heading", name="This period so far"))
    assert section.is_visible()
    for name, symbol in (("Main line", "€"), ("Second line", "$")):
        row = section.locator("tr", has_text=name)
        cell = row.locator("td[data-amount]")
        assert cell.inner_text() == f"{symbol}{amounts[name]:,.2f}"
        box = cell.bounding_box()  # the amount is on the screen, not scrolled off to the side
        assert box is not None and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    page.screenshot(path=str(tmp_path / f"dashboard-{viewport}.png"), full_page=True)
