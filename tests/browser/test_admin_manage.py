"""In a real browser: an admin watches a running billing run update by itself (htmx polling), then starts
a billing run from the form and reads the result."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from portal.billing.schedule import set_invoice_period
from portal.extensions import db
from portal.models import BillingRun
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory, CdrFactory

UTC = dt.timezone.utc


def test_admin_follows_a_running_billing_run_and_starts_one_from_the_browser(app, live_server, page, browser_login):
    admin = AdminUserFactory(level=4, email="runner@telco.example")
    account = AccountFactory(name="Browser Voice", timezone="UTC")
    set_invoice_period(account, "Monthly", now=dt.datetime(2026, 5, 10, tzinfo=UTC))
    for _ in range(2):
        CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 12, tzinfo=UTC))
    running = BillingRun(
        run_at=dt.datetime(2026, 5, 1, tzinfo=UTC),
        status="running",
        accounts_total=3,
        accounts_done=1,
        failures=[],
        anomalies=[],
        created_by="cron",
    )
    db.session.add(running)
    db.session.commit()

    browser_login(page, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/billing-runs/{running.id}")
    expect(page.locator("#run-counts")).to_contain_text("1 of 3 accounts")

    # The worker finishes; the open page polls every 2 s and shows it without a reload.
    running.status, running.accounts_done = "done", 3
    running.finished_at = dt.datetime(2026, 5, 1, 0, 1, tzinfo=UTC)
    db.session.commit()
    expect(page.locator("#billing-run")).to_have_attribute("data-status", "done", timeout=8_000)
    expect(page.locator("#run-counts")).to_contain_text("3 of 3 accounts")
    expect(page.locator("#billing-run")).not_to_have_attribute("hx-trigger", re.compile("every"))

    page.goto(f"{live_server.url}/admin/billing-runs")
    page.get_by_role("link", name="Start a billing run").click()
    page.get_by_label("Invoice up to (UTC)").fill("2026-06-02T00:00:00")
    page.get_by_label("Approve the invoices it creates").check()
    page.get_by_role("button", name="Start billing run").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Billing run \d+"))
    expect(page.locator("#run-status")).to_have_text("done")
    invoices = page.locator("#run-invoices")
    expect(invoices).to_contain_text("Browser Voice")
    expect(invoices).to_contain_text("Approved")
    expect(invoices).to_contain_text("€0.20")
    expect(page.locator("#run-failures")).to_contain_text("No failures.")
    expect(page.locator(".flash--success")).to_contain_text("started")
