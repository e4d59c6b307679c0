"""Admin page fixtures: admins of every level signed in on their own clients, invoices in each state, CSRF."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.factories import AdminUserFactory
from tests.invoices import approved_invoice, pending_invoice  # noqa: F401 - fixtures
from tests.smtp import smtp_server  # noqa: F401 - fixture

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HX_CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


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


def page_csrf_token(client, url: str = "/admin/") -> str:
    """The CSRF token of the signed-in session, read from a page (the htmx header on <body>)."""
    html = client.get(url).get_data(as_text=True)
    match = _HX_CSRF.search(html) or _CSRF.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AdminClient:
    """A test client signed in as an admin, with `post_form` adding the CSRF token."""

    def __init__(self, client, user):
        self.client = client
        self.user = user

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", page_csrf_token(self.client))
        return self.client.post(url, data=payload, **kwargs)

    def edit_customer(self, customer, **fields):
        """Post the customer edit form: the customer's own name, bank transfer and enabled, unless `fields`
        give other values, and `fields`."""
        form = {"name": customer.name, "payment_method": "Bank transfer", "enabled": "y", **fields}
        return self.post_form(f"/admin/customers/{customer.id}/edit", form)


@pytest.fixture
def admin_as(app, login, session):
    """`admin_as(level)` → an AdminClient signed in as a new admin user with that level."""

    def _make(level: int = 5) -> AdminClient:
        user = AdminUserFactory(level=level)
        session.commit()
        test_client = app.test_client()
        login(user, test_client)
        return AdminClient(test_client, user)

    return _make


@pytest.fixture
def admin(admin_as) -> AdminClient:
    return admin_as(5)
