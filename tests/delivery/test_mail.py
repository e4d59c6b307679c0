"""send_message against a real SMTP server on loopback, STARTTLS, refusals, and the outbox folder."""

from __future__ import annotations

import ssl
import subprocess

import pytest

from portal.delivery.outbox import list_outbox, read_outbox_message
from portal.foundations.errors import DeliveryFailed, NotFound
from portal.mail import send_message
from tests.smtp import SmtpServer, free_port

PDF = b"%PDF-1.4\n% test attachment\n%%EOF\n"


def test_smtp_delivers_headers_text_html_and_attachment_bytes(app, smtp_server):
    app.config["MAIL_FROM"] = "billing@telco.example"
    message_id = send_message(
        ["ap@customer.example", "cfo@customer.example"],
        "Invoice INV-1",
        "Plain body",
        "<p>HTML <b>body</b></p>",
        [("INV-1.pdf", "application/pdf", PDF)],
    )

    [received] = smtp_server.messages
    msg = received.message
    assert received.rcpt_tos == ["ap@customer.example", "cfo@customer.example"]
    assert msg["From"] == "Billing <billing@telco.example>"  # with its display name
    assert msg["To"] == "ap@customer.example, cfo@customer.example"
    assert msg["Subject"] == "Invoice INV-1"
    assert msg["Message-ID"] == message_id
    assert msg.get_body(preferencelist=("plain",)).get_content().strip() == "Plain body"
    assert "<b>body</b>" in msg.get_body(preferencelist=("html",)).get_content()
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "INV-1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_recipient_refused_raises_delivery_failed_with_the_server_answer(app, smtp_server):
    smtp_server.handler.refuse_rcpt = "550 5.1.1 Mailbox unavailable"
    with pytest.raises(DeliveryFailed, match="refused every recipient.*550.*Mailbox unavailable"):
        send_message(["nobody@customer.example"], "s", "t")
    assert smtp_server.messages == []


def test_data_refused_raises_delivery_failed(app, smtp_server):
    smtp_server.handler.refuse_data = "554 5.7.1 Message rejected"
    with pytest.raises(DeliveryFailed, match="refused the message: 554"):
        send_message(["ap@customer.example"], "s", "t")


def test_no_server_listening_raises_delivery_failed(app):
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=3)
    try:
        with pytest.raises(DeliveryFailed, match="Could not send through the mail server 127.0.0.1"):
            send_message(["ap@customer.example"], "s", "t")
    finally:
        app.config["MAIL_HOST"] = None


def test_no_recipient_is_refused_before_connecting(app, smtp_server):
    with pytest.raises(DeliveryFailed, match="No recipient"):
        send_message([], "s", "t")


def test_unknown_security_mode_is_a_clear_error(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SECURITY", "ssl3")
    with pytest.raises(DeliveryFailed, match="MAIL_SECURITY must be one of"):
        send_message(["ap@customer.example"], "s", "t")


@pytest.fixture
def self_signed(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_delivers_when_the_certificate_is_trusted(app, self_signed):
    cert, key = self_signed
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with SmtpServer(tls_context=context, require_starttls=True) as server:
        app.config.update(server.config(), MAIL_SECURITY="starttls", MAIL_CA_FILE=str(cert))
        try:
            send_message(["ap@customer.example"], "Over TLS", "secret body")
            assert [m.message["Subject"] for m in server.messages] == ["Over TLS"]

            app.config["MAIL_CA_FILE"] = None  # the system CAs do not trust the test certificate
            with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
                send_message(["ap@customer.example"], "Over TLS", "secret body")
        finally:
            app.config.update(MAIL_HOST=None, MAIL_SECURITY="none", MAIL_CA_FILE=None)


def test_server_requiring_starttls_refuses_plain_sending(app, self_signed):
    cert, key = self_signed
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with SmtpServer(tls_context=context, require_starttls=True) as server:
        app.config.update(server.config())
        try:
            with pytest.raises(DeliveryFailed, match="530"):
                send_message(["ap@customer.example"], "plain", "body")
        finally:
            app.config["MAIL_HOST"] = None
    assert server.messages == []


def test_outbox_mode_writes_a_readable_eml(app, outbox):
    message_id = send_message(
        ["ap@customer.example"], "Invoice INV-2", "Text body", "<p>Html</p>", [("INV-2.pdf", "application/pdf", PDF)]
    )
    [path] = list(outbox.glob("*.eml"))
    assert message_id.encode() in path.read_bytes()

    [listed] = list_outbox()
    assert (listed.to, listed.subject, listed.attachments) == ("ap@customer.example", "Invoice INV-2", ["INV-2.pdf"])
    full = read_outbox_message(listed.name)
    assert full.text.strip() == "Text body"
    assert full.html.strip() == "<p>Html</p>"


def test_outbox_lists_newest_first(app, outbox):
    for subject in ("first", "second", "third"):
        send_message(["ap@customer.example"], subject, "t")
    assert [m.subject for m in list_outbox()] == ["third", "second", "first"]


@pytest.mark.parametrize("name", ["../secret.eml", "..", "x/../../etc/passwd", "missing.eml", ""])
def test_outbox_refuses_unknown_or_escaping_names(app, outbox, name):
    with pytest.raises(NotFound):
        read_outbox_message(name)


def test_outbox_folder_missing_lists_nothing(app, outbox):
    assert list_outbox() == []
