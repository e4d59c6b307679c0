"""One sign-in rule for every face (portal.auth.rules): enabled user and customer, an admin's allowed
networks, the shared limits, and ending every session (HTML, remember-me, JWT, API cookie, reset link)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from portal.api.jsonapi.auth import (
    CUSTOMER_AUDIENCE,
    customer_session_seconds,
    issue_session_cookie,
    issue_token,
    session_serializer,
)
from portal.auth.service import sign_out_everywhere
from portal.auth.sessions import hash_password
from portal.auth.tokens import make_password_reset_token
from portal.customers.customers import update_customer
from portal.extensions import db
from portal.models import AuditEvent
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, MEDIA, jsonapi_headers, login_admin, login_customer
from tests.api.key_clients import bearer, make_key
from tests.auth.conftest import csrf_from, post_login
from tests.factories import PASSWORD, AdminUserFactory, CustomerUserFactory

NEW_PASSWORD = "a brand new passphrase"
AUTH_FAILED = {
    "errors": [
        {"title": "Authentication failed", "detail": "Incorrect login or password.", "code": "401", "status": "401"}
    ]
}


def signed_in(client) -> bool:
    """Whether the browser session (or its remember-me cookie) still signs someone in."""
    return client.get("/profile/password").status_code == 200


def api_status(client, token) -> int:
    return client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(token)).status_code


def cookie_login(client, user) -> str:
    """Sign in to the customer JSON:API in cookie mode; the value of the `customer_v1_session` cookie."""
    response = client.post(
        f"{CUSTOMER}/auth", json={"auth": {"login": user.email, "password": PASSWORD, "cookie_auth": True}}
    )
    assert response.status_code == 201, response.data
    return response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]


def cookie_status(app, value: str) -> int:
    """A request with a captured cookie value, from a browser that has nothing else."""
    return with_cookie(app, value).get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA}).status_code


def with_cookie(app, value: str):
    client = app.test_client()
    client.set_cookie("customer_v1_session", value, path=CUSTOMER)
    return client


class Devices:
    """A customer user signed in everywhere at once: a browser, a browser on remember-me only, a JWT,
    an API session cookie and a pending password-reset link."""

    def __init__(self, app, user):
        self.app, self.user = app, user
        self.browser = app.test_client()
        post_login(self.browser, user.email)
        self.remembered = app.test_client()
        post_login(self.remembered, user.email, remember=True)
        self.remembered.delete_cookie("session")
        self.token = login_customer(app.test_client(), user)
        self.cookie = cookie_login(app.test_client(), user)
        self.reset_token = make_password_reset_token(user)

    def statuses(self) -> dict:
        reset = self.app.test_client().get(f"/password/reset/{self.reset_token}").status_code
        return {
            "browser": signed_in(self.browser),
            "remembered": signed_in(self.remembered),
            "jwt": api_status(self.app.test_client(), self.token),
            "cookie": cookie_status(self.app, self.cookie),
            "reset link": reset,
        }


ALL_LIVE = {"browser": True, "remembered": True, "jwt": 200, "cookie": 200, "reset link": 200}


def all_ended(statuses: dict, reset_status: int) -> bool:
    return statuses == {"browser": False, "remembered": False, "jwt": 401, "cookie": 401, "reset link": reset_status}


def test_a_disabled_customer_signs_in_through_no_face_and_its_open_sessions_end_for_good(app, customer_user):
    devices = Devices(app, customer_user)
    assert devices.statuses() == ALL_LIVE
    update_customer(customer_user.customer, enabled=False)
    db.session.commit()
    assert all_ended(devices.statuses(), 404)
    html = post_login(app.test_client(), customer_user.email)
    assert html.status_code == 200 and "Invalid email or password." in html.get_data(as_text=True)
    for body in (
        {"login": customer_user.email, "password": PASSWORD},
        {"login": customer_user.email, "password": PASSWORD, "cookie_auth": True},
    ):
        refused = app.test_client().post(f"{CUSTOMER}/auth", json={"auth": body})
        assert refused.status_code == 401 and refused.get_json() == AUTH_FAILED
        assert "Set-Cookie" not in refused.headers
    # Enabling the customer again lets its users sign in anew, but revives none of the old sessions.
    update_customer(customer_user.customer, enabled=True)
    db.session.commit()
    assert all_ended(devices.statuses(), 410)
    assert post_login(app.test_client(), customer_user.email).status_code == 302


def test_a_customer_key_of_a_disabled_customer_is_refused_by_both_key_apis(client, customer_user):
    key = make_key(customer=customer_user.customer, scopes="read", level=1)
    assert client.get("/backend/api/v1/invoices", headers=bearer(key)).status_code == 200
    update_customer(customer_user.customer, enabled=False)
    db.session.commit()
    assert client.get("/backend/api/v1/invoices", headers=bearer(key)).status_code == 401
    assert client.get("/v2/orgs/telco/accounts/1/invoices", headers=bearer(key)).status_code == 401


def test_a_disabled_user_signs_in_through_no_face_and_its_open_sessions_end(app, customer_user):
    devices = Devices(app, customer_user)
    customer_user.enabled = False  # disabled by hand in the database: the rule still holds on every request
    db.session.commit()
    assert all_ended(devices.statuses(), 404)
    assert post_login(app.test_client(), customer_user.email).status_code == 200
    assert (
        app.test_client()
        .post(f"{CUSTOMER}/auth", json={"auth": {"login": customer_user.email, "password": PASSWORD}})
        .status_code
        == 401
    )


@pytest.fixture
def office_admin(app):
    user = AdminUserFactory(email="office@telco.example", level=5, allowed_ips="10.0.0.0/8, 2001:db8::/32")
    db.session.commit()
    return user


OFFICE, ELSEWHERE = {"REMOTE_ADDR": "10.1.2.3"}, {"REMOTE_ADDR": "192.0.2.7"}


def test_an_admin_outside_allowed_ips_cannot_sign_in_to_the_admin_area(app, office_admin):
    outside = app.test_client()
    response = post_login(outside, office_admin.email, environ=ELSEWHERE)
    assert response.status_code == 200 and "Invalid email or password." in response.get_data(as_text=True)
    assert outside.get("/admin/", environ_base=ELSEWHERE).status_code == 302
    inside = app.test_client()
    assert post_login(inside, office_admin.email, environ=OFFICE).status_code == 302
    assert inside.get("/admin/", environ_base=OFFICE).status_code == 200


def test_an_admins_open_session_and_remember_me_stop_working_outside_allowed_ips(app, office_admin):
    browser = app.test_client()
    post_login(browser, office_admin.email, remember=True, environ=OFFICE)
    assert browser.get("/admin/", environ_base=OFFICE).status_code == 200
    moved = browser.get("/admin/", environ_base=ELSEWHERE)
    assert moved.status_code == 302 and "/login" in moved.headers["Location"]
    browser.delete_cookie("session")  # remember-me alone, from outside: refused too
    assert browser.get("/admin/", environ_base=ELSEWHERE).status_code == 302
    assert browser.get("/admin/", environ_base=OFFICE).status_code == 200


def test_the_admin_jsonapi_keeps_its_documented_answers_for_a_refused_address(app, office_admin):
    client = app.test_client()
    refused = client.post(
        f"{ADMIN}/auth", json={"auth": {"username": office_admin.email, "password": PASSWORD}}, environ_base=ELSEWHERE
    )
    assert refused.status_code == 401
    assert refused.get_json()["errors"][0]["detail"] == "Your IP address is not allowed."
    wrong = client.post(
        f"{ADMIN}/auth", json={"auth": {"username": office_admin.email, "password": "nope"}}, environ_base=ELSEWHERE
    )
    assert wrong.get_json()["errors"][0]["detail"] == "Incorrect login or password."


def test_changing_the_password_ends_every_other_session_token_cookie_and_reset_link(app, customer_user):
    devices = Devices(app, customer_user)
    remembered_token = login_customer(app.test_client(), customer_user)
    assert api_status(app.test_client(), remembered_token) == 200  # now in the verified-token memory
    here = app.test_client()
    post_login(here, customer_user.email)
    response = here.post(
        "/profile/password",
        data={
            "csrf_token": csrf_from(here, "/profile/password"),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert all_ended(devices.statuses(), 410)
    assert api_status(app.test_client(), remembered_token) == 401
    assert signed_in(here)
    reset = app.test_client().get(f"/password/reset/{devices.reset_token}")
    assert "no longer works" in reset.get_data(as_text=True)


def test_a_token_issued_in_the_second_the_sessions_ended_counts_as_issued_after(app, customer_user):
    """Tokens are dated by `exp` to the second: one issued just after the ending, in the same second, is dated
    to the next second rather than taken for one issued before."""
    sign_out_everywhere(customer_user)
    db.session.commit()
    ended = customer_user.sessions_ended_at
    with app.test_request_context():
        after = issue_token(customer_user.id, CUSTOMER_AUDIENCE, now=ended, sessions_ended_at=ended)
        before = issue_token(
            customer_user.id, CUSTOMER_AUDIENCE, now=ended - dt.timedelta(microseconds=1), sessions_ended_at=None
        )
    assert api_status(app.test_client(), after) == 200
    assert api_status(app.test_client(), before) == 401


@pytest.mark.parametrize("kind", ["customer", "admin"])
def test_sign_out_everywhere_ends_every_other_session_token_cookie_and_reset_link(app, kind):
    user = CustomerUserFactory() if kind == "customer" else AdminUserFactory()
    db.session.commit()
    here = app.test_client()
    post_login(here, user.email)
    page = here.get("/profile/password").get_data(as_text=True)
    assert "Sign out everywhere" in page
    if kind == "customer":
        devices = Devices(app, user)
        assert devices.statuses() == ALL_LIVE
    else:
        other = app.test_client()
        post_login(other, user.email)
        admin_token = login_admin(app.test_client(), user)
        assert app.test_client().get(f"{ADMIN}/invoices", headers=jsonapi_headers(admin_token)).status_code == 200
    assert here.post("/profile/sign-out-everywhere").status_code == 400  # without CSRF: refused, nothing ended
    assert signed_in(here)
    response = here.post("/profile/sign-out-everywhere", data={"csrf_token": csrf_from(here, "/profile/password")})
    assert response.status_code == 302
    assert signed_in(here)  # this browser stays signed in
    if kind == "customer":
        assert all_ended(devices.statuses(), 410)
    else:
        assert not signed_in(other)
        assert app.test_client().get(f"{ADMIN}/invoices", headers=jsonapi_headers(admin_token)).status_code == 401


def test_the_customer_api_cookie_dies_on_logout_and_a_captured_copy_with_it(app, customer_user):
    browser = app.test_client()
    captured = cookie_login(browser, customer_user)
    assert browser.get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA}).status_code == 200
    assert cookie_status(app, captured) == 200
    logout = browser.delete(f"{CUSTOMER}/auth")
    assert logout.status_code == 204 and "customer_v1_session=logout" in logout.headers["Set-Cookie"]
    assert cookie_status(app, captured) == 401
    assert browser.get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA}).status_code == 401


def test_the_customer_api_cookie_ends_at_its_absolute_lifetime_however_often_it_is_renewed(app, customer_user):
    browser = app.test_client()
    captured = cookie_login(browser, customer_user)
    started = session_serializer().loads(captured)["t"]
    renewed = browser.get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA})
    assert renewed.status_code == 200
    value = renewed.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    assert session_serializer().loads(value)["t"] == started  # renewing keeps the sign-in time
    lifetime = customer_session_seconds()
    max_age = int(renewed.headers["Set-Cookie"].split("Max-Age=", 1)[1].split(";", 1)[0])
    assert 0 < max_age <= app.config["JWT_LIFETIME_SECONDS"]
    # Signed just now (so not idle), but its session signed in a lifetime ago: over.
    almost = issue_session_cookie(customer_user.id, customer_user.session_version, int(time.time()) - lifetime + 30)
    assert cookie_status(app, almost) == 200
    over = issue_session_cookie(customer_user.id, customer_user.session_version, int(time.time()) - lifetime - 1)
    assert cookie_status(app, over) == 401
    # Near its end the browser is told to keep the cookie only as long as the session has left.
    late = with_cookie(app, almost).get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA})
    assert int(late.headers["Set-Cookie"].split("Max-Age=", 1)[1].split(";", 1)[0]) <= 30


@pytest.mark.parametrize("face", ["html", "jsonapi-admin", "jsonapi-customer"])
def test_every_sign_in_face_counts_failures_with_the_rules_numbers(app, face):
    """The numbers come from one place (portal.auth.rules, `LOGIN_RATE_LIMIT_PER_EMAIL`): after that many
    failed sign-ins for one login from one address, even the right password gets a 429."""
    user = AdminUserFactory() if face == "jsonapi-admin" else CustomerUserFactory()
    db.session.commit()
    client = app.test_client()

    def attempt(password):
        if face == "html":  # a fresh browser each time: a signed-in one is sent away from /login
            return post_login(app.test_client(), user.email, password).status_code
        if face == "jsonapi-admin":
            body = {"auth": {"username": user.email, "password": password}}
            return client.post(f"{ADMIN}/auth", json=body).status_code
        return client.post(f"{CUSTOMER}/auth", json={"auth": {"login": user.email, "password": password}}).status_code

    app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "2 per minute"
    try:
        assert attempt(PASSWORD) in (201, 302)  # successes do not count
        assert [attempt("wrong password") for _ in range(2)] == [200 if face == "html" else 401] * 2
        assert attempt(PASSWORD) == 429
    finally:
        del app.config["LOGIN_RATE_LIMIT_PER_EMAIL"]


def test_passwords_longer_than_the_limit_are_refused_by_every_face(app):
    long_password = "x" * 300
    user = CustomerUserFactory(password_hash=hash_password(long_password))
    db.session.commit()
    client = app.test_client()
    assert (
        client.post(f"{CUSTOMER}/auth", json={"auth": {"login": user.email, "password": long_password}}).status_code
        == 401
    )
    assert post_login(client, user.email, long_password).status_code == 200


def test_every_sign_in_is_recorded_whatever_the_face(app, customer_user):
    post_login(app.test_client(), customer_user.email)
    login_customer(app.test_client(), customer_user)
    db.session.expire_all()
    faces = [e.details.get("face") for e in db.session.query(AuditEvent).filter_by(action="customer_user.signed_in")]
    assert faces == ["html", "jsonapi-customer"]
    assert db.session.get(type(customer_user), customer_user.id).last_login_at is not None
