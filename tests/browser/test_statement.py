"""The invoice statement in a real browser, on a desktop and a phone: credits and discounts in words and signs,
lines that add up, the payment panel with its copy buttons and GiroCode, no page wider than the screen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import Organization
from tests.factories import PASSWORD, CustomerUserFactory
from tests.statement.data import generated_invoices

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def statement_invoices(app):
    invoices = generated_invoices()
    for org in db.session.query(Organization):
        org.iban, org.bic, org.bank_name = "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "Commerzbank"
    discounted = invoices[0]  # EUR, two discount plans, credited traffic and a refund, partly paid
    credit_note = invoices[2]  # its refund outweighs its charges: a negative total
    assert discounted.discount_amount > 0 and credit_note.total_amount < 0
    for invoice in (discounted, credit_note):
        CustomerUserFactory(customer=invoice.customer, email=f"ap{invoice.customer_id}@customer.example")
    db.session.commit()
    return {"discounted": discounted, "credit note": credit_note}


def _amount(text: str) -> Decimal:
    value = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    return -Decimal(value) if text.strip().startswith("−") else Decimal(value)


def _open(page, live_server, browser_login, invoice):
    browser_login(page, f"ap{invoice.customer_id}@customer.example", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices/{invoice.uuid}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    lines = [_amount(t) for t in page.locator("table.statement tr[data-line] td").all_inner_texts()]
    net = _amount(page.locator("table.statement tr[data-figure=net] td").inner_text())
    assert sum(lines, Decimal(0)) == net


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_discount_invoice_names_its_plans_and_shows_how_to_pay(
    page, live_server, browser_login, statement_invoices, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    _open(page, live_server, browser_login, statement_invoices["discounted"])
    free = page.locator("tr.line--discount", has_text="5 free minutes to Germany")
    assert free.is_visible()
    assert "used" in free.inner_text() and "left" in free.inner_text() and "−€" in free.inner_text()
    assert page.locator("tr.line--discount", has_text="German mobile").is_visible()
    credit = page.locator("tr.line--credit", has_text="Terminated calls – credit")
    assert credit.is_visible() and "−€" in credit.inner_text()
    panel = page.locator("section.payment-panel")
    assert "DE89 3704 0044 0532 0130 00" in panel.inner_text() and "COBADEFFXXX" in panel.inner_text()
    assert statement_invoices["discounted"].invoice_number in panel.inner_text()
    assert panel.locator("svg.segno").is_visible()  # the GiroCode of a EUR balance
    copy = panel.get_by_role("button", name="Copy IBAN")
    assert copy.is_visible()  # unhidden by the script: the page works without it
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_credit_note_says_so_and_asks_for_nothing(page, live_server, browser_login, statement_invoices, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    _open(page, live_server, browser_login, statement_invoices["credit note"])
    assert page.get_by_role("heading", level=1).inner_text().startswith("Credit note")
    refund = page.locator("tr.line--credit", has_text="– credit").last
    assert refund.is_visible() and "−£" in refund.inner_text()
    assert page.locator("tr[data-figure=total] td").inner_text().startswith("−£")
    assert "in your favour" in page.locator("section.payment-panel").inner_text()
    assert page.locator("#statement-legend").is_visible()
