"""The per-account write lock that serialises creating and filling an account's invoices."""
from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db

_LOCK_NAMESPACE = 7301  # first key of pg_advisory_xact_lock(int, int): "invoice work on an account"


def lock_account(account_id: int) -> None:
    """Hold the account's lock until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write to the account row,
    which takes the database write lock, so concurrent writers queue behind it.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": _LOCK_NAMESPACE, "id": account_id})
    else:
        db.session.execute(
            text("UPDATE accounts SET lock_version = lock_version + 1 WHERE id = :id"), {"id": account_id}
        )
