"""Sending e-mail: SMTP (plain, STARTTLS or TLS) or, without a mail host, .eml files in the outbox folder."""
from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from portal.errors import DeliveryFailed

Attachment = tuple[str, str, bytes]  # (filename, content type, bytes)


def build_message(to: list[str], subject: str, text: str, html: str | None = None,
                  attachments=(), sender: str | None = None) -> EmailMessage:
    """A MIME message: text part, optional HTML alternative, attachments."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = sender or config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = (config["MAIL_FROM"] or "portal.invalid").rpartition("@")[2] or "portal.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = (content_type or "application/octet-stream").partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    return message


def send_message(to: list[str], subject: str, text: str, html: str | None = None,
                 attachments: list[Attachment] | tuple = ()) -> str:
    """Send one message and return its Message-ID.

    With `MAIL_HOST` set the message goes over SMTP (`MAIL_SECURITY` none | starttls | tls,
    optional login); without it the message is written as an .eml file into `OUTBOX_DIR`
    (development and tests).

    Raises:
        DeliveryFailed: no recipient, the server refused or could not be reached, or the
            outbox could not be written. The message says what went wrong (never the password).
    """
    recipients = [address.strip() for address in to if address and address.strip()]
    if not recipients:
        raise DeliveryFailed("No recipient address.")
    message = build_message(recipients, subject, text, html, attachments)
    config = current_app.config
    if not config.get("MAIL_HOST"):
        return _write_to_outbox(message, config["OUTBOX_DIR"])
    try:
        _send_smtp(message, recipients, config)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"Sending mail failed: {_describe(exc)}") from exc
    return message["Message-ID"]


def _send_smtp(message: EmailMessage, recipients: list[str], config) -> None:
    host, port, timeout = config["MAIL_HOST"], int(config["MAIL_PORT"]), config.get("MAIL_TIMEOUT", 20)
    security = (config.get("MAIL_SECURITY") or "none").lower()
    context = ssl.create_default_context()
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message, to_addrs=recipients)


def _write_to_outbox(message: EmailMessage, outbox: str) -> str:
    try:
        os.makedirs(outbox, exist_ok=True)
        path = Path(outbox) / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(message.as_bytes())
    except OSError as exc:
        raise DeliveryFailed(f"Writing to the outbox failed: {exc.strerror or exc}") from exc
    return message["Message-ID"]


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {detail}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    return str(exc) or type(exc).__name__
