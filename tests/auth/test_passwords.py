"""Password reset by e-mail (real loopback SMTP and the outbox) and changing the password in the profile."""

from __future__ import annotations

import email
import re
import socket
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from portal.auth.tokens import make_password_reset_token
from portal.extensions import db
from portal.models import CustomerUser
from tests.auth.conftest import csrf_from, post_login
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://localhost/password/reset/[A-Za-z0-9_.\-]+")


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_HOST", "MAIL_PORT", "MAIL_SECURITY")}
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port, MAIL_SECURITY="none")
    yield inbox
    app.config.update(saved)
    controller.stop()


def ask_reset(client, address: str):
    token = csrf_from(client, "/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": token, "email": address})


def reset_with(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    path = link.replace("http://localhost", "")
    token = csrf_from(client, path)
    return client.post(
        path, data={"csrf_token": token, "password": password, "confirm": password if confirm is None else confirm}
    )


def test_reset_by_email_end_to_end_over_smtp(app, client, customer_user, smtp):
    other_device = app.test_client()
    post_login(other_device, customer_user.email)
    response = ask_reset(client, customer_user.email)
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    [message] = smtp.messages
    assert message["To"] == customer_user.email and message["Subject"] == "Reset your password"
    link = LINK.search(message.get_body(("plain",)).get_content()).group(0)

    assert client.get(link.replace("http://localhost", "")).status_code == 200
    response = reset_with(client, link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert post_login(app.test_client(), customer_user.email, PASSWORD).status_code == 200  # old one refused
    assert post_login(app.test_client(), customer_user.email, NEW_PASSWORD).status_code == 302
    # Every session that existed before the reset is over.
    assert other_device.get("/profile/password").status_code == 302

    used = client.get(link.replace("http://localhost", ""))
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)


def test_forgot_answers_the_same_for_unknown_and_known_emails(app, client, customer_user):
    outbox = Path(app.config["OUTBOX_DIR"])
    before = set(outbox.glob("*.eml"))
    known = ask_reset(client, customer_user.email).get_data(as_text=True)
    unknown = ask_reset(client, "nobody@customer.example").get_data(as_text=True)
    strip = lambda html: re.sub(r'("X-CSRFToken": "[^"]*"|\S+@customer\.example)', "", html)  # noqa: E731 - a one-line helper used right below
    assert strip(known) == strip(unknown)
    written = set(outbox.glob("*.eml")) - before
    assert len(written) == 1  # the outbox (no MAIL_HOST) got exactly the known user's mail
    assert customer_user.email in written.pop().read_text()


def test_reset_link_is_single_use_even_when_posted_twice(app, customer_user):
    link = "http://localhost/password/reset/" + make_password_reset_token(customer_user)
    first, second = app.test_client(), app.test_client()
    form_first = csrf_from(first, link[16:])
    form_second = csrf_from(second, link[16:])
    ok = first.post(link[16:], data={"csrf_token": form_first, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = second.post(
        link[16:], data={"csrf_token": form_second, "password": "another passphrase!", "confirm": "another passphrase!"}
    )
    assert ok.status_code == 302 and again.status_code == 410
    assert post_login(app.test_client(), customer_user.email, NEW_PASSWORD).status_code == 302


def test_tampered_reset_link_is_404(client, customer_user):
    token = make_password_reset_token(customer_user)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "not-a-token", "x" * 600):
        response = client.get(f"/password/reset/{bad}")
        assert response.status_code == 404
        assert "not valid" in response.get_data(as_text=True)


def test_expired_reset_link_is_410(client, customer_user, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3601)
    token = make_password_reset_token(customer_user)
    monkeypatch.setattr(time, "time", real_time)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_reset_refuses_short_and_mismatched_passwords(client, customer_user):
    link = "/password/reset/" + make_password_reset_token(customer_user)
    short = reset_with(client, link, "short")
    assert short.status_code == 200 and "at least 10 characters" in short.get_data(as_text=True)
    mismatch = reset_with(client, link, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 200 and "do not match" in mismatch.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CustomerUser, customer_user.id).password_token_version == 0


def test_admin_can_reset_too(app, client, admin):
    response = reset_with(client, "/password/reset/" + make_password_reset_token(admin))
    assert response.status_code == 302
    assert post_login(app.test_client(), admin.email, NEW_PASSWORD).status_code == 302


def test_forgot_is_rate_limited(client, customer_user):
    for _ in range(5):
        assert ask_reset(client, customer_user.email).status_code == 200
    response = ask_reset(client, customer_user.email)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def change(client, current: str, new: str, confirm: str | None = None):
    token = csrf_from(client, "/profile/password")
    return client.post(
        "/profile/password",
        data={"csrf_token": token, "current_password": current, "password": new, "confirm": confirm or new},
    )


def test_change_password_signs_out_other_devices_and_keeps_this_one(app, client, customer_user):
    post_login(client, customer_user.email, remember=True)
    laptop, phone = app.test_client(), app.test_client()
    post_login(laptop, customer_user.email)
    post_login(phone, customer_user.email, remember=True)
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get("/profile/password").status_code == 200
    assert laptop.get("/profile/password").status_code == 302
    phone.delete_cookie("session")  # the phone's remember-me cookie names the old session version
    assert phone.get("/profile/password").status_code == 302
    client.delete_cookie("session")  # this device's remember-me cookie was renewed
    assert client.get("/profile/password").status_code == 200
    assert post_login(app.test_client(), customer_user.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong password!", NEW_PASSWORD, None, "is incorrect"),
        (PASSWORD, "short", None, "at least 10 characters"),
        (PASSWORD, NEW_PASSWORD, "different passphrase", "do not match"),
        ("", NEW_PASSWORD, None, "This field is required"),
    ],
)
def test_change_password_errors_show_beside_the_field(client, customer_user, current, new, confirm, message):
    post_login(client, customer_user.email)
    response = change(client, current, new, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert post_login(client.application.test_client(), customer_user.email, PASSWORD).status_code == 302


def test_a_reset_request_for_an_email_with_a_nul_character_answers_as_for_any_unknown_one(client, customer_user):
    unknown = ask_reset(client, "nobody@customer.example")
    nul = ask_reset(client, "no\x00body@customer.example")
    assert nul.status_code == unknown.status_code == 200
