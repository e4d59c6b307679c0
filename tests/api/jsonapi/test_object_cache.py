"""The JSON:API object cache (portal/api/jsonapi/object_cache.py): the same bytes as without it, never stale."""

from __future__ import annotations

import pytest

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice
from portal.extensions import db
from portal.models import Invoice
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, add_pdf, day, jsonapi_headers, login_customer, make_invoice
from tests.factories import AccountFactory, CdrFactory, CustomerUserFactory
from tests.statements import recorded_statements as statements


def listing(client, token, root=ADMIN, **params):
    response = client.get(f"{root}/invoices", query_string=params, headers=jsonapi_headers(token))
    assert response.status_code == 200, response.data
    return response


@pytest.fixture
def three(app):
    account = AccountFactory()
    invoices = [make_invoice(account, day(i * 10), state="Approved") for i in range(3)]
    db.session.commit()
    return invoices


def test_a_repeated_page_comes_from_the_cache_with_the_same_bytes(client, admin_token, three):
    first = listing(client, admin_token)
    with statements() as seen:
        again = listing(client, admin_token)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    # No statement reads whole invoice rows the second time: only ids and stamps.
    assert not [s for s in seen if "invoices.reference" in s and "count(" not in s]
    app = client.application
    app.config["JSONAPI_CACHE_SIZE"] = 0
    try:
        uncached = listing(client, admin_token)
    finally:
        app.config["JSONAPI_CACHE_SIZE"] = 5000
    assert uncached.data == first.data


def test_a_changed_invoice_is_served_fresh(client, admin_token, three):
    listing(client, admin_token)
    invoice = db.session.get(Invoice, three[1].id)
    invoice.reference = "changed-by-a-service"
    db.session.commit()
    references = [i["attributes"]["reference"] for i in listing(client, admin_token).get_json()["data"]]
    assert "changed-by-a-service" in references


def test_a_bulk_sql_update_is_served_fresh_too(client, admin_token, three):
    """Core UPDATE statements stamp updated_at as well (the column's onupdate)."""
    listing(client, admin_token)
    db.session.execute(db.update(Invoice).where(Invoice.id == three[0].id).values(reference="bulk"))
    db.session.commit()
    data = listing(client, admin_token).get_json()["data"]
    assert {i["id"]: i["attributes"]["reference"] for i in data}[str(three[0].id)] == "bulk"


def test_a_stored_pdf_turns_the_link_on_in_a_cached_page(client, admin_token, three, pdf_bytes):
    before = {i["id"]: i["attributes"]["pdf-path"] for i in listing(client, admin_token).get_json()["data"]}
    assert before[str(three[2].id)] is None
    add_pdf(db.session.get(Invoice, three[2].id), pdf_bytes)
    db.session.commit()
    after = {i["id"]: i["attributes"]["pdf-path"] for i in listing(client, admin_token).get_json()["data"]}
    assert after[str(three[2].id)].endswith(f"/invoices/{three[2].id}/pdf")


def test_fill_and_approve_change_what_the_list_shows(client, admin_token):
    account = AccountFactory()
    invoice = make_invoice(account, day(0), state="New")
    db.session.commit()
    shown = listing(client, admin_token).get_json()["data"][0]["attributes"]
    assert shown["state"] == "New" and shown["originated-calls-count"] == 0
    CdrFactory(customer_acc_id=account.id, time_start=day(0))
    fill_invoice(db.session.get(Invoice, invoice.id))
    approve_invoice(db.session.get(Invoice, invoice.id))
    db.session.commit()
    shown = listing(client, admin_token).get_json()["data"][0]["attributes"]
    assert shown["state"] == "Approved" and shown["originated-calls-count"] == 1


def test_fieldsets_roots_and_apis_do_not_share_objects(client, admin_token, app):
    user = CustomerUserFactory()
    account = AccountFactory(customer=user.customer)
    make_invoice(account, day(0), state="Approved")
    db.session.commit()
    full = listing(client, admin_token).get_json()["data"][0]
    sparse = listing(client, admin_token, **{"fields[invoices]": "reference"}).get_json()["data"][0]
    assert list(sparse["attributes"]) == ["reference"] and len(full["attributes"]) > 1
    other_host = client.get(
        f"{ADMIN}/invoices", headers=jsonapi_headers(admin_token), base_url="https://api.example.com"
    ).get_json()["data"][0]
    assert other_host["links"]["self"].startswith("https://api.example.com/")
    token = login_customer(client, user)
    mine = listing(client, token, root=CUSTOMER).get_json()["data"][0]
    assert "state" not in mine["attributes"] and mine["id"] != full["id"]  # customers see uuids, no state


def test_pages_with_include_are_built_every_time(client, admin_token, three):
    with statements() as seen:
        body = listing(client, admin_token, include="account").get_json()
    assert body["included"] and any("invoices.reference" in s for s in seen)
    assert body["data"][0]["relationships"]["account"]["data"]["type"] == "accounts"


def test_show_uses_the_cache_and_is_never_stale(client, admin_token, three, pdf_bytes):
    url = f"{ADMIN}/invoices/{three[0].id}"
    first = client.get(url, headers=jsonapi_headers(admin_token))
    with statements() as seen:
        again = client.get(url, headers=jsonapi_headers(admin_token))
    assert again.data == first.data
    assert not [s for s in seen if "invoices.reference" in s]
    invoice = db.session.get(Invoice, three[0].id)
    invoice.reference = "renamed"
    add_pdf(invoice, pdf_bytes)
    db.session.commit()
    shown = client.get(url, headers=jsonapi_headers(admin_token)).get_json()["data"]["attributes"]
    assert shown["reference"] == "renamed" and shown["pdf-path"].endswith(f"/invoices/{three[0].id}/pdf")
    assert client.get(f"{ADMIN}/invoices/99999", headers=jsonapi_headers(admin_token)).status_code == 404


def test_storing_replacing_or_removing_a_pdf_stamps_the_invoice(app, three, pdf_bytes):
    """The stamp the cache keys on moves with the PDF, not only with the invoice's own columns."""
    invoice_id = three[0].id

    def stamp():
        return db.session.scalar(db.select(Invoice.updated_at).where(Invoice.id == invoice_id))

    before = stamp()
    document = add_pdf(db.session.get(Invoice, invoice_id), pdf_bytes)
    stored = stamp()
    assert stored > before
    document.data = pdf_bytes + b"\n"
    db.session.flush()
    replaced = stamp()
    assert replaced > stored
    db.session.delete(document)
    db.session.flush()
    assert stamp() > replaced
