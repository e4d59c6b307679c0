"""Delivery fixtures: a loopback SMTP server, the outbox folder, an approved invoice with its PDF, minting links."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.delivery.links import mint_download_link
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.documents.conftest import make_invoice
from tests.smtp import smtp_server  # noqa: F401 - fixture

ADMIN = Actor("admin@telco.example", kind="admin", level=3)


@pytest.fixture
def outbox(app, tmp_path):
    """Outbox mode (no SMTP host) writing into a fresh folder."""
    saved = app.config.get("MAIL_HOST"), app.config["OUTBOX_DIR"]
    app.config.update(MAIL_HOST=None, OUTBOX_DIR=str(tmp_path / "outbox"))
    yield tmp_path / "outbox"
    app.config["MAIL_HOST"], app.config["OUTBOX_DIR"] = saved


@pytest.fixture
def invoice(app):
    return make_invoice(destinations=1)


@pytest.fixture
def mint(app):
    def _mint(invoice, *, minutes: int = 10, max_uses: int = 1, actor: Actor = ADMIN, purpose: str = "email"):
        link, token = mint_download_link(
            invoice, actor=actor, expires_in=dt.timedelta(minutes=minutes), max_uses=max_uses, purpose=purpose
        )
        db.session.commit()
        return link, token

    return _mint
