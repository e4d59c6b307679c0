"""In Chromium with a German browser: the sign-in page is German; choosing English there switches it (and keeps the
choice); after sign-in the customer's language applies. PORTAL_SCREENSHOTS=<folder> saves the sign-in page there."""

from __future__ import annotations

import os
from pathlib import Path

from portal.extensions import db
from tests.factories import PASSWORD, CustomerFactory, CustomerUserFactory


def test_a_german_browser_signs_in_in_german_and_then_sees_the_customers_language(browser, live_server):
    customer = CustomerFactory(name="Bordeaux Télécom SA", language="fr")
    CustomerUserFactory(customer=customer, email="luc@bordeaux.example")
    db.session.commit()
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/login")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", level=1).inner_text() == "Anmelden"
        shots = os.environ.get("PORTAL_SCREENSHOTS")
        if shots:
            page.screenshot(path=str(Path(shots) / "sign-in-de.png"), full_page=True)

        page.get_by_label("E-Mail").fill("luc@bordeaux.example")
        page.get_by_label("Passwort", exact=True).fill("not the password")
        page.get_by_role("button", name="Anmelden").click()
        assert page.get_by_role("alert").filter(has_text="E-Mail-Adresse oder Passwort ist falsch.").is_visible()

        page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
        page.reload()
        assert page.locator("html").get_attribute("lang") == "en"

        page.get_by_label("Email").fill("luc@bordeaux.example")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/portal/")
        assert page.locator("html").get_attribute("lang") == "fr"
    finally:
        context.close()
