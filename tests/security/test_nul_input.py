"""A NUL character (U+0000) in any input: PostgreSQL refuses it in a text parameter, so it must never reach
the database as a 500. HTML forms refuse it beside the field (the base form's rule) and write nothing;
the APIs answer 400 in their own format (a value the database refuses is rolled back and reported)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.customers.accounts import ACCOUNT_FIELDS
from portal.forms import NOT_ALLOWED_MESSAGE
from portal.models import Account, Customer, CustomerUser, Invoice
from tests.admin.test_customer_views import _account_form, field_error
from tests.api.backend_v1.conftest import BASE
from tests.api.jsonapi.conftest import ADMIN, MEDIA, invoice_create_body, jsonapi_headers, login_admin
from tests.api.key_clients import bearer, make_key
from tests.auth.conftest import csrf_from
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory

NUL = "Ac\x00me"

CUSTOMER_FIELDS = ["name", "address", "vat_number", "email", "phone", "country_code", "payment_method"]


@pytest.mark.parametrize("field", CUSTOMER_FIELDS)
def test_customer_form_refuses_a_nul_in_each_field(admin, session, field):
    data = {"name": "Acme", "country_code": "DE", "payment_method": "Card", field: NUL}
    response = admin.post_form("/admin/customers/new", data)
    assert response.status_code == 422, (field, response.status_code)
    assert field_error(response.get_data(as_text=True), field) == NOT_ALLOWED_MESSAGE
    assert session.scalar(select(func.count(Customer.id))) == 0


def test_customer_edit_form_refuses_a_nul_and_keeps_the_customer(admin, session):
    customer = CustomerFactory(name="Acme")
    session.commit()
    response = admin.post_form(
        f"/admin/customers/{customer.id}/edit", {"name": NUL, "country_code": "DE", "payment_method": "Card"}
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == NOT_ALLOWED_MESSAGE
    session.expire_all()
    assert session.get(Customer, customer.id).name == "Acme"


@pytest.mark.parametrize("field", ACCOUNT_FIELDS)
def test_account_form_refuses_a_nul_in_each_field(admin, session, field):
    customer = CustomerFactory()
    session.commit()
    value = [NUL] if field == "invoice_contact_ids" else NUL
    response = admin.post_form(f"/admin/customers/{customer.id}/accounts/new", _account_form(**{field: value}))
    assert response.status_code == 422, (field, response.status_code)
    assert field_error(response.get_data(as_text=True), field) == NOT_ALLOWED_MESSAGE
    assert session.scalar(select(func.count(Account.id))) == 0


@pytest.mark.parametrize("field", ["email", "name"])
def test_invite_form_refuses_a_nul_in_each_field(admin, session, field):
    customer = CustomerFactory()
    session.commit()
    data = {"email": "jane@acme.example", "name": "Jane", field: "ja\x00ne@acme.example"}
    response = admin.post_form(f"/admin/customers/{customer.id}/users/new", data)
    assert response.status_code == 422, (field, response.status_code)
    assert field_error(response.get_data(as_text=True), field) == NOT_ALLOWED_MESSAGE
    assert session.scalar(select(func.count(CustomerUser.id))) == 0


@pytest.mark.parametrize("field", ["current_password", "password", "confirm"])
def test_change_password_form_refuses_a_nul_in_each_field(app, client, login, session, field):
    user = CustomerUserFactory()
    session.commit()
    old_hash = user.password_hash
    login(user)
    new = "a-new-long-passphrase"
    data = {
        "csrf_token": csrf_from(client, "/profile/password"),
        "current_password": PASSWORD,
        "password": new,
        "confirm": new,
    }
    data[field] = data[field] + "\x00"
    if field == "password":
        data["confirm"] = data["password"]  # the same NUL in both: only the rule can refuse it
    response = client.post("/profile/password", data=data)
    assert response.status_code == 200, response.status_code  # this form's field errors answer 200
    assert field_error(response.get_data(as_text=True), field) == NOT_ALLOWED_MESSAGE
    session.expire_all()
    assert session.get(CustomerUser, user.id).password_hash == old_hash


# --- the APIs: never a 500; 400 in the face's own format, nothing written -------------------------------


def test_jsonapi_create_with_a_nul_in_a_date_is_a_client_error(client, session):
    admin = AdminUserFactory(level=5)
    account = AccountFactory()
    session.commit()
    token = login_admin(client, admin)
    body = invoice_create_body(account.id, start="2026\x00-01-01", end="2026-02-01")
    response = client.post(f"{ADMIN}/invoices", data=body, headers=jsonapi_headers(token, **{"Content-Type": MEDIA}))
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert errors and all(e["status"] == str(response.status_code) for e in errors)
    assert session.scalar(select(func.count(Invoice.id))) == 0


@pytest.mark.parametrize("query", [{"filter[account-name]": NUL}, {"filter[invoice-number]": NUL}])
def test_jsonapi_filters_with_a_nul_are_a_client_error(client, session, query):
    admin = AdminUserFactory(level=5)
    session.commit()
    token = login_admin(client, admin)
    response = client.get(f"{ADMIN}/invoices", query_string=query, headers=jsonapi_headers(token))
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.get_json()["errors"]


@pytest.mark.parametrize("query", [{"invoiceNumber": NUL}, {"sort": NUL}, {"minDate": NUL}])
def test_backend_list_parameters_with_a_nul_are_an_invalid_parameter(client, session, query):
    key = make_key()
    response = client.get(f"{BASE}/invoices", query_string=query, headers=bearer(key))
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        body = response.get_json()
        assert set(body) == {"error", "error_code", "hint"} and body["error_code"] == 400001, body


def test_backend_create_with_a_nul_in_a_body_string_writes_nothing(client, session):
    account = AccountFactory()
    session.commit()
    key = make_key()
    response = client.post(
        f"{BASE}/customers/{account.customer_id}/invoices",
        headers=bearer(key),
        json={"account": str(account.id), "cutoffDate": "2026-05-01", "invoiceNumber": NUL},
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    assert set(response.get_json()) >= {"error_code"} or response.status_code < 400


@pytest.mark.parametrize("org, query", [("te\x00lco", ""), ("telco", "start_date=2026\x00-01-01")])
def test_orgs_v2_parameters_with_a_nul_are_a_client_error(client, session, org, query):
    account = AccountFactory()
    session.commit()
    key = make_key(level=3)
    path = f"/v2/orgs/{org}/accounts/{account.id}/invoices" + (f"?{query}" if query else "")
    response = client.get(path, headers=bearer(key))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.is_json
