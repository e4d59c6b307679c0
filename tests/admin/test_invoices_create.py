"""Creating a manual invoice from the admin area: engine errors beside the fields, success, levels."""

from __future__ import annotations

import re

from portal.models import Invoice
from tests.admin.conftest import post
from tests.factories import AccountFactory


def _create(client, account_id, start_date: str, end_date: str, **more):
    """Post the new-invoice form for an account and period."""
    form = {"account": account_id, "start_date": start_date, "end_date": end_date, **more}
    return post(client, "/admin/invoices/new", form)


def test_creates_fills_and_redirects_to_the_invoice(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    client = admin_client(2)
    response = _create(client, account.id, "2026-05-01", "2026-06-01", customer=account.customer.name.upper())
    [invoice] = session.query(Invoice).all()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/invoices/{invoice.id}")
    assert invoice.state == "Pending"  # the fill job ran inline
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created for" in page


def test_engine_errors_are_shown_beside_their_fields(app, admin_client, session):
    response = _create(admin_client(2), "", "soon", "")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="account-error"' in body and "can&#39;t be blank" in body
    assert 'id="start_date-error"' in body and "is invalid" in body
    assert 'id="end_date-error"' in body


def test_base_errors_are_shown_on_the_form(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    response = _create(admin_client(2), account.id, "2026-05-01", "2099-01-01")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "end_time can&#39;t be in future" in body
    assert session.query(Invoice).count() == 0


def test_dates_in_the_wrong_order_and_automatic_accounts(app, admin_client, session):
    auto = AccountFactory(invoice_period="Monthly")
    session.commit()
    body = _create(admin_client(2), auto.id, "2026-05-10", "2026-05-01").get_data(as_text=True)
    assert "must be greater than start date" in body and "have invoices auto generation enabled" in body


def test_level_1_may_not_create(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    response = _create(admin_client(1), account.id, "2026-05-01", "2026-06-01")
    assert response.status_code == 403 and "needs expert level 2" in response.get_data(as_text=True)


def test_account_options_follow_the_customer_named(app, admin_client, session):
    mine, other = AccountFactory(name="Mine", invoice_period="Monthly"), AccountFactory(name="Other")
    session.commit()
    client = admin_client(1)
    body = client.get("/admin/invoices/account-options", query_string={"customer": mine.customer.name.lower()})
    options = body.get_data(as_text=True)
    assert f'<option value="{mine.id}">Mine (automatic: Monthly)</option>' in options and "Other" not in options
    unknown = client.get("/admin/invoices/account-options", query_string={"customer": "Nobody"}).get_data(as_text=True)
    assert "Mine" not in unknown and "Choose a customer first" in unknown


def _options(body: str) -> list[str]:
    start = body.index('id="account"')
    select = body[start : body.index("</select>", start)]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_form_lists_neither_customers_nor_accounts_before_a_customer_is_chosen(app, admin_client, session):
    accounts = AccountFactory.create_batch(3)
    session.commit()
    body = admin_client(2).get("/admin/invoices/new").get_data(as_text=True)
    assert _options(body) == ["Choose a customer first"]
    assert not any(a.customer.name in body or a.name in body for a in accounts)
    assert 'list="customer-suggestions"' in body and 'name="show_accounts"' in body


def test_a_link_naming_the_customer_offers_its_accounts(app, admin_client, session):
    mine, other = AccountFactory(name="Mine"), AccountFactory(name="Other")
    session.commit()
    body = admin_client(2).get("/admin/invoices/new", query_string={"customer": mine.customer.name})
    assert _options(body.get_data(as_text=True)) == ["Choose an account", "Mine"]


def test_without_javascript_choosing_a_customer_brings_the_form_back_with_its_accounts(app, admin_client, session):
    mine, other = AccountFactory(name="Mine"), AccountFactory(name="Other")
    session.commit()
    typed = {"customer": mine.customer.name, "start_date": "2026-05-01", "end_date": "2026-06-01"}
    response = post(admin_client(2), "/admin/invoices/new", {**typed, "account": "", "show_accounts": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error"' not in body
    assert _options(body) == ["Choose an account", "Mine"]
    assert 'value="2026-05-01"' in body and 'value="2026-06-01"' in body
    assert session.query(Invoice).count() == 0


def test_an_unknown_customer_is_a_field_error_and_keeps_what_was_typed(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    response = _create(admin_client(2), account.id, "2026-05-01", "2026-06-01", customer="No such customer")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and session.query(Invoice).count() == 0
    assert 'id="customer-error"' in body and "is not a known customer" in body
    assert 'value="No such customer"' in body and 'value="2026-05-01"' in body and 'value="2026-06-01"' in body


def test_an_account_of_another_customer_is_a_field_error_and_keeps_what_was_typed(app, admin_client, session):
    mine, other = AccountFactory(name="Mine"), AccountFactory(name="Other")
    session.commit()
    response = _create(admin_client(2), other.id, "2026-05-01", "2026-06-01", customer=mine.customer.name)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and session.query(Invoice).count() == 0
    assert 'id="account-error"' in body and "is not an account of the chosen customer" in body
    assert f'value="{mine.customer.name}"' in body and 'value="2026-05-01"' in body
    assert _options(body) == ["Choose an account", "Mine"]
