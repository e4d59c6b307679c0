"""The admin invoice list's filters in plain words: part of a number, a payment status (with its column),
a customer searched as you type (never one option per customer), its accounts as a choice, and only the
actions the admin's level allows."""

from __future__ import annotations

import datetime as dt
import re

from portal.extensions import db
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import AccountFactory, CustomerFactory
from tests.invoices import make_invoice


def body(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def listed_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)}


def test_part_of_an_invoice_number_finds_it(app, admin_client):
    account = AccountFactory()
    wanted = approved_invoice(account, month(-2), invoice_number="INV-2026-000338")
    other = approved_invoice(account, month(-1), invoice_number="INV-2026-000412")
    db.session.commit()
    found = listed_ids(body(admin_client(1), "/admin/invoices?number=338"))
    assert wanted.id in found and other.id not in found
    assert listed_ids(body(admin_client(1), "/admin/invoices?number=inv-2026-0004")) == {other.id}


def test_payment_status_filter_and_column(app, admin_client):
    account = AccountFactory()
    overdue = approved_invoice(account, month(-3), due=TODAY - dt.timedelta(days=4))
    paid = approved_invoice(account, month(-2), paid="100.00")
    pending = make_invoice("Pending")
    db.session.commit()
    client = admin_client(1)
    html = body(client, "/admin/invoices?paymentStatus=overdue")
    assert listed_ids(html) == {overdue.id}
    assert ">Overdue<" in html
    assert listed_ids(body(client, "/admin/invoices?paymentStatus=draft")) == {pending.id}
    assert paid.id in listed_ids(body(client, "/admin/invoices?paymentStatus=paid"))
    everything = body(client, "/admin/invoices")
    assert ">Paid<" in everything and ">Draft<" in everything and "<th>Payment</th>" in everything
    assert "Unsent only" not in everything
    refused = client.get("/admin/invoices?paymentStatus=late")
    assert refused.status_code == 200 and "paymentStatus - must be one of" in refused.get_data(as_text=True)


def test_customers_are_searched_not_listed_and_the_chosen_one_offers_its_accounts(app, admin_client):
    customers = [CustomerFactory(name=f"Carrier {n:03d}") for n in range(40)]
    acme = CustomerFactory(name="Acme Voice")
    east, west = AccountFactory(customer=acme, name="Acme east"), AccountFactory(customer=acme, name="Acme west")
    elsewhere = AccountFactory(customer=customers[0], name="Carrier trunk")
    ours = approved_invoice(east, month(-1))
    theirs = approved_invoice(elsewhere, month(-1))
    db.session.commit()
    client = admin_client(1)

    page = body(client, "/admin/invoices")
    assert "Carrier 007" not in page  # no <option> per customer
    assert 'name="customerName"' in page and "Choose a customer to pick one of its accounts" in page

    found = body(client, "/admin/invoices?customerName=acme")
    assert listed_ids(found) == {ours.id}
    exact = body(client, "/admin/invoices?customerName=Acme+Voice")
    options = re.findall(r'<option value="(\d+)"', exact.split('id="f-account"')[1].split("</select>")[0])
    assert set(options) == {str(east.id), str(west.id)}
    by_account = body(client, f"/admin/invoices?customerName=Acme+Voice&account={west.id}")
    assert listed_ids(by_account) == set() and f'<option value="{west.id}" selected>' in by_account
    assert theirs.id in listed_ids(body(client, f"/admin/invoices?customer={customers[0].id}"))

    suggestions = body(client, "/admin/invoices/customer-suggestions?customerName=carrier")
    assert suggestions.count("<option") == 20 and "Carrier 000" in suggestions and "Acme" not in suggestions
    assert body(client, "/admin/invoices/customer-suggestions?customerName=%25").count("<option") == 0


def test_a_level_one_viewer_is_offered_only_what_it_may_do(app, admin_client):
    make_invoice("Pending")
    viewer = body(admin_client(1), "/admin/invoices")
    assert 'value="approve"' not in viewer and 'value="email"' not in viewer
    assert "New manual invoice" not in viewer and 'value="zip"' in viewer
    approver = body(admin_client(3), "/admin/invoices")
    assert 'value="approve"' in approver and 'value="email"' in approver and "New manual invoice" in approver
    assert 'data-select-all="ids"' in viewer
