"""Signing in and out in Chromium through the real form, and downloading a PDF through a link."""

from __future__ import annotations

import datetime as dt

from portal.delivery.links import mint_download_link
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.browser.conftest import download_pdf
from tests.documents.conftest import make_invoice
from tests.factories import PASSWORD, CustomerUserFactory


def test_customer_signs_in_with_the_form_and_signs_out(app, page, live_server, browser_login):
    user = CustomerUserFactory(email="browser@customer.example")
    db.session.commit()
    browser_login(page, "nobody@customer.example", PASSWORD)
    assert page.get_by_text("Invalid email or password.").is_visible()
    browser_login(page, user.email, PASSWORD)
    assert "/login" not in page.url
    page.goto(f"{live_server.url}/profile/password")
    assert page.get_by_role("heading", name="Change password").is_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()  # not "Sign out everywhere"
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/login")
    page.goto(f"{live_server.url}/profile/password")
    assert "/login" in page.url


def test_link_landing_page_downloads_the_pdf_and_then_says_gone(app, page, live_server):
    invoice = make_invoice(destinations=1)
    _, token = mint_download_link(
        invoice,
        actor=Actor("ops", kind="admin", level=3),
        expires_in=dt.timedelta(minutes=10),
        max_uses=1,
        purpose="email",
    )
    db.session.commit()
    page.goto(f"{live_server.url}/d/{token}")
    assert page.get_by_role("heading", name=f"Invoice {invoice.invoice_number}").is_visible()
    download_pdf(page, invoice)
    response = page.goto(f"{live_server.url}/d/{token}")
    assert response.status == 410
    assert page.get_by_text("used as many times as it allows").is_visible()
