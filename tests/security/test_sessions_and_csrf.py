"""Sessions and CSRF: a new session cookie on login, Secure cookies in production, argon2id at or above
the OWASP minimum, and every state-changing browser route refusing a request without the CSRF token
(plain forms and htmx requests alike)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from email.utils import parsedate_to_datetime

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from portal import create_app
from portal.auth.sessions import MIN_PASSWORD_LENGTH, hash_password, verify_password
from portal.extensions import db
from portal.models import CustomerUser
from tests.auth.conftest import csrf_from, post_login
from tests.factories import PASSWORD, AdminUserFactory, CustomerUserFactory

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Machine APIs authenticate with bearer credentials (no cookies), so CSRF does not apply to them; the
# download link route's signed token is its only credential (portal/downloads/views.py says why).
NOT_BROWSER = ("/api/", "/backend/", "/v2/")
TOKEN_ONLY_ENDPOINTS = {"download.download"}


def _sample(converter):
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    return "x"


def browser_write_routes(app):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & STATE_CHANGING
        if not methods or rule.rule.startswith(NOT_BROWSER) or rule.endpoint in TOKEN_ONLY_ENDPOINTS:
            continue
        values = {name: _sample(conv) for name, conv in rule._converters.items()}
        yield rule.endpoint, adapter.build(rule.endpoint, values), sorted(methods)


def signed_in_client(app, login, user):
    db.session.commit()
    client = app.test_client()
    login(user, client)
    return client


@pytest.fixture
def admin_session(app, login):
    return signed_in_client(app, login, AdminUserFactory(level=5))


@pytest.fixture
def customer_session(app, login):
    return signed_in_client(app, login, CustomerUserFactory())


@pytest.fixture
def session_for(admin_session, customer_session):
    """The signed-in client that passes each area's guard (portal routes answer 404 to admins first)."""
    return lambda endpoint: customer_session if endpoint.startswith("customer.") else admin_session


def test_the_walk_finds_the_browser_forms(app):
    endpoints = {endpoint for endpoint, _, _ in browser_write_routes(app)}
    assert len(endpoints) > 20 and {"auth.logout", "auth.login"} <= endpoints, sorted(endpoints)


def test_every_state_changing_form_refuses_a_missing_or_wrong_csrf_token(app, session_for):
    refused = []
    for endpoint, url, methods in browser_write_routes(app):
        for method in methods:
            for data in ({}, {"csrf_token": "forged"}):
                response = session_for(endpoint).open(url, method=method, data=data)
                body = response.get_data(as_text=True)
                assert response.status_code == 400 and "CSRF" in body, (endpoint, method, response.status_code)
                refused.append(endpoint)
    assert refused


def test_htmx_requests_without_the_csrf_header_are_refused(app, session_for):
    for endpoint, url, methods in browser_write_routes(app):
        for method in methods:
            client = session_for(endpoint)
            response = client.open(url, method=method, headers={"HX-Request": "true"})
            assert response.status_code == 400, (endpoint, method, response.status_code)
            forged = client.open(url, method=method, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
            assert forged.status_code == 400, (endpoint, method, forged.status_code)


def test_htmx_header_with_the_page_token_is_accepted(app, admin_session):
    html = admin_session.get("/admin/").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = admin_session.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def _session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_issues_a_new_session_cookie_and_the_old_one_stays_anonymous(app, client):
    user = CustomerUserFactory()
    db.session.commit()
    csrf_from(client, "/login")  # the anonymous session now holds a CSRF token
    before = _session_cookie(client)
    assert before
    post_login(client, user.email)
    after = _session_cookie(client)
    assert after and after != before
    assert client.get("/profile/password").status_code == 200
    # An attacker who planted or copied the pre-login cookie gets nothing from it.
    fixed = app.test_client()
    fixed.set_cookie("session", before)
    assert fixed.get("/profile/password").status_code == 302


def test_production_sets_secure_httponly_lax_session_and_remember_cookies(app, database_url):
    production = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "production-test-key", "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with production.app_context():
        email = CustomerUserFactory().email
        db.session.commit()
    client = production.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={"csrf_token": token, "email": email, "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        flags = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookies[name]
    # Remember-me is bounded: the cookie expires within a month (14 days by default).
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookies["remember_token"]).group(1))
    assert dt.timedelta(days=1) < expires - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(days=31)
    with production.app_context():
        db.engine.dispose()


def test_passwords_are_argon2id_at_or_above_the_owasp_minimum(app):
    user = CustomerUserFactory()
    db.session.commit()
    stored = db.session.get(CustomerUser, user.id).password_hash
    for password_hash in (stored, hash_password("another long password")):
        match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", password_hash)
        assert match, password_hash[:30]
        memory, iterations, lanes = map(int, match.groups())
        assert memory >= 19456 and iterations >= 2 and lanes >= 1
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD.upper())
    assert MIN_PASSWORD_LENGTH >= 8


def test_disabling_a_user_signs_out_every_device_including_remember_me(app, admin_session):
    user = CustomerUserFactory()
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    post_login(laptop, user.email)
    post_login(phone, user.email, remember=True)
    phone.delete_cookie("session")  # the phone comes back on its remember-me cookie alone
    assert laptop.get("/profile/password").status_code == 200 and phone.get("/profile/password").status_code == 200
    html = admin_session.get(f"/admin/users/customers/{user.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = admin_session.post(f"/admin/users/customers/{user.id}/disable", data={"csrf_token": token})
    assert response.status_code in (302, 303)
    for device in (laptop, phone):
        assert device.get("/profile/password").status_code == 302
    # Enabling again does not revive the old sessions.
    db.session.expire_all()
    html = admin_session.get(f"/admin/users/customers/{user.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    admin_session.post(f"/admin/users/customers/{user.id}/enable", data={"csrf_token": token})
    for device in (laptop, phone):
        assert device.get("/profile/password").status_code == 302
