"""Every customer and admin page in Chromium, on a desktop and a phone, light and dark: axe-core (WCAG 2.2
AA rules) finds no serious or critical violation, no id is used twice in a page, and no page scrolls sideways
on the phone.

With PORTAL_SCREENSHOTS=<folder> each page is also saved as a full-page screenshot there, to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from portal.billing.bulk import request_bulk_approval
from portal.extensions import db
from portal.foundations.permissions import admin_actor
from tests.browser.conftest import npm_file, sign_in
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import (
    AccountFactory,
    AdminUserFactory,
    BillingRunFactory,
    ContactFactory,
    CustomerFactory,
    CustomerUserFactory,
)
from tests.invoices import make_invoice

AXE_VERSION = "4.10.3"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def axe_js() -> str:
    return npm_file("axe-core", AXE_VERSION, "axe.min.js").decode()


@pytest.fixture
def site(app):
    """One of everything a page can show: a customer with invoices, users, a run, an admin of level 5."""
    customer = CustomerFactory(name="Nordwind Telekom GmbH")
    account = AccountFactory(customer=customer, name="Nordwind Wholesale", currency="EUR")
    contact = ContactFactory(customer=customer, email="ap@nordwind.example")
    account.invoice_contacts.append(contact)
    invoices = [
        approved_invoice(
            account,
            month(-i),
            total=f"{i * 123}.45",
            paid="0" if i % 3 == 0 else f"{i * 123}.45",
            due=TODAY - dt.timedelta(days=3),
        )
        for i in range(1, 6)
    ]
    customer_user = CustomerUserFactory(customer=customer, email="portal@nordwind.example")
    admin = AdminUserFactory(level=5, email="admin@telco.example")
    pending = make_invoice("Pending")
    run = BillingRunFactory(accounts_total=1, accounts_done=1, invoices_created=1, created_by=admin.email)
    db.session.commit()
    # A finished bulk approval: one invoice approved, one skipped (the commit runs its job, no queue here).
    bulk = request_bulk_approval([make_invoice("Pending").id, invoices[0].id], actor=admin_actor(admin))
    db.session.commit()
    return {
        "bulk": bulk,
        "customer": customer,
        "account": account,
        "invoice": invoices[0],
        "pending": pending,
        "customer_user": customer_user,
        "admin": admin,
        "run": run,
    }


def customer_pages(site) -> list[str]:
    return [
        "/portal/",
        "/portal/invoices",
        "/portal/invoices?status=overdue",
        "/portal/invoices?period_from=2020-02-01&period_to=2020-01-01",  # a filter with errors
        f"/portal/invoices/{site['invoice'].uuid}",
        "/profile/password",
    ]


def admin_pages(site) -> list[str]:
    customer, pending = site["customer"], site["pending"]
    return [
        "/admin/",
        "/admin/invoices",
        f"/admin/invoices/{pending.id}",
        f"/admin/invoices/{site['invoice'].id}",
        "/admin/invoices/new",
        "/admin/customers",
        "/admin/customers/new",
        f"/admin/customers/{customer.id}",
        f"/admin/customers/{customer.id}/edit",
        f"/admin/customers/{customer.id}/accounts/new",
        f"/admin/customers/{customer.id}/users/new",
        f"/admin/accounts/{site['account'].id}",
        "/admin/users",
        "/admin/users/admins/new",
        f"/admin/users/customers/{site['customer_user'].id}",
        "/admin/api-keys",
        "/admin/api-keys/new",
        "/admin/templates",
        "/admin/templates/messages/new",
        "/admin/billing-runs",
        "/admin/billing-runs/new",
        f"/admin/billing-runs/{site['run'].id}",
        f"/admin/invoices/bulk-approvals/{site['bulk'].id}",
        "/admin/audit",
        "/admin/outbox",
        "/admin/failures",
        "/profile/password",
    ]


# The innermost elements that reach past the right edge of the screen (to name them in a failure).
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)
               && !e.closest('.table-wrap'))
  .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""

# Ids that more than one element carries (a label then points at the wrong field).
DUPLICATE_IDS = """() => { const seen = {};
  document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);
  return Object.keys(seen).filter(id => seen[id] > 1); }"""

PUBLIC_PAGES = ["/login", "/password/forgot"]


def check_pages(context, base_url: str, paths: list[str], axe_js: str, label: str) -> list[str]:
    """axe on each page (serious and critical only) and, on a phone, the page's width; the problems found."""
    problems = []
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    page = context.pages[0]
    for path in paths:
        response = page.goto(base_url + path)
        assert response.status < 500, f"{path}: {response.status}"
        page.evaluate(axe_js)
        result = page.evaluate(
            "async (tags) => JSON.stringify((await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
            AXE_TAGS,
        )
        duplicates = page.evaluate(DUPLICATE_IDS)
        if duplicates:
            problems.append(f"{label} {path}: duplicate ids {duplicates}")
        for violation in json.loads(result):
            problems.append(f"{label} {path}: {violation['impact']} {violation['id']} at {violation['nodes']}")
        if context.viewport_width < 500:
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                culprits = page.evaluate(WIDE_ELEMENTS)
                problems.append(f"{label} {path}: scrolls sideways by {overflow}px ({culprits})")
        if shots:
            name = f"{label}{path}".replace("/", "_").replace("?", "_").replace("&", "_")
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_every_page_passes_axe_and_fits_the_screen(app, browser, htmx_js, axe_js, live_server, site, device, scheme):
    problems = []
    for who, email, paths in (
        ("anonymous", None, PUBLIC_PAGES),
        ("customer", site["customer_user"].email, customer_pages(site)),
        ("admin", site["admin"].email, admin_pages(site)),
    ):
        # axe is injected into the page by Playwright; the pages' own CSP stays on for everything else.
        context = browser.new_context(viewport=VIEWPORTS[device], color_scheme=scheme, bypass_csp=True)
        context.viewport_width = VIEWPORTS[device]["width"]
        context.route(
            app.config["HTMX_URL"],
            lambda route: route.fulfill(status=200, body=htmx_js, content_type="application/javascript"),
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if email:
                sign_in(page, live_server.url, email)
            problems += check_pages(context, live_server.url, paths, axe_js, f"{device}-{scheme}-{who}")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
