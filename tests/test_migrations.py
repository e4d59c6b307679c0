"""The Alembic migrations build the whole schema on an empty database, match the models, and undo cleanly."""
from __future__ import annotations


import pytest
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
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "OUTBOX_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, db.metadata)
                           if not _is_postgresql_exclusion(d)]
            assert differences == []
            tables = set(inspect(conn).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                found = conn.execute(text(
                    "SELECT count(*) FROM pg_constraint WHERE conname = 'ex_invoices_no_overlap' AND contype = 'x'"
                )).scalar_one()
            assert found == 1
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def _is_postgresql_exclusion(diff) -> bool:
    return "ex_invoices_no_overlap" in repr(diff)
