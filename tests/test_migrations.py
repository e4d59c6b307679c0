"""The Alembic migrations build the whole schema on an empty database, match the models, and undo cleanly."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db


@pytest.fixture
def empty_database_url(tmp_path, database_url):
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_reach_head_match_models_and_downgrade(empty_database_url, tmp_path):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url, "OUTBOX_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, db.metadata) if not _is_postgresql_exclusion(d)]
            assert differences == []
            tables = set(inspect(conn).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_constraint WHERE conname = 'ex_invoices_no_overlap' AND contype = 'x'"
                    )
                ).scalar_one()
            assert found == 1
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def _is_postgresql_exclusion(diff) -> bool:
    return "ex_invoices_no_overlap" in repr(diff)


def _insert(conn, tables, name: str, **values) -> None:
    """A row in a table as the database has it at that revision; NOT NULL columns not given get a plain value."""
    table = tables[name]
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            python_type = str
        if python_type is bool:
            values[column.name] = False
        elif python_type in (int, float, Decimal):
            values[column.name] = 0
        elif python_type is dt.datetime:
            values[column.name] = dt.datetime(2026, 1, 1)
        elif python_type is uuid.UUID:
            values[column.name] = uuid.uuid4()
        else:
            values[column.name] = "x"
    conn.execute(table.insert().values(**values))


def test_users_with_allowed_accounts_are_marked_limited_by_the_migration(empty_database_url, tmp_path):
    """0140: a customer user with link rows is limited (and stays so when those accounts go); one without is not;
    the link rows survive the upgrade and the downgrade."""
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url, "OUTBOX_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0130")
        with db.engine.begin() as conn:
            tables = sa.MetaData()
            tables.reflect(conn)
            tables = tables.tables
            _insert(conn, tables, "organizations", id=1, slug="telco")
            _insert(conn, tables, "customers", id=1, organization_id=1, enabled=True)
            _insert(
                conn,
                tables,
                "accounts",
                id=1,
                customer_id=1,
                delivery_mode="email",
                currency="EUR",
                uuid="00000000000000000000000000000001",
            )
            for user_id, email in ((1, "all@acme.example"), (2, "one@acme.example")):
                _insert(
                    conn,
                    tables,
                    "customer_users",
                    id=user_id,
                    customer_id=1,
                    email=email,
                    enabled=True,
                    session_version=1,
                )
            _insert(conn, tables, "customer_user_accounts", user_id=2, account_id=1)
        upgrade()
        with db.engine.connect() as conn:
            flags = dict(conn.execute(text("SELECT email, limited_to_accounts FROM customer_users")).all())
        assert {email: bool(flag) for email, flag in flags.items()} == {
            "all@acme.example": False,
            "one@acme.example": True,
        }
        # Neither way may the allowed-accounts rows be lost (SQLite batch mode would cascade them away).
        links = "SELECT count(*) FROM customer_user_accounts"
        with db.engine.connect() as conn:
            assert conn.execute(text(links)).scalar_one() == 1
        downgrade(revision="0130")
        with db.engine.connect() as conn:
            assert conn.execute(text(links)).scalar_one() == 1
        db.engine.dispose()
