"""JSON:API list statements kept built per app (portal/api/jsonapi/handlers.py, `PORTAL_JSONAPI_QUERY_CACHE_SIZE`):
a kept statement is run again, never its results, and only for the same resource, caller and arguments."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, day, jsonapi_headers, login_customer, make_invoice
from tests.factories import AccountFactory, CustomerUserFactory
from tests.statements import recorded_statements as statements


def kept(app) -> dict:
    entry = app.extensions.get("jsonapi_page_queries")
    return dict(entry[1]) if entry else {}


def listing(client, token, root=ADMIN, status=200, **params):
    response = client.get(f"{root}/invoices", query_string=params, headers=jsonapi_headers(token))
    assert response.status_code == status, response.data
    return response.get_json()


def ids(body) -> list[str]:
    return [item["id"] for item in body["data"]]


@pytest.fixture
def account():
    account = AccountFactory()
    for i in range(3):
        make_invoice(account, day(i * 10), state="Approved")
    db.session.commit()
    return account


def test_a_list_asked_again_runs_the_kept_statement_and_sees_new_rows(app, client, admin_token, account):
    first = listing(client, admin_token, **{"page[size]": "2"})
    before = set(kept(app))
    added = make_invoice(account, day(40), state="Approved")
    db.session.commit()
    again = listing(client, admin_token, **{"page[size]": "2", "page[number]": "2"})
    assert again["meta"]["total-count"] == first["meta"]["total-count"] + 1 == 4
    last = listing(client, admin_token, **{"page[size]": "2"})
    assert set(kept(app)) >= before and last["meta"]["total-count"] == 4
    assert str(added.id) in ids(again)


def test_customers_with_the_same_query_string_never_share_a_statement(app, client):
    users = [CustomerUserFactory() for _ in range(2)]
    for user in users:
        make_invoice(AccountFactory(customer=user.customer), day(0), state="Approved")
    db.session.commit()
    seen = [set(ids(listing(client, login_customer(client, user), CUSTOMER, sort="-start-date"))) for user in users]
    assert all(len(found) == 1 for found in seen) and not seen[0] & seen[1]
    scopes = {(key[2], key[3]) for key in kept(app) if key[0] == "customer:invoices"}
    assert {user.customer_id for user in users} <= {customer_id for customer_id, _ in scopes}


def test_filters_sorts_and_pages_each_get_their_own_statement(client, admin_token, account):
    everything = ids(listing(client, admin_token))
    assert ids(listing(client, admin_token, sort="-id")) == everything[::-1]
    assert ids(listing(client, admin_token, **{"filter[id]": everything[0]})) == everything[:1]
    assert ids(listing(client, admin_token, **{"filter[id]": everything[1]})) == everything[1:2]
    assert ids(listing(client, admin_token, **{"page[size]": "1", "page[number]": "3"})) == everything[2:3]


def test_bad_arguments_are_refused_every_time_and_nothing_is_kept(app, client, admin_token, account):
    before = set(kept(app))
    for _ in range(2):
        listing(client, admin_token, status=400, sort="no-such-attribute")
        listing(client, admin_token, status=400, **{"filter[id]": "x"})
        listing(client, admin_token, status=400, **{"page[size]": "100000"})
    assert set(kept(app)) == before


def test_long_query_strings_are_built_every_time(app, client, admin_token, account):
    everything = ids(listing(client, admin_token))
    many = ",".join([*everything, *(str(n) for n in range(10_000_000, 10_000_300))])
    before = set(kept(app))
    assert ids(listing(client, admin_token, **{"filter[id]": many})) == everything
    assert set(kept(app)) == before


def test_a_sort_by_id_is_not_followed_by_another_id(client, admin_token, account):
    with statements() as seen:
        listing(client, admin_token, sort="-id")
    page = next(s for s in seen if "ORDER BY" in s and "invoices.updated_at" in s)
    assert "ORDER BY invoices.id DESC" in page and "invoices.id DESC, invoices.id" not in page


def test_with_the_statements_not_kept_lists_are_the_same(app, client, admin_token, account):
    kept_body = listing(client, admin_token, sort="-id")
    app.config["JSONAPI_QUERY_CACHE_SIZE"] = 0
    try:
        assert listing(client, admin_token, sort="-id") == kept_body
    finally:
        app.config["JSONAPI_QUERY_CACHE_SIZE"] = 500
