"""The main customer and admin pages under the real Content-Security-Policy in Chromium: no violation, htmx
loaded with SRI."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.documents.conftest import make_invoice
from tests.factories import PASSWORD, AdminUserFactory, CustomerUserFactory

# Runs in every document before its own scripts: keeps each violation the browser reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                              + ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`);
});
"""


@pytest.fixture
def csp_page(page):
    """A page that records CSP violations from the console and from `securitypolicyviolation` events."""
    page.console_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.console_violations.append(message.text),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    return page


@pytest.fixture
def invoice(app):
    invoice = make_invoice(destinations=3)
    CustomerUserFactory(customer=invoice.customer, email="csp@customer.example")
    AdminUserFactory(level=5, email="csp@admin.example")
    db.session.commit()
    return invoice


def visit(page, url: str) -> list[str]:
    """Open `url`, let htmx and the app's scripts run, and return the violations it caused."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


def assert_htmx_loaded_with_integrity(page, app) -> None:
    script = page.locator(f'script[src="{app.config["HTMX_URL"]}"]')
    assert script.count() == 1
    assert script.get_attribute("integrity") == app.config["HTMX_SRI"]
    assert script.get_attribute("crossorigin") == "anonymous"
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("window.htmx.version") == app.config["HTMX_VERSION"]


def test_customer_pages_raise_no_csp_violation(app, csp_page, live_server, browser_login, invoice):
    page = csp_page
    browser_login(page, "csp@customer.example", PASSWORD)
    violations = {}
    for path in ["/portal/", "/profile/password", "/portal/invoices", f"/portal/invoices/{invoice.uuid}"]:
        violations[path] = visit(page, live_server.url + path)
        assert_htmx_loaded_with_integrity(page, app)
    # The print button is shown and wired by the app's own script (no inline handler).
    page.wait_for_selector("button.print-button:not([hidden])")
    assert page.get_by_role("button", name="Print").is_visible()
    # An htmx swap of the results keeps within the policy too.
    visit(page, live_server.url + "/portal/invoices")
    page.get_by_label("Status").select_option("unpaid")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=unpaid**")
    page.wait_for_load_state("networkidle")
    violations["/portal/invoices (htmx)"] = page.evaluate("window.__cspViolations")
    assert {path: found for path, found in violations.items() if found} == {}
    assert page.console_violations == []


def test_admin_pages_raise_no_csp_violation(app, csp_page, live_server, browser_login, invoice):
    page = csp_page
    browser_login(page, "csp@admin.example", PASSWORD)
    violations = {}
    for path in [
        "/admin/",
        "/admin/invoices",
        f"/admin/invoices/{invoice.id}",
        "/admin/customers",
        f"/admin/customers/{invoice.customer_id}",
        f"/admin/accounts/{invoice.account_id}",
        "/admin/users",
        "/admin/billing-runs",
        "/admin/audit",
    ]:
        violations[path] = visit(page, live_server.url + path)
        assert_htmx_loaded_with_integrity(page, app)
    assert {path: found for path, found in violations.items() if found} == {}
    assert page.console_violations == []


def test_the_recorder_sees_a_violation(app, csp_page, live_server, invoice):
    """The check can fail: an inline style injected into a served page is reported."""
    page = csp_page
    visit(page, live_server.url + "/login")
    page.evaluate("""() => { const s = document.createElement("style");
                             s.textContent = "body { color: red }"; document.head.appendChild(s); }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in page.evaluate("window.__cspViolations")[0]
