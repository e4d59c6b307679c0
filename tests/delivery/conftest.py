"""Delivery fixtures: a loopback SMTP server and the app pointed at it."""
from __future__ import annotations

import pytest

from tests.smtp import smtp_server  # noqa: F401 - fixture


@pytest.fixture
def outbox(app, tmp_path):
    """Outbox mode (no SMTP host) writing into a fresh folder."""
    saved = app.config.get("MAIL_HOST"), app.config["OUTBOX_DIR"]
    app.config.update(MAIL_HOST=None, OUTBOX_DIR=str(tmp_path / "outbox"))
    yield tmp_path / "outbox"
    app.config["MAIL_HOST"], app.config["OUTBOX_DIR"] = saved
