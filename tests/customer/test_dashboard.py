"""The customer dashboard: totals per currency, latest invoices, the spend chart and the account switcher."""

import datetime as dt
import re

from portal.extensions import db
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import AccountFactory, CustomerUserFactory


def test_outstanding_and_overdue_are_totalled_per_currency_never_across(client, login, customer, account):
    usd = AccountFactory(customer=customer, currency="USD", name="US trunk")
    approved_invoice(account, month(-3), total="100.00", due=TODAY - dt.timedelta(days=5))
    approved_invoice(account, month(-2), total="50.00", paid="20.00", due=TODAY + dt.timedelta(days=10))
    approved_invoice(account, month(-1), total="70.00", paid="70.00")
    approved_invoice(usd, month(-1), total="1000.00", due=TODAY - dt.timedelta(days=1))
    login(CustomerUserFactory(customer=customer))
    db.session.commit()
    html = client.get("/portal/").get_data(as_text=True)
    eur = re.search(r'data-currency="EUR">(.*?)</div>', html, re.S).group(1)
    usd_card = re.search(r'data-currency="USD">(.*?)</div>', html, re.S).group(1)
    assert "€130.00" in eur and "Overdue: <strong>€100.00</strong>" in eur
    assert "$1,000.00" in usd_card and "Overdue: <strong>$1,000.00</strong>" in usd_card
    assert "1,130" not in html and "1.130" not in html


def test_latest_invoices_and_chart_of_the_last_twelve(signed_in, account):
    invoices = [approved_invoice(account, month(-i), total=f"{i}0.00") for i in range(1, 15)]
    db.session.commit()
    html = signed_in.get("/portal/").get_data(as_text=True)
    assert invoices[0].invoice_number in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<rect") == 12
    labels = re.findall(r'class="chart__label">([^<]+)<', svg)
    assert labels == [f"{d:%b} {d.day}, {d.year}" for d in (month(-i) for i in range(12, 0, -1))]
    assert "Show the numbers as a table" in html


def test_account_switcher_appears_only_with_several_accounts(client, login, customer, account):
    approved_invoice(account, month(-1))
    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    login(user)
    assert 'aria-label="Switch account"' not in client.get("/portal/").get_data(as_text=True)
    second = AccountFactory(customer=customer, name="Second")
    other_invoice = approved_invoice(second, month(-1), total="5.00")
    db.session.commit()
    html = client.get("/portal/").get_data(as_text=True)
    assert 'aria-label="Switch account"' in html
    switched = client.get(f"/portal/?account={account.id}").get_data(as_text=True)
    assert other_invoice.invoice_number not in switched


def test_switching_to_a_foreign_account_is_a_field_error(client, login, customer, account):
    AccountFactory(customer=customer)
    foreign = AccountFactory()
    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    login(user)
    response = client.get(f"/portal/?account={foreign.id}")
    assert response.status_code == 200
    assert "Choose one of your accounts." in response.get_data(as_text=True)


def test_empty_dashboard(signed_in):
    html = signed_in.get("/portal/").get_data(as_text=True)
    assert "Nothing is outstanding" in html and "No invoices yet" in html
