"""Helpers for the sign-in tests: real forms with their CSRF tokens, real users from the factories."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.factories import PASSWORD, AdminUserFactory, CustomerUserFactory

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client, url: str) -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def post_login(
    client,
    email: str,
    password: str = PASSWORD,
    remember: bool = False,
    url: str = "/login",
    environ: dict | None = None,
):
    data = {"csrf_token": csrf_from(client, url), "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post(url, data=data, environ_base=environ or {})


@pytest.fixture
def admin(app):
    user = AdminUserFactory(email="boss@telco.example", level=5)
    db.session.commit()
    return user


@pytest.fixture
def customer_user(app):
    user = CustomerUserFactory(email="ann@customer.example")
    db.session.commit()
    return user
