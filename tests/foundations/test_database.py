"""SQLite connection settings: a write transaction takes the write lock before it reads, so a writer in between
makes it wait (busy timeout) instead of failing with "database is locked"."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from portal.extensions import db
from portal.models import Account
from tests.factories import AccountFactory


def test_savepoint_that_reads_then_writes_waits_for_a_writer_instead_of_failing(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    account = AccountFactory(name="before")
    db.session.commit()
    account_id, path = account.id, db.engine.url.database
    db.session.expire_all()

    def other_connection_writes():
        other = sqlite3.connect(path, timeout=10, isolation_level=None)
        try:
            other.execute("UPDATE accounts SET name = 'other' WHERE id = ?", (account_id,))
        finally:
            other.close()

    writer = threading.Thread(target=other_connection_writes)
    with db.session.begin_nested():
        assert db.session.get(Account, account_id).name == "before"
        writer.start()
        # The other connection's write either waits for this transaction (it holds the write lock) or, if this
        # transaction only holds a read snapshot, commits now and makes this transaction's write impossible.
        writer.join(0.5)
        db.session.get(Account, account_id).vat_rate = 7
        db.session.flush()
    db.session.commit()
    writer.join(10)
    assert not writer.is_alive()
    db.session.expire_all()
    stored = db.session.get(Account, account_id)
    assert (stored.name, stored.vat_rate) == ("other", 7)
