"""Customer JSON:API v1: only approved invoices of the caller's allowed accounts, by uuid; everything else is a 404."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from pypdf import PdfReader

from portal.customers.accounts import delete_account
from portal.extensions import db
from tests.api.jsonapi.conftest import CUSTOMER, add_pdf, day, jsonapi_headers, login_customer, make_invoice
from tests.api.jsonapi.test_seeds import CUSTOMER_INVOICE_ATTRIBUTES
from tests.factories import AccountFactory, CdrFactory, CustomerUserFactory
from tests.statements import recorded_statements

ACCOUNT_ATTRIBUTES = ["name", "balance", "min-balance", "max-balance", "currency", "timezone"]


def get(client, token, path, **params):
    return client.get(f"{CUSTOMER}{path}", query_string=params, headers=jsonapi_headers(token))


def uuids(response) -> list[str]:
    return [item["id"] for item in response.get_json()["data"]]


@pytest.fixture
def world(app, pdf_bytes):
    """Customer A (accounts a1, a2) and customer B (account b1), invoices in every state."""
    me = CustomerUserFactory()
    a1, a2 = AccountFactory(customer=me.customer), AccountFactory(customer=me.customer)
    stranger = CustomerUserFactory()
    b1 = AccountFactory(customer=stranger.customer)
    CdrFactory(customer_acc_id=a1.id, time_start=day(10) + dt.timedelta(hours=5))
    inv = {
        "a1_old": make_invoice(a1, day(0), state="Approved", pdf=pdf_bytes),
        "a1_new": make_invoice(a1, day(10), state="Approved"),
        "a2_inv": make_invoice(a2, day(5), state="Approved"),
        "a1_pending": make_invoice(a1, day(20), state="Pending", pdf=pdf_bytes),
        "a1_fresh": make_invoice(a1, day(30), state="New"),
        "b1": make_invoice(b1, day(0), state="Approved", pdf=pdf_bytes),
    }
    db.session.commit()
    return {"me": me, "stranger": stranger, "a1": a1, "a2": a2, "b1": b1, **inv}


def test_index_lists_approved_invoices_of_my_accounts_newest_first(client, world):
    token = login_customer(client, world["me"])
    response = get(client, token, "/invoices")
    assert response.status_code == 200
    assert uuids(response) == [str(world[k].uuid) for k in ("a1_new", "a2_inv", "a1_old")]
    body = response.get_json()
    assert body["meta"] == {"total-count": 3}
    item = body["data"][0]
    assert item["type"] == "invoices" and list(item["attributes"]) == CUSTOMER_INVOICE_ATTRIBUTES
    assert list(item["relationships"]) == ["account"] and "data" not in item["relationships"]["account"]
    assert item["attributes"]["originated-calls-count"] == 1 and item["attributes"]["amount-spent"] == "0.1"
    assert item["attributes"]["has-pdf"] is False
    assert body["data"][2]["attributes"]["has-pdf"] is True
    assert uuids(get(client, token, "/invoices", sort="start_date"))[0] == str(world["a1_old"].uuid)


def test_show_and_everything_outside_the_scope_is_404(client, world):
    token = login_customer(client, world["me"])
    shown = get(client, token, f"/invoices/{world['a2_inv'].uuid}")
    assert shown.status_code == 200 and shown.get_json()["data"]["id"] == str(world["a2_inv"].uuid)
    for key in (
        world["b1"].uuid,
        world["a1_pending"].uuid,
        world["a1_fresh"].uuid,
        uuid.uuid4(),
        "not-a-uuid",
        world["a1_old"].id,
    ):
        for suffix in ("", "/download", "/account", "/relationships/account"):
            response = get(client, token, f"/invoices/{key}{suffix}")
            assert response.status_code == 404, (key, suffix)
            assert response.get_json()["errors"][0]["status"] == "404"


def test_limited_user_sees_only_the_allowed_accounts(client, world):
    limited = CustomerUserFactory(customer=world["me"].customer, accounts=[world["a2"]])
    db.session.commit()
    token = login_customer(client, limited)
    assert uuids(get(client, token, "/invoices")) == [str(world["a2_inv"].uuid)]
    assert get(client, token, f"/invoices/{world['a1_old'].uuid}").status_code == 404
    assert uuids(get(client, token, "/accounts")) == [str(world["a2"].uuid)]
    assert get(client, token, f"/accounts/{world['a1'].uuid}").status_code == 404


def test_a_limited_user_whose_last_allowed_account_is_deleted_sees_nothing(client, world):
    spare = AccountFactory(customer=world["me"].customer)
    limited = CustomerUserFactory(customer=world["me"].customer, accounts=[spare])
    db.session.commit()
    token = login_customer(client, limited)
    delete_account(spare)
    db.session.commit()
    listed = get(client, token, "/invoices")
    assert listed.status_code == 200 and uuids(listed) == [] and listed.get_json()["meta"] == {"total-count": 0}
    assert uuids(get(client, token, "/accounts")) == []
    for key in ("a1_old", "a2_inv"):
        for suffix in ("", "/download", "/account"):
            assert get(client, token, f"/invoices/{world[key].uuid}{suffix}").status_code == 404, (key, suffix)
    assert get(client, token, f"/accounts/{world['a1'].uuid}").status_code == 404
    assert uuids(get(client, token, "/invoices", **{"filter[account_id_eq]": str(world["a1"].uuid)})) == []


def test_filters_cannot_reach_another_customers_invoices(client, world):
    token = login_customer(client, world["me"])
    for params in (
        {"filter[account_id_eq]": str(world["b1"].uuid)},
        {"filter[id]": str(world["b1"].uuid)},
        {"filter[reference_eq]": world["b1"].reference},
        {"filter[account_id_in]": f"{world['b1'].uuid},{world['a2'].uuid}"},
    ):
        found = uuids(get(client, token, "/invoices", **params))
        assert str(world["b1"].uuid) not in found, params
    mine = get(client, token, "/invoices", **{"filter[account_id_eq]": str(world["a2"].uuid)})
    assert uuids(mine) == [str(world["a2_inv"].uuid)]
    in_list = get(client, token, "/invoices", **{"filter[account_id_not_in]": str(world["a2"].uuid)})
    assert uuids(in_list) == [str(world["a1_new"].uuid), str(world["a1_old"].uuid)]


def test_include_account_shows_only_my_account_with_its_uuid(client, world):
    token = login_customer(client, world["me"])
    body = get(client, token, "/invoices", include="account").get_json()
    assert {i["id"] for i in body["included"]} == {str(world["a1"].uuid), str(world["a2"].uuid)}
    assert all(list(i["attributes"]) == ACCOUNT_ATTRIBUTES for i in body["included"])
    linkage = body["data"][0]["relationships"]["account"]["data"]
    assert linkage == {"type": "accounts", "id": str(world["a1"].uuid)}
    assert get(client, token, "/invoices", include="account.contractor").status_code == 400
    assert get(client, token, "/invoices", include="originated-destinations").status_code == 400


def test_relationship_routes_use_account_uuids(client, world):
    token = login_customer(client, world["me"])
    key = world["a2_inv"].uuid
    rel = get(client, token, f"/invoices/{key}/relationships/account").get_json()
    assert rel["data"] == {"type": "accounts", "id": str(world["a2"].uuid)}
    related = get(client, token, f"/invoices/{key}/account").get_json()["data"]
    assert related["id"] == str(world["a2"].uuid) and related["type"] == "accounts"
    assert related["links"]["self"] == f"http://localhost{CUSTOMER}/accounts/{world['a2'].uuid}"


def test_customer_filters_and_their_errors(client, world):
    token = login_customer(client, world["me"])
    assert uuids(get(client, token, "/invoices", **{"filter[start_date_gteq]": "2026-01-07"})) == [
        str(world["a1_new"].uuid)
    ]
    assert get(client, token, "/invoices", **{"filter[originated_calls_count_gt]": "0"}).get_json()["meta"] == {
        "total-count": 1
    }
    for key, value, title in (
        ("filter[state_eq]", "Approved", "Filter not allowed"),
        ("filter[amount_earned_gt]", "0", "Filter not allowed"),
        ("filter[invoice_type_eq]", "Manual", "Filter not allowed"),
        ("filter[account_id_eq]", "42", "Invalid filter value"),
        ("filter[account_id_gt]", str(world["a1"].uuid), "Filter not allowed"),
    ):
        response = get(client, token, "/invoices", **{key: value})
        assert response.status_code == 400, key
        assert response.get_json()["errors"][0]["title"] == title
    assert get(client, token, "/invoices", sort="state").status_code == 400
    assert get(client, token, "/invoices", **{"page[size]": "5000"}).status_code == 400


def test_download_sends_the_pdf_with_a_clean_filename(client, world):
    token = login_customer(client, world["me"])
    invoice = world["a1_old"]
    response = client.get(f"{CUSTOMER}/invoices/{invoice.uuid}/download", headers={"Authorization": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{invoice.reference}_2026-01-01_2026-01-02.pdf"'
    )
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    no_pdf = client.get(f"{CUSTOMER}/invoices/{world['a2_inv'].uuid}/download", headers={"Authorization": token})
    assert no_pdf.status_code == 404


def test_pdf_added_later_turns_has_pdf_on(client, world, pdf_bytes):
    token = login_customer(client, world["me"])
    key = world["a2_inv"].uuid
    assert get(client, token, f"/invoices/{key}").get_json()["data"]["attributes"]["has-pdf"] is False
    add_pdf(world["a2_inv"], pdf_bytes)
    db.session.commit()
    assert get(client, token, f"/invoices/{key}").get_json()["data"]["attributes"]["has-pdf"] is True


def test_accounts_lists_my_accounts_by_uuid(client, world):
    token = login_customer(client, world["me"])
    body = get(client, token, "/accounts").get_json()
    assert [i["id"] for i in body["data"]] == [str(world["a1"].uuid), str(world["a2"].uuid)]
    assert all(list(i["attributes"]) == ACCOUNT_ATTRIBUTES and "relationships" not in i for i in body["data"])
    assert get(client, token, f"/accounts/{world['b1'].uuid}").status_code == 404
    assert get(client, token, f"/accounts/{world['a1'].id}").status_code == 404


def test_the_other_customer_sees_only_its_own(client, world):
    token = login_customer(client, world["stranger"])
    assert uuids(get(client, token, "/invoices")) == [str(world["b1"].uuid)]
    assert get(client, token, f"/invoices/{world['a1_old'].uuid}/download").status_code == 404


def _show_statements(client, token, invoice_uuid) -> list[str]:
    assert get(client, token, f"/invoices/{invoice_uuid}").status_code == 200  # builds the object
    with recorded_statements() as statements:
        assert get(client, token, f"/invoices/{invoice_uuid}").status_code == 200
    return statements


def test_show_costs_two_statements_three_when_limited_and_a_disabled_customer_is_refused_at_once(client, world):
    """Token check (user and customer enabled, the user's limit flag: one joined read), the invoice's id and
    stamps (its object comes from the object cache once built); a limited user's account limit is one more."""
    limited = CustomerUserFactory(customer=world["me"].customer, accounts=[world["a2"]])
    db.session.commit()
    token = login_customer(client, world["me"])
    invoice_uuid = world["a2_inv"].uuid
    db.session.expire_all()
    statements = _show_statements(client, token, invoice_uuid)
    assert len(statements) == 2, statements
    statements = _show_statements(client, login_customer(client, limited), invoice_uuid)
    assert len(statements) == 3, statements
    world["me"].customer.enabled = False
    db.session.commit()
    refused = get(client, token, f"/invoices/{invoice_uuid}")
    assert refused.status_code == 401
