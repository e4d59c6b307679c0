"""Delivery fixtures: a loopback SMTP server and the app pointed at it."""
from __future__ import annotations

import pytest

from tests.smtp import SmtpServer


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback; the app sends through it for the duration of the test."""
    with SmtpServer() as server:
        saved = {key: app.config.get(key) for key in server.config()}
        app.config.update(server.config())
        yield server
        app.config.update(saved)


@pytest.fixture
def outbox(app, tmp_path):
    """Outbox mode (no SMTP host) writing into a fresh folder."""
    saved = app.config.get("MAIL_HOST"), app.config["OUTBOX_DIR"]
    app.config.update(MAIL_HOST=None, OUTBOX_DIR=str(tmp_path / "outbox"))
    yield tmp_path / "outbox"
    app.config["MAIL_HOST"], app.config["OUTBOX_DIR"] = saved
