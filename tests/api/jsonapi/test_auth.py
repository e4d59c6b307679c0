"""Tokens for both JSON:APIs: login bodies and errors, HS256 only, audiences, expiry, disabled users, IP lists."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time

import jwt
import pytest

from portal.api.jsonapi.auth import ADMIN_AUDIENCE, CUSTOMER_AUDIENCE, issue_token, signing_keys
from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, MEDIA, jsonapi_headers, login_admin, login_customer
from tests.factories import PASSWORD, AdminUserFactory

AUTH_FAILED = {
    "errors": [
        {"title": "Authentication failed", "detail": "Incorrect login or password.", "code": "401", "status": "401"}
    ]
}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _signed_with_header(header: dict, claims: dict, key: bytes | str) -> str:
    """A token whose signature is HMAC-SHA256 with the real key but whose header names `header["alg"]`:
    what an algorithm-confusion attack sends (e.g. "RS256" verified with a key meant for HMAC)."""
    key = key.encode() if isinstance(key, str) else key
    signing_input = f"{_b64(header)}.{_b64(claims)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def test_admin_login_returns_a_hs256_token_with_the_documented_claims(client, admin, app):
    before = int(time.time())
    response = client.post(f"{ADMIN}/auth", json={"auth": {"username": admin.email, "password": PASSWORD}})
    assert response.status_code == 201
    assert list(response.get_json()) == ["jwt"]
    token = response.get_json()["jwt"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert list(claims) == ["sub", "aud", "exp"]
    assert claims["sub"] == admin.id and claims["aud"] == ["admin"]
    assert before + 600 <= claims["exp"] <= int(time.time()) + 600


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "nobody@telco.example", "password": PASSWORD},
        {"username": "ADMIN", "password": "wrong"},
        {"username": None, "password": None},
        {"username": ["x"], "password": {"y": 1}},
        {"username": "ad\x00min@telco.example", "password": PASSWORD},  # PostgreSQL refuses NUL in text: not a 500
        {},
    ],
)
def test_admin_login_failures_use_the_documented_error(client, admin, credentials):
    if credentials.get("username") == "ADMIN":
        credentials["username"] = admin.email
    response = client.post(f"{ADMIN}/auth", json={"auth": credentials})
    assert response.status_code == 401
    assert response.get_json() == AUTH_FAILED


def test_admin_login_with_a_malformed_body_is_a_400_not_a_500(client):
    response = client.post(f"{ADMIN}/auth", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["status"] == "400"
    assert client.post(f"{ADMIN}/auth", json=["a"]).status_code == 400
    assert client.post(f"{ADMIN}/auth", json={"user": "x"}).status_code == 400


def test_admin_login_refuses_a_form_body(client, admin):
    response = client.post(f"{ADMIN}/auth", data={"username": admin.email, "password": PASSWORD})
    assert response.status_code == 415


def test_disabled_admin_cannot_log_in_and_its_tokens_stop_working(client, admin):
    token = login_admin(client, admin)
    admin.enabled = False
    db.session.commit()
    assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token)).status_code == 401
    response = client.post(f"{ADMIN}/auth", json={"auth": {"username": admin.email, "password": PASSWORD}})
    assert response.status_code == 401


def test_admin_allowed_ips_are_checked_at_login_and_on_every_request(client, app):
    user = AdminUserFactory(allowed_ips="10.0.0.0/8, 192.168.1.7")
    db.session.commit()
    credentials = {"auth": {"username": user.email, "password": PASSWORD}}
    refused = client.post(f"{ADMIN}/auth", json=credentials, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert refused.status_code == 401
    assert refused.get_json()["errors"][0]["detail"] == "Your IP address is not allowed."
    allowed = client.post(f"{ADMIN}/auth", json=credentials, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert allowed.status_code == 201
    token = allowed.get_json()["jwt"]
    ok = client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token), environ_base={"REMOTE_ADDR": "192.168.1.7"})
    assert ok.status_code == 200
    moved = client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token), environ_base={"REMOTE_ADDR": "8.8.8.8"})
    assert moved.status_code == 401 and moved.data == b""


def test_bare_token_and_bearer_token_both_work(client, admin_token):
    assert client.get(f"{ADMIN}/invoices", headers={"Authorization": admin_token}).status_code == 200
    assert client.get(f"{ADMIN}/invoices", headers={"Authorization": f"Bearer {admin_token}"}).status_code == 200
    assert client.get(f"{ADMIN}/invoices", headers={"Authorization": f"Token  x {admin_token}"}).status_code == 200


def _forged_tokens(app, admin_id: int) -> dict[str, str]:
    with app.test_request_context():
        key = signing_keys(ADMIN_AUDIENCE)[0]
        now = int(time.time())
        good = {"sub": admin_id, "aud": ["admin"], "exp": now + 600}
        return {
            "alg none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(good) + ".",
            "HS512": jwt.encode(good, key + key, algorithm="HS512"),
            # Algorithm confusion: the right HMAC signature under a header that names another algorithm.
            "RS256 header, HMAC signature": _signed_with_header({"alg": "RS256", "typ": "JWT"}, good, key),
            "ES256 header, HMAC signature": _signed_with_header({"alg": "ES256", "typ": "JWT"}, good, key),
            "lower-case hs256": _signed_with_header({"alg": "hs256", "typ": "JWT"}, good, key),
            "no alg": _signed_with_header({"typ": "JWT"}, good, key),
            "RS256 header, random signature": _b64({"alg": "RS256", "typ": "JWT"})
            + "."
            + _b64(good)
            + "."
            + base64.urlsafe_b64encode(bytes(range(256))).rstrip(b"=").decode(),
            "embedded jwk": _signed_with_header(
                {"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": "QUFB"}}, good, b"AAA"
            ),
            "other key": jwt.encode(good, b"another-secret-entirely-32-bytes!", algorithm="HS256"),
            "expired": jwt.encode({**good, "exp": now - 1}, key, algorithm="HS256"),
            "customer audience": jwt.encode({**good, "aud": ["customer-v1"]}, key, algorithm="HS256"),
            "no audience": jwt.encode({"sub": admin_id, "exp": now + 600}, key, algorithm="HS256"),
            "no subject": jwt.encode({"aud": ["admin"], "exp": now + 600}, key, algorithm="HS256"),
            "no expiry": jwt.encode({"sub": admin_id, "aud": ["admin"]}, key, algorithm="HS256"),
            "text subject": jwt.encode({**good, "sub": "admin"}, key, algorithm="HS256"),
            "unknown subject": jwt.encode({**good, "sub": admin_id + 1000}, key, algorithm="HS256"),
            "huge subject": jwt.encode({**good, "sub": "9" * 30}, key, algorithm="HS256"),
            "garbage": "not.a.token",
            "empty": "",
        }


def test_admin_refuses_forged_expired_and_foreign_tokens_with_an_empty_401(client, app, admin, admin_token):
    tampered = admin_token[:-3] + ("AAA" if not admin_token.endswith("AAA") else "BBB")
    tokens = {**_forged_tokens(app, admin.id), "tampered": tampered}
    for name, token in tokens.items():
        response = client.get(f"{ADMIN}/invoices", headers={"Authorization": f"Bearer {token}", "Accept": MEDIA})
        assert response.status_code == 401, name
        assert response.data == b"", name
    assert client.get(f"{ADMIN}/invoices").status_code == 401
    # Control: the same hand-made signing with the header the portal issues is accepted, so the
    # confusion tokens above fail on their algorithm, not on how they were made.
    with app.test_request_context():
        key = signing_keys(ADMIN_AUDIENCE)[0]
    claims = {"sub": admin.id, "aud": ["admin"], "exp": int(time.time()) + 600}
    control = _signed_with_header({"alg": "HS256", "typ": "JWT"}, claims, key)
    assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(control)).status_code == 200


def test_customer_token_is_refused_by_the_admin_api_and_the_other_way_round(client, admin_token, customer_user):
    customer_token = login_customer(client, customer_user)
    assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(customer_token)).status_code == 401
    response = client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(admin_token))
    assert response.status_code == 401
    assert response.get_json() == {
        "errors": [
            {
                "title": "Authorization failed",
                "detail": "Authorization token expired or incorrect.",
                "code": "401",
                "status": "401",
            }
        ]
    }


def test_customer_tokens_use_their_own_secret_when_configured(app, customer_user):
    with app.test_request_context():
        derived = issue_token(customer_user.id, CUSTOMER_AUDIENCE)
        assert signing_keys(CUSTOMER_AUDIENCE)[0] != signing_keys(ADMIN_AUDIENCE)[0]
        app.config["CUSTOMER_JWT_SECRET"] = "customer-only-secret-of-32-bytes!!"
        try:
            token = issue_token(customer_user.id, CUSTOMER_AUDIENCE)
            claims = jwt.decode(
                token,
                "customer-only-secret-of-32-bytes!!",
                algorithms=["HS256"],
                audience="customer-v1",
                options={"verify_sub": False},
            )
            assert list(claims) == ["aud", "sub", "exp"] and claims["sub"] == customer_user.id
            assert derived != token
        finally:
            app.config["CUSTOMER_JWT_SECRET"] = None


def test_token_lifetime_comes_from_the_configuration(app, client, admin):
    app.config["JWT_LIFETIME_SECONDS"] = 30
    try:
        token = login_admin(client, admin)
    finally:
        app.config["JWT_LIFETIME_SECONDS"] = 600
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - int(time.time()) <= 30


def test_tokens_signed_with_a_previous_secret_key_still_work_after_rotation(app, client, admin):
    token = login_admin(client, admin)
    old = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="rotated-secret", SECRET_KEY_FALLBACKS=[old])
    try:
        assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token)).status_code == 200
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token)).status_code == 401
    finally:
        app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])


def test_auth_endpoints_are_rate_limited_with_a_jsonapi_429(client, admin, customer_user):
    """The sign-in rule's numbers (portal.auth.rules): five failures per address and login a minute."""
    for _ in range(5):
        failed = client.post(f"{ADMIN}/auth", json={"auth": {"username": admin.email, "password": "x"}})
        assert failed.status_code == 401
    response = client.post(f"{ADMIN}/auth", json={"auth": {"username": admin.email, "password": PASSWORD}})
    assert response.status_code == 429
    error = response.get_json()["errors"][0]
    assert error["status"] == "429" and error["code"] == "429" and error["title"] == "Too many requests"
    assert int(response.headers["Retry-After"]) > 0
    for _ in range(5):
        client.post(f"{CUSTOMER}/auth", json={"auth": {"login": customer_user.email, "password": "x"}})
    assert (
        client.post(f"{CUSTOMER}/auth", json={"auth": {"login": customer_user.email, "password": PASSWORD}}).status_code
        == 429
    )


