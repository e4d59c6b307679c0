"""Fixtures of the backend API v1 tests: two customers, a full-power key, and a client that sends keys."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.api.key_clients import bearer, make_key
from tests.factories import AccountFactory, CustomerFactory

BASE = "/backend/api/v1"


class KeyClient:
    """The test client with `Authorization: Bearer <key>` on every request."""

    def __init__(self, client, key):
        self.client = client
        self.key = key

    def _call(self, method, path, **kwargs):
        headers = {**bearer(self.key), **kwargs.pop("headers", {})}
        return getattr(self.client, method)(BASE + path, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def put(self, path, **kw):
        return self._call("put", path, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def customer(app):
    return CustomerFactory()


@pytest.fixture
def account(customer):
    return AccountFactory(customer=customer)


@pytest.fixture
def other_account(app):
    """An account of another customer: the factory makes a new customer for it."""
    return AccountFactory()


@pytest.fixture
def api(client, app):
    """A client holding a read,write level-5 operator key."""
    return KeyClient(client, make_key())


@pytest.fixture
def key_client(client, app):
    """Make a client for a key with the given scopes, level and customer."""

    def _make(**kwargs):
        return KeyClient(client, make_key(**kwargs))

    return _make


def assert_error(response, status: int, code: int):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "error_code", "hint"}, body
    assert body["error_code"] == code, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["hint"], str) and body["hint"]
    return body


@pytest.fixture
def commit():
    def _commit():
        db.session.commit()

    return _commit
