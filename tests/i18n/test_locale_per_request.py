"""The locale of a request: the customer's language for its users, English for admins, parsed once per request."""

from __future__ import annotations

import pytest
from babel import Locale

from portal.extensions import db
from portal.foundations import formatting, i18n
from tests.customer.conftest import approved_invoice, month
from tests.factories import AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory


@pytest.fixture
def parses(monkeypatch):
    """Counts the locale identifiers Babel parses (a Locale handed to Babel is used as it is, not parsed)."""
    calls: list[object] = []
    original = Locale.parse.__func__

    def counting(cls, identifier, *args, **kwargs):
        if not isinstance(identifier, Locale):
            calls.append(identifier)
        return original(cls, identifier, *args, **kwargs)

    monkeypatch.setattr(Locale, "parse", classmethod(counting))
    i18n.locale_for.cache_clear()
    yield calls
    i18n.locale_for.cache_clear()


@pytest.fixture
def figures(monkeypatch):
    """Counts the figures and dates formatted (each one parsed a locale before the locale was kept per request)."""
    calls: list[str] = []
    for name in ("format_currency", "format_decimal", "format_percent", "format_date", "format_datetime"):
        original = getattr(formatting, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(formatting, name, counting)
    return calls


@pytest.fixture
def german_customer(app):
    customer = CustomerFactory(name="Nordwind Telekom GmbH", language="de")
    account = AccountFactory(customer=customer, name="Nordwind EUR", currency="EUR")
    for i in range(1, 41):
        approved_invoice(account, month(-i), total=f"{i * 101}.50", paid="0")
    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    return user


def test_a_customer_list_of_forty_invoices_parses_the_locale_at_most_once(
    client, login, german_customer, parses, figures
):
    login(german_customer)
    page = client.get("/portal/invoices?per_page=50")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "4.040,50\xa0€" in html  # German figures: the customer's language was used
    # Hundreds of figures and dates on the page, one parse: the first time this process meets German.
    assert len(figures) >= 200
    assert parses == ["de"]
    parses.clear()
    client.get("/portal/invoices?per_page=50")
    client.get("/portal/")
    assert parses == []  # the next requests parse nothing at all


def test_the_admin_invoice_list_parses_no_locale_per_figure(client, login, german_customer, parses, figures):
    login(AdminUserFactory(level=5))
    db.session.commit()
    page = client.get("/admin/invoices?per_page=100")
    assert page.status_code == 200
    assert "€4,040.50" in page.get_data(as_text=True)  # admins see English
    assert len(figures) >= 100
    assert parses == ["en"]


def test_each_request_chooses_its_own_locale(client, login, german_customer):
    login(german_customer)
    german = client.get("/portal/").get_data(as_text=True)
    assert 'lang="de"' in german
    login(AdminUserFactory(level=5))
    db.session.commit()
    english = client.get("/admin/invoices").get_data(as_text=True)
    assert 'lang="en"' in english and "€4,040.50" in english
