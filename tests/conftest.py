"""Test fixtures: one migrated database per test process (SQLite file or PostgreSQL), emptied after each test.

The schema is built by running the Alembic migrations, never create_all(), so every test
run also proves the migrations. Set PORTAL_TEST_DATABASE_URL to run on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench._setup import recreate_postgresql_database
from portal import create_app
from portal.extensions import db, limiter
from tests.clients import FreshUserClient
from tests.live import LiveServer


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_root) -> str:
    base = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_root / f'test-{_worker()}.sqlite3'}"
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    # One database per checkout and test process, so parallel runs never share one.
    checkout = hashlib.sha1(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
    return recreate_postgresql_database(url, f"{url.database}_{checkout}_{_worker()}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    outbox = tmp_path_factory.mktemp("outbox")
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url, "OUTBOX_DIR": str(outbox)})
    app.test_client_class = FreshUserClient
    with app.app_context():
        upgrade()
    return app


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_app):
    with _app.app_context():
        limiter.reset()
        yield _app
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def is_postgresql(app) -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def live_server(app):
    """The test app on a loopback port, served by werkzeug's threaded server for one test."""
    server = LiveServer(app).start()
    yield server
    server.shutdown()


@pytest.fixture
def login(client):
    """Sign a user in on the test client without going through the login form."""

    def _login(user, test_client=None):
        with (test_client or client).session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return user

    return _login
