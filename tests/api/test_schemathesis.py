"""Schemathesis against the WSGI app: every documented operation, authenticated, no 5xx, responses as documented."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.api.jsonapi.auth import issue_token
from portal.api.openapi.document import operations
from portal.extensions import db
from tests.api.key_clients import make_key, pending_invoice, raised_invoice
from tests.factories import UTC, AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory

EXAMPLES_PER_OPERATION = 8
CONFIG = schemathesis.Config.from_dict({"generation": {"max-examples": EXAMPLES_PER_OPERATION}})
OPERATIONS = [(op["method"], op["path"]) for op in operations()]


@pytest.fixture
def credentials(app):
    """Real data and a real read,write level-5 API key, committed before schemathesis calls the app."""
    customer = CustomerFactory()
    account = AccountFactory(customer=customer)
    raised_invoice(account)
    pending_invoice(account, start=dt.datetime(2026, 6, 1, tzinfo=UTC), end=dt.datetime(2026, 7, 1, tzinfo=UTC))
    admin = AdminUserFactory(level=5)
    user = CustomerUserFactory(customer=customer)
    key = make_key()
    db.session.commit()
    return {
        "api_key": key,
        "admin_jwt": issue_token(admin.id, "admin"),
        "customer_jwt": issue_token(user.id, "customer-v1"),
    }


def auth_headers(path: str, credentials: dict) -> dict:
    """JWTs for the JSON:API faces (by audience), the API key for the backend and orgs APIs."""
    if path.startswith("/api/rest/admin"):
        token = credentials["admin_jwt"]
    elif path.startswith("/api/rest/customer"):
        token = credentials["customer_jwt"]
    else:
        token = credentials["api_key"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def api_schema(_app):
    """The document as the app serves it, loaded once by schemathesis."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", _app, config=CONFIG)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_as_documented(app, api_schema, credentials, method, path):
    operation = api_schema[path][method]
    headers = auth_headers(path, credentials)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    run()
