"""The locale of a request: the customer's language for its users, English for admins, parsed once per request."""

from __future__ import annotations

import re
from decimal import Decimal

import babel.numbers
import pytest
from babel import Locale
from babel.numbers import format_currency

from portal.extensions import db
from portal.foundations import formatting, i18n
from portal.foundations.money import round_currency
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
    for name in ("currency_text", "format_decimal", "format_percent", "day_text", "format_datetime"):
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


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_money_reads_as_babel_writes_it(language):
    """The currency pattern with the symbol written in once gives Babel's own text, to the last digit."""
    locale = i18n.locale_for(language)
    for currency in ("EUR", "USD", "GBP", "CHF", "SEK", "JPY", "BHD"):  # 2, 0 and 3 decimals
        for text in ("0", "0.004", "0.005", "1", "12.5", "99.995", "1234.5", "1234567.891", "0.000001"):
            value = Decimal(text)
            assert formatting.currency_text(value, currency, locale) == format_currency(value, currency, locale=locale)
            # money() rounds half up first, as the documents' sums do; then it is Babel's text again.
            assert formatting.money(-value, currency, locale).lstrip(formatting.MINUS) == format_currency(
                round_currency(value, currency), currency, locale=locale
            )


def test_a_customer_list_names_no_currency_and_formats_each_day_once(client, login, german_customer, monkeypatch):
    names: list[str] = []
    days: list[object] = []
    name_of, format_date = babel.numbers.get_currency_name, formatting.format_date
    monkeypatch.setattr(babel.numbers, "get_currency_name", lambda *a, **k: names.append(a[0]) or name_of(*a, **k))
    monkeypatch.setattr(formatting, "format_date", lambda *a, **k: days.append(a[0]) or format_date(*a, **k))
    formatting.day_text.cache_clear()
    login(german_customer)
    html = client.get("/portal/invoices?per_page=50").get_data(as_text=True)
    assert "4.040,50\xa0€" in html and re.search(r">\d\d\.\d\d\.\d{4}<", html)  # German figures and dates
    assert names == []  # Babel worked out a currency's plural name for every figure, to throw it away
    assert days and len(days) == len(set(days))  # 40 invoices, four dates each: every day formatted once
    days.clear()
    assert client.get("/portal/invoices?per_page=50").status_code == 200
    assert days == []
