"""The per-account write lock that serialises creating and filling an account's invoices."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from portal.errors import Conflict
from portal.extensions import db

_LOCK_NAMESPACE = 7301  # first key of pg_advisory_xact_lock(int, int): "invoice work on an account"
BUSY = "The account is busy with other invoice work; try again in a moment."


def lock_account(account_id: int) -> None:
    """Hold the account's lock until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write to the account row,
    which takes the database write lock, so concurrent writers queue behind it.

    Raises Conflict when SQLite gives up waiting for the write lock (busy timeout), so a
    long fill elsewhere is a clean "try again", not a database error.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": _LOCK_NAMESPACE, "id": account_id})
        return
    try:
        db.session.execute(
            text("UPDATE accounts SET lock_version = lock_version + 1 WHERE id = :id"), {"id": account_id}
        )
    except OperationalError as exc:
        if "locked" not in str(exc.orig).lower():
            raise
        raise Conflict(BUSY) from None