def test_customer_login_failures_use_the_documented_error(client, customer_user):
    for credentials in (
        {"login": customer_user.email, "password": "wrong"},
        {"login": "x@y.z", "password": PASSWORD},
        {"login": 5, "password": 5},
        {"login": "\x00", "password": PASSWORD},
    ):
        response = client.post(f"{CUSTOMER}/auth", json={"auth": credentials})
        assert response.status_code == 401
        assert response.get_json() == AUTH_FAILED


def test_disabled_customer_user_or_customer_is_refused(client, customer_user):
    token = login_customer(client, customer_user)
    customer_user.customer.enabled = False
    db.session.commit()
    assert client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(token)).status_code == 401
    response = client.post(f"{CUSTOMER}/auth", json={"auth": {"login": customer_user.email, "password": PASSWORD}})
    assert response.status_code == 401
    customer_user.customer.enabled = True
    customer_user.enabled = False
    db.session.commit()
    assert client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(token)).status_code == 401


def test_customer_login_returns_the_documented_claims(client, customer_user):
    token = login_customer(client, customer_user)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert list(claims) == ["aud", "sub", "exp"]
    assert claims["aud"] == ["customer-v1"] and claims["sub"] == customer_user.id
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_cookie_auth_sets_an_httponly_cookie_refreshes_it_and_logout_clears_it(client, customer_user):
    response = client.post(
        f"{CUSTOMER}/auth", json={"auth": {"login": customer_user.email, "password": PASSWORD, "cookie_auth": True}}
    )
    assert response.status_code == 201 and response.data == b""
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("customer_v1_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/api/rest/customer/v1" in cookie
    listed = client.get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA})
    assert listed.status_code == 200
    assert listed.headers["Set-Cookie"].startswith("customer_v1_session=")
    # A header token wins over the cookie, even when it is invalid.
    assert client.get(f"{CUSTOMER}/invoices", headers={"Authorization": "Bearer nope"}).status_code == 401
    logout = client.delete(f"{CUSTOMER}/auth")
    assert logout.status_code == 204
    assert "customer_v1_session=logout" in logout.headers["Set-Cookie"]
    assert "1970" in logout.headers["Set-Cookie"]
    assert client.get(f"{CUSTOMER}/invoices", headers={"Accept": MEDIA}).status_code == 401


