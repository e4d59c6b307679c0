"""Admin page fixtures: admins of every level signed in on their own clients, invoices in each state, CSRF."""
from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.clients import fresh_user_clients  # noqa: F401 - autouse
from tests.factories import AdminUserFactory
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.invoices import approved_invoice, pending_invoice  # noqa: F401 - fixtures

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def admin_client(app, login):
    """`admin_client(level)` → a test client signed in as a new admin of that expert level."""

    def _make(level: int = 5):
        user = AdminUserFactory(level=level)
        db.session.commit()
        client = app.test_client()
        login(user, client)
        client.csrf = csrf_token(client)
        return client

    return _make


def csrf_token(client) -> str:
    page = client.get("/admin/invoices")
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on the invoice list ({page.status_code})"
    return match.group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data={"csrf_token": client.csrf, **(data or {})}, **kwargs)

