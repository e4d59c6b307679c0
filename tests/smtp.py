"""A real SMTP server on loopback (aiosmtpd) for tests: collects what it receives, or refuses on demand."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class CollectingHandler:
    """Accepts everything unless told to refuse recipients (`refuse_rcpt`) or the data (`refuse_data`; with
    `refuse_data_times`, only for that many messages)."""

    messages: list[Received] = field(default_factory=list)
    refuse_rcpt: str | None = None  # e.g. "550 5.1.1 Mailbox unavailable"
    refuse_data: str | None = None
    refuse_data_times: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd calls its handlers by these names
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd calls its handlers by these names
        if self.refuse_data and self.refuse_data_times != 0:
            if self.refuse_data_times is not None:
                self.refuse_data_times -= 1
            return self.refuse_data
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A started aiosmtpd Controller on 127.0.0.1 and its handler."""

    def __init__(self, tls_context: ssl.SSLContext | None = None, require_starttls: bool = False):
        self.handler = CollectingHandler()
        self.port = free_port()
        kwargs = {}
        if tls_context is not None:
            kwargs = {"tls_context": tls_context, "require_starttls": require_starttls}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def config(self) -> dict:
        return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_SECURITY": "none", "MAIL_TIMEOUT": 5}

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback; the app sends through it for the duration of the test."""
    with SmtpServer() as server:
        saved = {key: app.config.get(key) for key in server.config()}
        app.config.update(server.config())
        yield server
        app.config.update(saved)
