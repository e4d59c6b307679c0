"""In Chromium: an admin generates a download link; the page after the redirect shows it once with a Copy
button that works with the htmx CDN down (the app's own script), a reload creates no second link, and without
JavaScript the link is plain selectable text."""

from __future__ import annotations

import os

from sqlalchemy import select

from portal.extensions import db
from portal.models import DownloadLink
from tests.factories import PASSWORD, AdminUserFactory
from tests.invoices import make_invoice

SHOTS = os.environ.get("PORTAL_SCREENSHOTS")


def _sign_in(page, base_url: str, email: str):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _generate(page, base_url: str, invoice):
    page.goto(f"{base_url}/admin/invoices/{invoice.id}")
    page.get_by_role("button", name="Generate link").click()
    page.get_by_role("heading", name=f"Download link for invoice {invoice.invoice_number}").wait_for()


def test_copy_button_copies_the_link_and_a_reload_mints_nothing(app, browser, live_server):
    admin = AdminUserFactory(level=3, email="clerk@telco.example")
    db.session.commit()
    invoice = make_invoice("Approved")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.route(app.config["HTMX_URL"], lambda route: route.abort())  # the CDN is down
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _sign_in(page, live_server.url, admin.email)
        _generate(page, live_server.url, invoice)
        assert f"/admin/invoices/{invoice.id}/links/" in page.url  # after the redirect: a GET
        field = page.get_by_label("Link", exact=True)
        url = field.input_value()
        assert url.startswith("http") and "/d/" in url and url.rpartition("/")[2] not in page.url

        page.get_by_role("button", name="Copy link").click()
        page.get_by_role("status").filter(has_text="Link copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == url
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, "link-created-phone.png"), full_page=True)

        page.reload()
        assert page.url.endswith(f"/admin/invoices/{invoice.id}")
        assert page.get_by_text("was shown once, when it was created").is_visible()
        assert url not in page.content()
        assert len(db.session.scalars(select(DownloadLink)).all()) == 1
    finally:
        context.close()


def test_without_javascript_the_link_is_selectable_text_and_no_button_shows(app, browser, live_server):
    admin = AdminUserFactory(level=3, email="clerk@telco.example")
    db.session.commit()
    invoice = make_invoice("Approved")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _sign_in(page, live_server.url, admin.email)
        _generate(page, live_server.url, invoice)
        assert "/d/" in page.get_by_label("Link", exact=True).input_value()
        assert page.get_by_role("button", name="Copy link").count() == 0  # hidden: it could do nothing
    finally:
        context.close()
