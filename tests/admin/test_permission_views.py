"""Every admin write page answers a too-low level with a 403 that names the level needed; reads work at level 1."""

from __future__ import annotations

import pytest

from portal.foundations.permissions import ACTION_LEVELS
from tests.factories import (
    AccountFactory,
    AdminUserFactory,
    ContactFactory,
    CustomerFactory,
    CustomerUserFactory,
    DiscountPlanFactory,
)

READ_PAGES = [
    "/admin/",
    "/admin/customers",
    "/admin/customers/{customer}",
    "/admin/accounts/{account}",
    "/admin/users",
    "/admin/users/customers/{user}",
    "/admin/api-keys",
    "/admin/billing-runs",
    "/admin/audit",
]

# (method, url, form data, action)
WRITES = [
    ("GET", "/admin/customers/new", None, "customer.write"),
    ("POST", "/admin/customers/new", {"name": "Acme"}, "customer.write"),
    ("POST", "/admin/customers/{customer}/edit", {"name": "Acme 2", "payment_method": "Card"}, "customer.write"),
    ("POST", "/admin/customers/{customer}/contacts", {"email": "x@acme.example"}, "customer.write"),
    ("POST", "/admin/customers/{customer}/contacts/{contact}/delete", {}, "customer.write"),
    ("POST", "/admin/customers/{empty_customer}/delete", {}, "customer.write"),
    ("GET", "/admin/customers/{customer}/accounts/new", None, "account.write"),
    (
        "POST",
        "/admin/accounts/{account}",
        {
            "name": "A",
            "currency": "EUR",
            "timezone": "UTC",
            "vat_rate": "1",
            "payment_terms_days": "3",
            "bill_style": "Full",
            "delivery_mode": "email",
        },
        "account.write",
    ),
    (
        "POST",
        "/admin/accounts/{account}/discount-plans",
        {"name": "P", "kind": "percentage", "prefixes": "4", "percent": "5"},
        "account.write",
    ),
    ("POST", "/admin/accounts/{account}/discount-plans/{plan}/toggle", {}, "account.write"),
    ("POST", "/admin/accounts/{empty_account}/delete", {}, "account.write"),
    ("GET", "/admin/customers/{customer}/users/new", None, "customer_user.write"),
    ("POST", "/admin/users/customers/{user}", {"account_ids": []}, "customer_user.write"),
    ("POST", "/admin/users/customers/{user}/disable", {}, "customer_user.write"),
    ("GET", "/admin/users/admins/new", None, "admin_user.write"),
    ("POST", "/admin/users/admins/{other_admin}/level", {"level": "2"}, "admin_user.write"),
    ("POST", "/admin/users/admins/{other_admin}/disable", {}, "admin_user.write"),
    ("GET", "/admin/api-keys/new", None, "api_key.write"),
    ("POST", "/admin/api-keys/new", {"name": "k", "scope": ["read"], "level": "1"}, "api_key.write"),
    ("GET", "/admin/billing-runs/new", None, "billing_run.start"),
    ("POST", "/admin/billing-runs/new", {}, "billing_run.start"),
]


@pytest.fixture
def ids(session):
    customer = CustomerFactory()
    account = AccountFactory(customer=customer)
    values = {
        "customer": customer.id,
        "account": account.id,
        "contact": ContactFactory(customer=customer).id,
        "empty_customer": CustomerFactory().id,
        "empty_account": AccountFactory(customer=customer).id,
        "plan": DiscountPlanFactory(account=account).id,
        "user": CustomerUserFactory(customer=customer).id,
        "other_admin": AdminUserFactory(level=1).id,
    }
    AdminUserFactory(level=5)  # keeps a level 5 admin around whatever the test changes
    session.commit()
    return values


@pytest.mark.parametrize("url", READ_PAGES)
def test_level_1_reads_every_admin_page(admin_as, ids, url):
    assert admin_as(1).get(url.format(**ids)).status_code == 200


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("method, url, data, action", WRITES, ids=[f"{m} {u}" for m, u, _, _ in WRITES])
def test_write_pages_refuse_lower_levels_with_a_clear_403(admin_as, ids, level, method, url, data, action):
    client = admin_as(level)
    url = url.format(**ids)
    response = client.get(url) if method == "GET" else client.post_form(url, data)
    needed = ACTION_LEVELS[action]
    if level < needed:
        assert response.status_code == 403
        text = response.get_data(as_text=True)
        assert f"needs expert level {needed}." in text and "Permission denied" in text
    else:
        assert response.status_code in (200, 201, 302, 303), response.get_data(as_text=True)[-600:]


def test_customer_users_find_no_admin_pages(app, login, session):
    user = CustomerUserFactory()
    session.commit()
    client = app.test_client()
    login(user, client)
    assert client.get("/admin/customers").status_code == 404
    assert client.get("/admin/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
