"""The key's last use reaches the database through a real server: the test client shares the test's
session with the request and would show a write the request never committed."""

from __future__ import annotations

import datetime as dt

import requests
from sqlalchemy import select

from portal.auth.api_keys import LAST_USE_STEP
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models import ApiKey
from tests.api.backend_v1.conftest import BASE
from tests.api.key_clients import bearer, make_key


def _last_use() -> dt.datetime | None:
    db.session.rollback()  # a transaction of its own: only what the server committed is seen
    return db.session.scalar(select(ApiKey.last_used_at))


def test_a_list_request_commits_the_keys_last_use(live_server, app):
    key = make_key()
    long_ago = utcnow() - 3 * LAST_USE_STEP
    db.session.execute(ApiKey.__table__.update().values(last_used_at=long_ago))
    db.session.commit()
    for path in ("/invoices", "/invoices?page=2"):
        response = requests.get(live_server.url + BASE + path, headers=bearer(key), timeout=10)
        assert response.status_code == 200
        assert _last_use() > long_ago
        db.session.execute(ApiKey.__table__.update().values(last_used_at=long_ago))
        db.session.commit()
