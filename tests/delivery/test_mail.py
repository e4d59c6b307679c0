"""The mail sender: loopback SMTP that accepts or refuses, an unreachable server, and the outbox."""
from __future__ import annotations

import email
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from portal.delivery.mail import send_message
from portal.errors import DeliveryFailed


class _Server:
    def __init__(self, refuse: bool = False):
        self.refuse, self.messages = refuse, []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        if self.refuse:
            return "554 5.7.1 Message rejected"
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_config(app):
    saved = {k: app.config[k] for k in ("MAIL_HOST", "MAIL_PORT", "MAIL_SECURITY", "MAIL_TIMEOUT")}

    def use(port: int):
        app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none", MAIL_TIMEOUT=5)

    yield use
    app.config.update(saved)


def test_sends_text_html_and_attachment_over_smtp(app, smtp_config):
    server = _Server()
    controller = Controller(server, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        smtp_config(controller.port)
        message_id = send_message(["a@customer.example", " b@customer.example "], "Invoice", "Text body",
                                  "<p>HTML body</p>", [("INV-1.pdf", "application/pdf", b"%PDF-1.7 test")])
    finally:
        controller.stop()
    [(recipients, message)] = server.messages
    assert recipients == ["a@customer.example", "b@customer.example"]
    assert message["Message-ID"] == message_id and message["From"] == app.config["MAIL_FROM"]
    assert message.get_body(("plain",)).get_content().strip() == "Text body"
    assert "HTML body" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "INV-1.pdf" and attachment.get_content() == b"%PDF-1.7 test"


def test_refusing_server_raises_delivery_failed_with_the_reason(app, smtp_config):
    controller = Controller(_Server(refuse=True), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        smtp_config(controller.port)
        with pytest.raises(DeliveryFailed, match="554"):
            send_message(["a@customer.example"], "Invoice", "Text")
    finally:
        controller.stop()


def test_unreachable_server_raises_delivery_failed(app, smtp_config):
    smtp_config(_free_port())  # nothing listens there
    with pytest.raises(DeliveryFailed, match="Sending mail failed"):
        send_message(["a@customer.example"], "Invoice", "Text")


def test_no_recipient_is_refused(app):
    with pytest.raises(DeliveryFailed, match="No recipient"):
        send_message(["", "  "], "Invoice", "Text")


def test_without_a_mail_host_the_message_lands_in_the_outbox(app):
    message_id = send_message(["a@customer.example"], "Invoice", "Text")
    files = [p for p in Path(app.config["OUTBOX_DIR"]).glob("*.eml") if message_id in p.read_text()]
    assert len(files) == 1
