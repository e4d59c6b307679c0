"""Sending one e-mail: SMTP (plain, STARTTLS or TLS) or, with no SMTP host configured, an .eml file in the outbox."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

from portal.foundations.errors import DeliveryFailed
from portal.foundations.text import one_line

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "tls")


def outbox_mode() -> bool:
    """True when no SMTP host is configured and mail goes to the outbox folder instead."""
    return not current_app.config.get("MAIL_HOST")


def new_message_id() -> str:
    """A fresh Message-ID in the sender's domain (known before sending, so it can be recorded first)."""
    sender = current_app.config.get("MAIL_FROM") or "billing@localhost"
    return make_msgid(domain=sender.rpartition("@")[2] or "localhost")


def sender_address(config) -> str:
    """The From header: MAIL_FROM with the display name MAIL_FROM_NAME, unless MAIL_FROM already names one."""
    address = config.get("MAIL_FROM") or "billing@localhost"
    name = config.get("MAIL_FROM_NAME")
    if not name or parseaddr(address)[0] or "<" in address:
        return address
    return formataddr((name, address))


def build_message(
    to: list[str], subject: str, text: str, html: str | None = None, attachments=(), message_id: str | None = None
) -> EmailMessage:
    """A MIME message: text part, optional HTML alternative, then attachments `(filename, content_type, bytes)`."""
    config = current_app.config
    sender = _header_value("From", sender_address(config))
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = _header_value("To", ", ".join(to))
    msg["Subject"] = _header_value("Subject", subject)
    msg["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    msg["Message-ID"] = message_id or new_message_id()
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = (content_type or "application/octet-stream").partition("/")
        msg.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=_header_value("Content-Disposition", filename),
        )
    return msg


def _header_value(name: str, value: str) -> str:
    """`value` on one line. Input is checked when it is saved (portal.foundations.text); a value stored before that
    check, or from configuration, still must not end the header (the email package refuses it with an
    error, and a line break in a header could add another), so its breaks become spaces."""
    single = one_line(value) if value else value
    if single != value:
        log.warning("mail header %s had line breaks or control characters; sent as one line", name)
    return single


def send_message(
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    message_id: str | None = None,
) -> str:
    """Send a message and return its Message-ID (`message_id` when given, else a new one).

    Uses the SMTP server of the configuration (`MAIL_HOST`, `MAIL_PORT`, `MAIL_SECURITY`,
    `MAIL_USERNAME`/`MAIL_PASSWORD`, `MAIL_FROM`, `MAIL_TIMEOUT`); with no `MAIL_HOST` the
    message is written as an `.eml` file into `OUTBOX_DIR`.

    Raises:
        DeliveryFailed: no recipient, the server is unreachable, refuses the login, the
            sender, every recipient or the data, or the outbox folder cannot be written.
    """
    recipients = [address for address in to if address]
    if not recipients:
        raise DeliveryFailed("No recipient address to send the message to.")
    msg = build_message(recipients, subject, text, html, attachments, message_id)
    if outbox_mode():
        write_to_outbox(msg)
    else:
        _send_smtp(msg, recipients)
    return msg["Message-ID"]


def write_to_outbox(msg: EmailMessage) -> Path:
    """Write the message into OUTBOX_DIR as `<UTC time>-<random>.eml` (names sort by time)."""
    folder = Path(current_app.config["OUTBOX_DIR"])
    name = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(msg.as_bytes())
    except OSError as exc:
        raise DeliveryFailed(f"Could not write the message to the outbox folder {folder}: {exc}") from exc
    log.info("mail written to outbox %s (to %s)", path, msg["To"])
    return path


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=current_app.config.get("MAIL_CA_FILE") or None)
    return context


def _send_smtp(msg: EmailMessage, recipients: list[str]) -> None:
    config = current_app.config
    host, port = config["MAIL_HOST"], int(config.get("MAIL_PORT") or 25)
    security = (config.get("MAIL_SECURITY") or "none").lower()
    timeout = config.get("MAIL_TIMEOUT") or 20
    where = f"{host}:{port}"
    if security not in SECURITY_MODES:
        raise DeliveryFailed(f"MAIL_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}.")
    try:
        if security == "tls":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_tls_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=_tls_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            refused = smtp.send_message(msg, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in exc.recipients.items())
        raise DeliveryFailed(f"The mail server {where} refused every recipient ({detail}).") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryFailed(
            f"The mail server {where} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(
            f"The mail server {where} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # OSError covers refused connections, timeouts, DNS and TLS failures.
        raise DeliveryFailed(f"Could not send through the mail server {where}: {exc or type(exc).__name__}") from exc
    if refused:
        # Some recipients were accepted: the message is out; the refusals are logged, not retried,
        # because a retry would send a second copy to those who already have it.
        log.warning("mail %s: recipients refused by %s: %s", msg["Message-ID"], where, refused)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
