"""JSON:API media type rules, headers, conditional GET and value encoding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.api.jsonapi.conventions import decimal_str, timestamp_str
from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, MEDIA, jsonapi_headers, login_customer
from tests.factories import AccountFactory, InvoiceFactory


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("0"), "0.0"),
        (Decimal("0.000000"), "0.0"),
        (Decimal("-0"), "0.0"),
        (Decimal("12.345600"), "12.3456"),
        (Decimal("100"), "100.0"),
        (Decimal("1E+3"), "1000.0"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("1e-7"), "0.0000001"),
        (Decimal("-5.50"), "-5.5"),
        (3, "3.0"),
        (None, None),
    ],
)
def test_decimals_are_normalized_strings_with_a_decimal_place_and_no_exponent(value, expected):
    assert decimal_str(value) == expected


def test_timestamps_are_utc_with_real_milliseconds():
    berlin = dt.timezone(dt.timedelta(hours=2))
    assert timestamp_str(dt.datetime(2026, 5, 9, 2, 0, 0, 123999, tzinfo=berlin)) == "2026-05-09T00:00:00.123Z"
    assert timestamp_str(dt.datetime(2026, 5, 9, tzinfo=dt.timezone.utc)) == "2026-05-09T00:00:00.000Z"
    assert timestamp_str(None) is None


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 5, 9, 23, 59, 59, 999999, tzinfo=dt.timezone.utc),  # the database's values: no conversion
        dt.datetime(2026, 5, 9, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(0))),
        dt.datetime(2026, 5, 9, 23, 59, 59, 999999),  # naive: taken as UTC
        dt.date(2026, 5, 9),
    ],
)
def test_every_kind_of_timestamp_reads_the_same_utc_instant(value):
    expected = "2026-05-09T00:00:00.000Z" if type(value) is dt.date else "2026-05-09T23:59:59.999Z"
    assert timestamp_str(value) == expected


def test_a_body_in_another_media_type_is_415(client, admin_token):
    for content_type in (
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        f"{MEDIA}; charset=utf-8",
    ):
        response = client.post(
            f"{ADMIN}/invoices",
            data='{"data": {}}',
            headers=jsonapi_headers(admin_token, **{"Content-Type": content_type}),
        )
        assert response.status_code == 415, content_type
        error = response.get_json()["errors"][0]
        assert error["status"] == "415" and error["code"] == "415" and error["title"] and error["detail"]


@pytest.mark.parametrize("accept", ["text/html", "application/json", f"{MEDIA}; ext=foo", f"{MEDIA};q=0"])
def test_an_accept_that_excludes_the_media_type_is_406(client, admin_token, accept):
    response = client.get(f"{ADMIN}/invoices", headers={"Authorization": admin_token, "Accept": accept})
    assert response.status_code == 406
    assert response.headers["Content-Type"] == MEDIA
    assert response.get_json()["errors"][0]["status"] == "406"


@pytest.mark.parametrize("accept", [None, "*/*", "application/*", MEDIA, f"text/html, {MEDIA};q=0.5"])
def test_missing_wildcard_or_plain_accept_is_fine(client, admin_token, accept):
    headers = {"Authorization": admin_token}
    if accept:
        headers["Accept"] = accept
    assert client.get(f"{ADMIN}/invoices", headers=headers).status_code == 200


def test_conditional_get_answers_304_for_the_current_etag(client, admin_token):
    InvoiceFactory()
    db.session.commit()
    first = client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(admin_token))
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and len(etag) == 36
    again = client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(admin_token, **{"If-None-Match": etag}))
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    stale = client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(admin_token, **{"If-None-Match": 'W/"abc"'}))
    assert stale.status_code == 200


def test_customer_conditional_get_and_headers(client, customer_user):
    InvoiceFactory(account=customer_user.customer.accounts[0], state="Approved")
    db.session.commit()
    token = login_customer(client, customer_user)
    first = client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(token))
    assert first.headers["Cache-Control"] == "max-age=0, private, must-revalidate"
    again = client.get(
        f"{CUSTOMER}/invoices", headers=jsonapi_headers(token, **{"If-None-Match": first.headers["ETag"]})
    )
    assert again.status_code == 304


def test_unknown_id_is_a_jsonapi_404(client, admin_token):
    for key in ("999", "abc", "-1", "1" * 40):
        response = client.get(f"{ADMIN}/invoices/{key}", headers=jsonapi_headers(admin_token))
        assert response.status_code == 404, key
        error = response.get_json()["errors"][0]
        assert error == {
            "title": "Record not found",
            "detail": f"The record identified by {key} could not be found.",
            "code": "404",
            "status": "404",
        }


def test_method_not_allowed_is_a_jsonapi_error(client, admin_token):
    response = client.patch(f"{ADMIN}/invoices/1", headers=jsonapi_headers(admin_token))
    assert response.status_code == 405
    assert response.get_json()["errors"][0]["status"] == "405"
    assert "GET" in response.headers["Allow"]


def test_relationship_mutation_routes_do_not_exist(client, admin_token):
    account = AccountFactory()
    invoice = InvoiceFactory(account=account)
    db.session.commit()
    for method in (client.post, client.patch, client.delete):
        response = method(f"{ADMIN}/invoices/{invoice.id}/relationships/account", headers=jsonapi_headers(admin_token))
        assert response.status_code == 405


def test_unknown_query_parameters_are_refused(client, admin_token):
    invoice = InvoiceFactory()
    db.session.commit()
    for path in (
        "/invoices?foo=1",
        f"/invoices/{invoice.id}?sort=id",
        f"/invoices/{invoice.id}/pdf?x=1",
        f"/invoices/{invoice.id}/relationships/account?include=account",
    ):
        response = client.get(f"{ADMIN}{path}", headers=jsonapi_headers(admin_token))
        assert response.status_code == 400, path
        assert response.get_json()["errors"][0]["title"] == "Param not allowed"


def test_sparse_fieldsets_show_only_the_named_fields(client, admin_token):
    invoice = InvoiceFactory()
    db.session.commit()
    body = client.get(
        f"{ADMIN}/invoices/{invoice.id}?include=account&fields[invoices]=reference,account&fields[accounts]=name",
        headers=jsonapi_headers(admin_token),
    ).get_json()
    assert body["data"]["attributes"] == {"reference": invoice.reference}
    assert list(body["data"]["relationships"]) == ["account"]
    assert list(body["included"][0]["attributes"]) == ["name"]
    for bad in ("fields[invoices]=bogus", "fields[bogus]=name", "fields[invoices]="):
        response = client.get(f"{ADMIN}/invoices?{bad}", headers=jsonapi_headers(admin_token))
        assert response.status_code == 400, bad
        assert response.get_json()["errors"][0]["title"] == "Invalid field"
