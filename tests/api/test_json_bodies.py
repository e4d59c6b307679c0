"""Every JSON body the APIs read goes through one loader: bodies nested a thousand levels deep, lone surrogates
(valid JSON syntax, no character) and NaN are a 400 in the calling API's own format, never a 500, and
nothing is written."""

from __future__ import annotations

import pytest

from portal.api.json_body import MAX_DEPTH, BadJsonBody, load_json_object
from portal.extensions import db
from portal.models import Invoice
from tests.api.backend_v1.conftest import BASE
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, MEDIA, jsonapi_headers, login_admin
from tests.api.key_clients import bearer, make_key, pending_invoice, raised_invoice
from tests.factories import AccountFactory, AdminUserFactory

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
JUST_TOO_DEEP = '{"auth":' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
SURROGATE_VALUE = '{"auth": {"username": "ad\\ud800min@telco.example", "password": "x"}}'
SURROGATE_KEY = '{"auth": {"\\udfff": "x"}}'
BAD_BODIES = [DEEP, DEEP_OBJECT, JUST_TOO_DEEP, SURROGATE_VALUE, SURROGATE_KEY, '{"auth": NaN}', '{"auth": -Infinity}']
BODY_IDS = ["deep array", "deep object", "one level too deep", "surrogate value", "surrogate key", "NaN", "-Infinity"]


@pytest.fixture
def admin_token(client, app):
    user = AdminUserFactory(level=5)
    db.session.commit()
    return login_admin(client, user)


def assert_jsonapi_400(response):
    assert response.status_code == 400, response.data
    assert response.mimetype == MEDIA
    [error] = response.get_json()["errors"]
    assert error["status"] == "400" and error["detail"]
    return error["detail"]


def send_raw(client, method: str, path: str, body: str, key: str):
    """`body` sent as it is (no JSON encoding on the way) to the backend API with `key`."""
    return client.open(path, method=method, data=body, content_type="application/json", headers=bearer(key))


def assert_backend_400002(response):
    assert response.status_code == 400, response.data
    body = response.get_json()
    assert set(body) == {"error", "error_code", "hint"} and body["error_code"] == 400002, body
    return body["hint"]


@pytest.mark.parametrize("body", BAD_BODIES, ids=BODY_IDS)
@pytest.mark.parametrize("path", [f"{ADMIN}/auth", f"{CUSTOMER}/auth"])
def test_sign_in_endpoints_answer_a_jsonapi_400(client, app, path, body):
    assert_jsonapi_400(client.post(path, data=body, content_type="application/json"))


@pytest.mark.parametrize("body", BAD_BODIES, ids=BODY_IDS)
def test_admin_invoice_create_answers_a_jsonapi_400_and_creates_nothing(client, admin_token, body):
    response = client.post(
        f"{ADMIN}/invoices", data=body, headers=jsonapi_headers(admin_token, **{"Content-Type": MEDIA})
    )
    assert_jsonapi_400(response)
    assert db.session.query(Invoice).count() == 0


def test_admin_invoice_create_names_where_the_lone_surrogate_is(client, admin_token):
    account = AccountFactory()
    db.session.commit()
    body = (
        '{"data": {"type": "invoices", "attributes": {"start-date": "2026-05-01\\ud800", "end-date": "2026-06-01"},'
        f' "relationships": {{"account": {{"data": {{"type": "accounts", "id": "{account.id}"}}}}}}}}}}'
    )
    response = client.post(
        f"{ADMIN}/invoices", data=body, headers=jsonapi_headers(admin_token, **{"Content-Type": MEDIA})
    )
    assert "/data/attributes/start-date" in assert_jsonapi_400(response)


@pytest.mark.parametrize(
    "body",
    BAD_BODIES[:2]
    + [
        '{"customerReference": "PO\\ud800"}',
        '{"customerReference": "ok", "purchaseOrderNumber": "\\udc00"}',
        '{"\\ud800": "x"}',
        '{"customerReference": NaN}',
    ],
    ids=["deep array", "deep object", "surrogate", "surrogate second field", "surrogate key", "NaN"],
)
def test_backend_put_answers_400002_and_changes_nothing(client, app, body):
    invoice = pending_invoice(AccountFactory(), customer_reference="C-1")
    db.session.commit()
    key = make_key()
    response = send_raw(client, "PUT", f"{BASE}/invoices/{invoice.id}", body, key)
    hint = assert_backend_400002(response)
    if "customerReference" in body and "purchaseOrderNumber" not in body and "NaN" not in body:
        assert "/customerReference" in hint
    db.session.expire_all()
    stored = db.session.get(Invoice, invoice.id)
    assert (stored.customer_reference, stored.purchase_order_number) == ("C-1", None)


def test_backend_create_and_actions_answer_400002_for_the_same_bodies(client, app):
    account = AccountFactory()
    invoice = raised_invoice(account)
    db.session.commit()
    key = make_key()
    for body in (DEEP, '{"customerReference": "\\ud800", "startDate": "2026-06-01", "endDate": "2026-06-02"}'):
        response = send_raw(client, "POST", f"{BASE}/customers/{account.customer_id}/invoices", body, key)
        assert_backend_400002(response)
    assert db.session.query(Invoice).count() == 1
    for action, body in (
        ("email", '{"email": ["a\\ud800@example.com"]}'),
        ("generateDownloadLink", DEEP),
        ("linkToXero", '{"xeroID": "\\udbff"}'),
        ("generateDownloadLink", '{"maxUses": NaN}'),
    ):
        response = send_raw(client, "POST", f"{BASE}/invoices/{invoice.id}?action={action}", body, key)
        assert_backend_400002(response)


def test_a_surrogate_pair_is_an_ordinary_character(client, app):
    invoice = pending_invoice(AccountFactory())
    db.session.commit()
    body = '{"customerReference": "PO \\ud83d\\ude00"}'
    response = send_raw(client, "PUT", f"{BASE}/invoices/{invoice.id}", body, make_key())
    assert response.status_code == 200, response.data
    assert response.get_json()["customerReference"] == "PO \U0001f600"


def test_loader_reads_objects_up_to_the_depth_limit():
    nested = '{"a":' * (MAX_DEPTH - 1) + "1" + "}" * (MAX_DEPTH - 1)
    assert load_json_object(nested.encode())["a"]
    assert load_json_object(b"  ") == {}
    for raw in (DEEP, "[1]", '"x"', "\xff", b"\xff\xfe{", '{"a": Infinity}', '{"a": 1e999}'):
        with pytest.raises(BadJsonBody):
            load_json_object(raw)
