"""Backend API v1 authentication and authorisation: keys, scopes, levels and customer keys."""

from __future__ import annotations

from portal.auth.api_keys import LAST_USE_STEP, list_api_keys, revoke_api_key
from portal.extensions import db
from tests.api.backend_v1.conftest import BASE, assert_error
from tests.api.key_clients import make_key, pending_invoice, raised_invoice
from tests.statements import recorded_statements


def test_request_without_a_key_is_401001(client, app):
    response = client.get(BASE + "/invoices")
    assert_error(response, 401, 401001)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_malformed_and_non_bearer_keys_are_401002(client, app):
    make_key()
    for header in ("Bearer tlp_deadbeef_nothing", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "):
        assert_error(client.get(BASE + "/invoices", headers={"Authorization": header}), 401, 401002)


def test_revoked_key_is_refused_at_once(api, app):
    assert api.get("/invoices").status_code == 200
    revoke_api_key(list_api_keys()[0])
    db.session.commit()
    assert_error(api.get("/invoices"), 401, 401002)


def test_key_use_is_recorded(api, app):
    api.get("/invoices")
    db.session.expire_all()
    assert list_api_keys()[0].last_used_at is not None


def test_key_use_is_written_at_most_once_a_minute(api, app):
    """Reads stay reads: the last use is not written again within LAST_USE_STEP of the one recorded."""
    api.get("/invoices")
    key = list_api_keys()[0]
    first = key.last_used_at
    with recorded_statements() as seen:
        assert api.get("/invoices").status_code == 200
    assert [s for s in seen if s.lstrip().upper().startswith("UPDATE")] == []
    db.session.expire_all()
    assert list_api_keys()[0].last_used_at == first
    key = list_api_keys()[0]
    key.last_used_at = first - LAST_USE_STEP
    db.session.commit()
    api.get("/invoices")
    db.session.expire_all()
    assert list_api_keys()[0].last_used_at > first


def test_read_only_key_may_not_write(key_client, account):
    invoice = pending_invoice(account)
    db.session.commit()
    api = key_client(scopes="read", level=5)
    assert api.get(f"/invoices/{invoice.id}").status_code == 200
    assert_error(api.put(f"/invoices/{invoice.id}", json={}), 403, 403001)
    assert_error(api.delete(f"/invoices/{invoice.id}"), 403, 403001)
    assert_error(api.post(f"/invoices/{invoice.id}?action=recreate"), 403, 403001)
    assert_error(api.post(f"/customers/{account.customer_id}/invoices", json={}), 403, 403001)


def test_write_only_key_may_not_read(key_client, account):
    api = key_client(scopes="write", level=5)
    assert_error(api.get("/invoices"), 403, 403001)


def test_low_level_key_is_403002_and_changes_nothing(key_client, account):
    invoice = pending_invoice(account)
    db.session.commit()
    api = key_client(level=3)  # deleting needs level 4
    body = assert_error(api.delete(f"/invoices/{invoice.id}"), 403, 403002)
    assert "level 4" in body["hint"]
    assert key_client(level=5).get(f"/invoices/{invoice.id}").status_code == 200
    assert_error(key_client(level=1).put(f"/invoices/{invoice.id}", json={"customerReference": "X"}), 403, 403002)


def test_customer_key_sees_only_its_customers_raised_invoices(key_client, account, other_account):
    own = raised_invoice(account)
    own_unsent = pending_invoice(account, start=own.end_date, end=own.end_date.replace(month=7))
    foreign = raised_invoice(other_account)
    db.session.commit()
    api = key_client(customer=account.customer, scopes="read")
    assert [i["id"] for i in api.get("/invoices?includeUnsent=1").get_json()] == [str(own.id)]
    assert api.get("/invoices?unsent=1").get_json() == []
    assert api.get(f"/invoices/{own.id}").status_code == 200
    assert_error(api.get(f"/invoices/{own_unsent.id}"), 404, 404001)
    assert_error(api.get(f"/invoices/{foreign.id}"), 404, 404001)
    assert_error(api.get(f"/customers/{other_account.customer_id}/invoices"), 404, 404001)
    assert [i["id"] for i in api.get(f"/customers/{account.customer_id}/invoices").get_json()] == [str(own.id)]
    assert api.get(f"/invoices?invoiceNumber={foreign.invoice_number}").get_json() == []


def test_customer_key_with_write_scope_may_not_change_invoices(key_client, account, other_account):
    own = raised_invoice(account)
    foreign = pending_invoice(other_account)
    db.session.commit()
    api = key_client(customer=account.customer, scopes="read,write", level=5)
    assert_error(api.put(f"/invoices/{own.id}", json={"customerReference": "X"}), 403, 403003)
    assert_error(api.post(f"/invoices/{own.id}?action=updateCallTransactions"), 403, 403003)
    assert_error(api.post(f"/customers/{account.customer_id}/invoices", json={}), 403, 403003)
    # Other customers' invoices do not exist for this key, whatever the method.
    assert_error(api.delete(f"/invoices/{foreign.id}"), 404, 404001)
    assert_error(api.post(f"/customers/{other_account.customer_id}/invoices", json={}), 404, 404001)
    db.session.expire_all()
    assert own.customer_reference is None


def test_unknown_paths_and_methods_answer_in_the_backend_error_format(api, app):
    assert_error(api.get("/nothing-here"), 404, 404001)
    response = api.client.patch(BASE + "/invoices/1", headers={"Authorization": f"Bearer {api.key}"})
    assert_error(response, 405, 405001)
    assert "PUT" in response.headers["Allow"]
