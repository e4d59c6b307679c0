"""Verified tokens remembered per process (portal/api/jsonapi/auth.py, `PORTAL_JWT_CACHE_SIZE`): what a
token proved once saves its signature check later, and never lets through what a fresh check would refuse."""

from __future__ import annotations

import datetime as dt
import time

from portal.api.jsonapi.auth import ADMIN_AUDIENCE, CUSTOMER_AUDIENCE, issue_token
from portal.auth.service import sign_out_everywhere
from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, jsonapi_headers, login_admin, login_customer


def _flip(text: str) -> str:
    """`text` with its fourth last character changed: a whole base64 digit of the signature (the last
    one also holds padding bits, so changing only it may leave the signature's bytes as they were)."""
    return text[:-4] + ("B" if text[-4] == "A" else "A") + text[-3:]


def remembered(app) -> dict:
    entry = app.extensions.get("jsonapi_verified_tokens")
    return dict(entry[1]) if entry else {}


def status(client, token, root=ADMIN) -> int:
    return client.get(f"{root}/invoices", headers=jsonapi_headers(token)).status_code


def test_a_verified_token_is_remembered_with_its_subject_and_expiry(app, client, admin):
    token = login_admin(client, admin)
    assert status(client, token) == 200
    [(key, value)] = [(k, v) for k, v in remembered(app).items() if k[0] == token]
    assert key[1] == ADMIN_AUDIENCE and value[0] == admin.id
    assert value[1] - time.time() <= app.config["JWT_LIFETIME_SECONDS"]
    assert status(client, token) == 200


def test_a_remembered_token_still_expires_on_time(app, client, admin):
    with app.test_request_context():  # expires within three seconds
        token = issue_token(admin.id, ADMIN_AUDIENCE, now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=597))
    assert status(client, token) == 200
    expires = next(v[1] for k, v in remembered(app).items() if k[0] == token)
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    assert status(client, token) == 401


def test_a_remembered_token_of_a_disabled_user_stops_at_once(client, admin):
    token = login_admin(client, admin)
    assert status(client, token) == 200
    admin.enabled = False
    db.session.commit()
    assert status(client, token) == 401


def test_a_remembered_token_stops_once_the_users_sessions_are_ended(app, client, admin, customer_user):
    """Sign-out everywhere (as a password change, sign-out or disabling does) ends tokens the memory holds."""
    admin_token, customer_token = login_admin(client, admin), login_customer(client, customer_user)
    assert status(client, admin_token) == 200 and status(client, customer_token, CUSTOMER) == 200
    assert {k[0] for k in remembered(app)} >= {admin_token, customer_token}
    sign_out_everywhere(admin)
    sign_out_everywhere(customer_user)
    db.session.commit()
    assert status(client, admin_token) == 401 and status(client, customer_token, CUSTOMER) == 401
    assert status(client, login_admin(client, admin)) == 200
    assert status(client, login_customer(client, customer_user), CUSTOMER) == 200


def test_without_expiry_a_token_carries_its_issue_time_and_ends_with_the_sessions(app, client, admin):
    app.config["JWT_LIFETIME_SECONDS"] = 0
    try:
        token = login_admin(client, admin)
        assert status(client, token) == 200
        sign_out_everywhere(admin)
        db.session.commit()
        assert status(client, token) == 401
        assert status(client, login_admin(client, admin)) == 200
    finally:
        app.config["JWT_LIFETIME_SECONDS"] = 600


def test_a_remembered_token_stops_when_its_key_is_retired(app, client, admin):
    token = login_admin(client, admin)
    assert status(client, token) == 200
    old = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="rotated-secret", SECRET_KEY_FALLBACKS=[])
    try:
        assert status(client, token) == 401
    finally:
        app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])
    assert status(client, token) == 200


def test_a_token_tampered_after_its_original_was_remembered_is_refused(app, client, admin):
    token = login_admin(client, admin)
    assert status(client, token) == 200
    head, claims, signature = token.split(".")
    forged = [f"{head}.{claims}.{_flip(signature)}", f"{head}.{claims}x.{signature}", f"{head}.{claims}."]
    for bad in forged:
        assert status(client, bad) == 401
    assert not {k[0] for k in remembered(app)} & set(forged)


def test_a_token_is_remembered_for_its_own_audience_only(app, client, customer_user):
    token = login_customer(client, customer_user)
    assert status(client, token, CUSTOMER) == 200
    assert status(client, token, ADMIN) == 401
    assert {k[1] for k in remembered(app) if k[0] == token} == {CUSTOMER_AUDIENCE}


def test_with_the_memory_off_tokens_are_checked_the_same_way(app, client, admin):
    app.config["JWT_CACHE_SIZE"] = 0
    try:
        token = login_admin(client, admin)
        assert status(client, token) == 200
        assert status(client, _flip(token)) == 401
    finally:
        app.config["JWT_CACHE_SIZE"] = 10000
