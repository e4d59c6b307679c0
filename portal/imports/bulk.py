"""Bulk inserts of CDR and transaction rows: Core executemany in chunks, never ORM objects one by one."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert

from portal.extensions import db
from portal.models import Cdr, Transaction

CHUNK = 10_000


def insert_cdr_rows(rows: list[dict]) -> int:
    """Insert CDR rows (dicts keyed by column name, every row with the same keys) in the session's transaction."""
    return _insert(Cdr.__table__, rows)


def insert_transaction_rows(rows: list[dict]) -> int:
    return _insert(Transaction.__table__, rows)


def _insert(table, rows: Iterable[dict]) -> int:
    rows = list(rows)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])
    return len(rows)
