"""Migration 0220: credit-note lines stored under the old keys (`traffic:…`, `service:…`) get the statement's
keys of today, so a line credited before cannot be credited a second time."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.billing.credit_notes import creditable, issue_credit_note
from portal.extensions import db
from portal.foundations.errors import ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import CreditNoteLine
from tests.documents.test_einvoices import raised_invoice
from tests.test_migrations import (
    _insert,
    empty_database_url,  # noqa: F401 - fixture
)

MANAGER = Actor("manager@telco.example", kind="admin", level=4)
MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0220_credit_note_line_keys.py"
LONG_NAME = "Numbers " * 25  # 200 characters, as long as a name may be: its key is cut to the column
# Old key → the key the statement gives the same line today (services 1 "DID numbers", 2 LONG_NAME; 9 deleted).
OLD_AND_NEW = {
    "traffic:originated:3:7:0.0135:1": "originated:Originated calls charged",
    "traffic:originated:0:0:0.02:0": "originated:Originated calls – credit",
    "traffic:terminated:3:0:0.001:1": "terminated:Terminated calls charged",
    "traffic:terminated:3:0:0.001:0": "terminated:Terminated calls – credit",
    "service:1:1": "charges:DID numbers",
    "service:1:0": "credits:DID numbers – credit",
    "service:0:1": "charges:Other charges",
    "service:9:0": "credits:Other – credit",
    "service:2:1": f"charges:{LONG_NAME}"[:200],
    "charges:Setup fee": "charges:Setup fee",  # already today's form
}


SERVICES = {1: "DID numbers", 2: LONG_NAME}


def _rows_before_0220() -> list[tuple[str, dict]]:
    """An invoice of an account with two services, and a credit note of it with a line under each key above."""
    period = {"start_date": dt.datetime(2026, 5, 1), "end_date": dt.datetime(2026, 6, 1)}
    invoice = {"account_id": 1, "customer_id": 1, "organization_id": 1, "state": "Approved", "invoice_type": "Manual"}
    account = {"customer_id": 1, "delivery_mode": "email", "currency": "EUR", "uuid": "0" * 31 + "1"}
    return [
        ("organizations", {"id": 1, "slug": "telco"}),
        ("customers", {"id": 1, "organization_id": 1, "enabled": True}),
        ("accounts", {"id": 1, **account}),
        *(("services", {"id": service_id, "account_id": 1}) for service_id in SERVICES),
        ("invoices", {"id": 1, "uuid": "1" * 32, **invoice, **period}),
        ("invoices", {"id": 2, "uuid": "2" * 32, "credited_invoice_id": 1, **invoice, **period}),
        *(
            ("credit_note_lines", {"id": n, "credit_note_id": 2, "position": n, "source_key": key, "net_amount": 1})
            for n, key in enumerate([*OLD_AND_NEW, None], start=1)
        ),
    ]


def _store_rows_before_0220() -> None:
    with db.engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(conn)
        for table, values in _rows_before_0220():
            _insert(conn, tables.tables, table, **values)
        services = tables.tables["services"]  # `_insert` fills `name` itself
        for service_id, service_name in SERVICES.items():
            conn.execute(services.update().where(services.c.id == service_id).values(name=service_name))


def _run_migration(connection) -> None:
    """Migration 0220's upgrade, on the test database as it is (already at the head)."""
    spec = importlib.util.spec_from_file_location("migration_0220", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Operations.context(MigrationContext.configure(connection)):
        module.upgrade()


def test_the_migration_rewrites_old_credit_note_keys_and_its_downgrade_keeps_them(empty_database_url, tmp_path):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url, "OUTBOX_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0211")
        _store_rows_before_0220()
        upgrade(revision="0220")
        keys = "SELECT position, source_key FROM credit_note_lines ORDER BY position"
        with db.engine.connect() as conn:
            migrated = dict(conn.execute(text(keys)).all())
        assert migrated == dict(enumerate([*OLD_AND_NEW.values(), None], start=1))
        downgrade(revision="0211")
        with db.engine.connect() as conn:
            assert dict(conn.execute(text(keys)).all()) == migrated
        db.engine.dispose()


def _old_form(credit_note, old_keys: dict[str, str]) -> None:
    """Store the credit note's lines under the keys the portal gave them before (as a credit note issued then)."""
    for line in db.session.scalars(select(CreditNoteLine).where(CreditNoteLine.credit_note_id == credit_note.id)):
        line.source_key = old_keys[line.source_key]
    db.session.commit()


def test_a_line_credited_under_its_old_key_cannot_be_credited_again_after_the_migration(app):
    invoice = raised_invoice()
    lines = {line.name: line.key for line in creditable(invoice).lines}
    calls, service = lines["Originated calls charged"], lines["DID numbers"]
    note = issue_credit_note(invoice, mode="lines", line_keys=[calls], reason="Doppelt", actor=MANAGER)
    db.session.commit()
    _old_form(note, {calls: "traffic:originated:1:1:0.0135:1"})
    assert calls not in creditable(invoice).credited_keys  # what an old credit note looked like before 0220

    _run_migration(db.session.connection())
    db.session.commit()
    with pytest.raises(ValidationFailed, match="Originated calls charged was already credited"):
        issue_credit_note(invoice, mode="lines", line_keys=[calls], reason="Noch einmal", actor=MANAGER)
    db.session.rollback()
    # The invoice's other line is still there to credit.
    assert issue_credit_note(invoice, mode="lines", line_keys=[service], reason="Nummern", actor=MANAGER).id


def test_a_service_line_credited_under_its_old_key_cannot_be_credited_again_after_the_migration(app):
    invoice = raised_invoice()
    service = next(line for line in creditable(invoice).lines if line.name == "DID numbers")
    note = issue_credit_note(invoice, mode="lines", line_keys=[service.key], reason="Doppelt", actor=MANAGER)
    db.session.commit()
    service_id = db.session.scalar(text("SELECT id FROM services WHERE name = 'DID numbers'"))
    _old_form(note, {service.key: f"service:{service_id}:1"})
    assert service.key not in creditable(invoice).credited_keys

    _run_migration(db.session.connection())
    db.session.commit()
    with pytest.raises(ValidationFailed, match="DID numbers was already credited"):
        issue_credit_note(invoice, mode="lines", line_keys=[service.key], reason="Noch einmal", actor=MANAGER)
