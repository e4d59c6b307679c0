"""The three documented responses reproduced byte for byte (same body, same ETag), and their key sets."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.jobs import huey
from tests.api.jsonapi import seed_bodies as seeds
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, MEDIA, jsonapi_headers, login_customer
from tests.factories import AccountFactory, CustomerUserFactory, InvoiceFactory

UTC = dt.timezone.utc
HOST = "http://example.org"

CALLS = ["calls-count", "successful-calls-count", "calls-duration", "billing-duration", "first-call-at", "last-call-at"]


def _amounts_and_calls(amounts: list[str]) -> list[str]:
    """Each direction's amounts then its calls, originated then terminated, as the seeds order them."""
    return [f"{direction}-{name}" for direction in ("originated", "terminated") for name in amounts + CALLS]


# The documented key sets (copied from the seeds), in documented order.
ADMIN_INVOICE_ATTRIBUTES = [
    *["reference", "state", "invoice-type", "start-date", "end-date", "pdf-path", "odt-path"],
    *["amount-spent", "amount-earned"],
    *_amounts_and_calls(["amount-spent", "amount-earned"]),
    *["services-amount-spent", "services-amount-earned", "service-transactions-count"],
]
ADMIN_INVOICE_RELATIONSHIPS = [
    "account",
    "originated-destinations",
    "originated-networks",
    "terminated-destinations",
    "terminated-networks",
    "service-data",
]
CUSTOMER_INVOICE_ATTRIBUTES = [
    *["reference", "start-date", "end-date", "has-pdf", "amount-spent"],
    *_amounts_and_calls(["amount-spent"]),
    *["services-amount-spent", "service-transactions-count"],
]
CUSTOMER_INVOICE_RELATIONSHIPS = ["account"]
SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-XSS-Protection": "0",
    "X-Content-Type-Options": "nosniff",
    "X-Permitted-Cross-Domain-Policies": "none",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_documented_headers(response, etag: str) -> None:
    assert response.headers["Content-Type"] == MEDIA
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "max-age=0, private, must-revalidate"
    uuid.UUID(response.headers["X-Request-Id"])
    assert float(response.headers["X-Runtime"]) >= 0
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_admin_show_matches_the_documented_response_byte_for_byte(client, admin_token):
    account = AccountFactory(id=74)
    InvoiceFactory(
        id=18,
        account=account,
        reference="18",
        state="Approved",
        invoice_type="Auto Full",
        start_date=dt.datetime(2025, 12, 26, 12, 46, 7, 352000, tzinfo=UTC),
        end_date=dt.datetime(2026, 1, 1, 12, 46, 7, 352999, tzinfo=UTC),
    )
    db.session.commit()
    response = client.get(
        f"{ADMIN}/invoices/18", base_url=HOST, headers=jsonapi_headers(admin_token, **{"Content-Type": MEDIA})
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == seeds.ADMIN_SHOW_BODY
    assert_documented_headers(response, seeds.ADMIN_SHOW_ETAG)
    assert response.headers["Content-Length"] == "2164"


def _next_invoice_id_is(n: int, is_postgresql: bool) -> None:
    if is_postgresql:
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('invoices', 'id'), :n)"), {"n": n - 1})
    else:
        InvoiceFactory(
            id=n - 1, start_date=dt.datetime(2020, 1, 1, tzinfo=UTC), end_date=dt.datetime(2020, 1, 2, tzinfo=UTC)
        )
    db.session.commit()


@pytest.fixture
def queued_jobs():
    """Jobs go to the (in-memory) queue instead of running inline, as with a worker in production."""
    huey.immediate = False
    huey.storage.flush_queue()
    yield huey
    huey.storage.flush_queue()
    huey.immediate = True


def test_admin_create_with_a_queue_matches_the_documented_response(client, admin_token, is_postgresql, queued_jobs):
    AccountFactory(id=77)
    _next_invoice_id_is(19, is_postgresql)
    body = (
        '{"data":{"type":"invoices","attributes":{"start-date":"2026-05-09","end-date":"2026-06-09"},'
        '"relationships":{"account":{"data":{"type":"accounts","id":"77"}}}}}'
    )
    response = client.post(
        f"{ADMIN}/invoices", base_url=HOST, data=body, headers=jsonapi_headers(admin_token, **{"Content-Type": MEDIA})
    )
    assert response.status_code == 201, response.data
    assert response.get_data(as_text=True) == seeds.ADMIN_CREATE_BODY
    assert_documented_headers(response, seeds.ADMIN_CREATE_ETAG)
    assert response.headers["Location"] == f"{HOST}/api/rest/admin/invoices/19"
    assert queued_jobs.pending_count() == 1


def test_customer_show_matches_the_documented_response_byte_for_byte(client):
    user = CustomerUserFactory()
    account = AccountFactory(customer=user.customer)
    InvoiceFactory(
        account=account,
        uuid=uuid.UUID("fd2e32c4-6674-11f1-867c-da575d109341"),
        reference="23",
        state="Approved",
        start_date=dt.datetime(2026, 6, 5, 15, 40, 7, 506123, tzinfo=UTC),
        end_date=dt.datetime(2026, 6, 11, 15, 40, 7, 507000, tzinfo=UTC),
    )
    db.session.commit()
    token = login_customer(client, user)
    response = client.get(
        f"{CUSTOMER}/invoices/fd2e32c4-6674-11f1-867c-da575d109341",
        base_url=HOST,
        headers=jsonapi_headers(token, **{"Content-Type": MEDIA}),
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == seeds.CUSTOMER_SHOW_BODY
    assert_documented_headers(response, seeds.CUSTOMER_SHOW_ETAG)


def test_seed_key_sets_are_the_documented_ones():
    """Guards the copied key lists against drift from the copied bodies."""
    admin = json.loads(seeds.ADMIN_SHOW_BODY)["data"]
    customer = json.loads(seeds.CUSTOMER_SHOW_BODY)["data"]
    assert list(admin["attributes"]) == ADMIN_INVOICE_ATTRIBUTES
    assert list(admin["relationships"]) == ADMIN_INVOICE_RELATIONSHIPS
    assert list(customer["attributes"]) == CUSTOMER_INVOICE_ATTRIBUTES
    assert list(customer["relationships"]) == CUSTOMER_INVOICE_RELATIONSHIPS


def test_filled_invoice_keeps_the_documented_keys_and_value_types(client, admin_token):
    from tests.api.jsonapi.conftest import day, make_invoice
    from tests.factories import CdrFactory

    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=day(1) + dt.timedelta(hours=3, milliseconds=250))
    invoice = make_invoice(account, day(1))
    db.session.commit()
    data = client.get(f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(admin_token)).get_json()["data"]
    assert list(data["attributes"]) == ADMIN_INVOICE_ATTRIBUTES
    assert list(data["relationships"]) == ADMIN_INVOICE_RELATIONSHIPS
    attributes = data["attributes"]
    assert attributes["amount-spent"] == "0.1" and attributes["originated-amount-spent"] == "0.1"
    assert attributes["originated-calls-count"] == 1 and attributes["originated-billing-duration"] == 60
    assert attributes["originated-first-call-at"] == "2026-01-02T03:00:00.250Z"
    for name, value in attributes.items():
        if "amount" in name:
            assert isinstance(value, str) and "." in value and "E" not in value, name
        elif name.endswith(("count", "duration")):
            assert type(value) is int, name
    assert set(data["relationships"]["account"]) == {"links", "data"}
    for name in ADMIN_INVOICE_RELATIONSHIPS[1:]:
        assert set(data["relationships"][name]) == {"links"}
