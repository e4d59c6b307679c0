"""A version per table that changes with every committed write to the table, whatever statement made it.

Triggers set it (migration 0230): on PostgreSQL a deferred row trigger gives the table a new
value from the sequence `table_versions_seq` once per transaction, at its commit, and a TRUNCATE
trigger does the same; on SQLite a row trigger gives it a new random 64-bit value for every row
written. A value is never given twice, so two statements that read the same version of a table
read the same rows of it; the exact-count cache keys on it (portal/reading/exact_count.py).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

# The tables that have the triggers: a statement reading only these can be keyed on their versions.
VERSIONED_TABLES = ("invoices",)


class TableVersion(db.Model):
    __tablename__ = "table_versions"

    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