def test_customer_cookie_login_cannot_be_posted_by_a_form(client, customer_user):
    response = client.post(
        f"{CUSTOMER}/auth",
        data={"auth[login]": customer_user.email, "auth[password]": PASSWORD, "auth[cookie_auth]": "true"},
    )
    assert response.status_code == 415
    assert "Set-Cookie" not in response.headers


def test_expired_customer_token_is_refused(app, client, customer_user):
    with app.test_request_context():
        token = issue_token(
            customer_user.id, CUSTOMER_AUDIENCE, now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        )
    response = client.get(f"{CUSTOMER}/invoices", headers=jsonapi_headers(token))
    assert response.status_code == 401
    assert response.get_json()["errors"][0]["title"] == "Authorization failed"


def test_zero_lifetime_issues_tokens_without_expiry(app, client, admin):
    app.config["JWT_LIFETIME_SECONDS"] = 0
    try:
        token = login_admin(client, admin)
        assert "exp" not in jwt.decode(token, options={"verify_signature": False})
        assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token)).status_code == 200
    finally:
        app.config["JWT_LIFETIME_SECONDS"] = 600
    # With a lifetime configured again, a token without expiry is refused.
    assert client.get(f"{ADMIN}/invoices", headers=jsonapi_headers(token)).status_code == 401
