"""Admin test helpers: sign in an admin of a given level, and post forms with the page's CSRF token."""
from __future__ import annotations

import re

import pytest

from tests.factories import AdminUserFactory

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_token(client, url: str = "/admin/") -> str:
    """The CSRF token of the signed-in session, read from a page like a browser would."""
    html = client.get(url).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


class AdminClient:
    """A test client signed in as an admin, with `post_form` adding the CSRF token."""

    def __init__(self, client, user):
        self.client = client
        self.user = user

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(self.client))
        return self.client.post(url, data=payload, **kwargs)


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
