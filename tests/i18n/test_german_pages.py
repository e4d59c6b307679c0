"""A German customer's portal pages are German, figures and dates in the German locale; admins stay in English."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.customer.conftest import approved_invoice, month
from tests.factories import AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory


@pytest.fixture
def nordwind(app):
    customer = CustomerFactory(name="Nordwind Telekom GmbH", language="de")
    account = AccountFactory(customer=customer, name="Nordwind EUR", currency="EUR")
    invoices = [approved_invoice(account, month(-i), total=f"{i * 1000}.25") for i in range(1, 4)]
    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    return user, invoices


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_list_and_detail_are_german(client, login, nordwind):
    user, invoices = nordwind
    login(user)
    dashboard = text(client.get("/portal/").get_data(as_text=True))
    assert "Offene Beträge" in dashboard and "Neueste Rechnungen" in dashboard and "3.000,25 €" in dashboard
    assert "What you owe" not in dashboard and "Sign out" not in dashboard
    assert "Überfällig:" in dashboard and "unbezahlte Rechnung" in dashboard
    assert not re.search(r"unpaid invoice|Overdue|See overdue|\d invoices?\b", dashboard), dashboard
    listing = client.get("/portal/invoices?preset=last_3_months").get_data(as_text=True)
    assert "Filter anwenden" in listing and "Letzte 3 Monate" in listing and "Rechnungsdatum" in listing
    assert "Apply filters" not in listing
    detail = text(client.get(f"/portal/invoices/{invoices[0].uuid}").get_data(as_text=True))
    assert (
        f"Rechnung {invoices[0].invoice_number}" in detail
        and "Das PDF dieser Rechnung ist noch nicht fertig." in detail
    )
    assert "1.000,25 €" in detail and "Amounts" not in detail and "Beträge" in detail


def test_a_bad_filter_is_explained_in_german(client, login, nordwind):
    login(nordwind[0])
    html = client.get("/portal/invoices?status=bogus").get_data(as_text=True)
    assert "Wählen Sie unbezahlt, bezahlt oder überfällig." in html
    html = client.get("/portal/invoices?period_from=2026-05-01&period_to=2026-04-01").get_data(as_text=True)
    assert "Darf nicht vor dem Anfangsdatum liegen." in html


def test_admins_see_the_same_invoices_in_english(client, login, nordwind):
    login(AdminUserFactory(level=5))
    db.session.commit()
    html = client.get("/admin/invoices").get_data(as_text=True)
    assert "€3,000.25" in html and "Rechnung" not in html
