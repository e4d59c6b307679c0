"""Bulk inserts of CDR and transaction rows in the session's transaction.

Rows go to the driver directly: executemany on SQLite (values converted the way SQLAlchemy
stores them: UTC timestamps as text, NUMERIC as REAL), COPY on PostgreSQL. Never ORM objects
one by one: this is what makes imports and the demo's year of CDRs fast.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

from sqlalchemy import Numeric, Table

from portal.extensions import db
from portal.foundations.database import UTCDateTime
from portal.models import Cdr, Transaction

UTC = dt.timezone.utc
_TZINFO = attrgetter("tzinfo")
CDR_TABLE: Table = Cdr.__table__
TRANSACTION_TABLE: Table = Transaction.__table__


def insert_cdr_rows(rows: list[dict]) -> int:
    """Insert CDRs given as dicts keyed by column name (missing keys take the column's default)."""
    return insert_columns(CDR_TABLE, _to_columns(CDR_TABLE, rows))


def insert_transaction_rows(rows: list[dict]) -> int:
    return insert_columns(TRANSACTION_TABLE, _to_columns(TRANSACTION_TABLE, rows))


def insert_columns(table: Table, columns: dict[str, list]) -> int:
    """Insert rows given column-wise ({column name: values}); returns the number of rows."""
    names = [name for name in columns if name in table.c]
    if not names:
        return 0
    count = len(columns[names[0]])
    if count == 0:
        return 0
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy_postgresql(connection, table, names, columns)
    else:
        values = [_sqlite_values(table.c[name].type, columns[name]) for name in names]
        placeholders = ", ".join("?" for _ in names)
        # The DBAPI cursor itself: SQLAlchemy's per-row parameter checks would cost more than the insert.
        cursor = connection.connection.driver_connection.cursor()
        try:
            # Table and column names come from the SQLAlchemy model, never from input; values are bound.
            sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})"  # nosec B608
            cursor.executemany(sql, zip(*values))
        finally:
            cursor.close()
    return count


def _copy_postgresql(connection, table: Table, names: list[str], columns: dict[str, list]) -> None:
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in zip(*(columns[name] for name in names)):
            copy.write_row(row)


def _sqlite_values(column_type, values: list) -> list:
    if isinstance(column_type, UTCDateTime):
        # SQLAlchemy's SQLite DATETIME text: 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.
        if not any(v is None for v in values) and set(map(_TZINFO, values)) == {UTC}:
            return [v.isoformat(" ", "microseconds")[:26] for v in values]
        return [None if v is None else v.astimezone(UTC).isoformat(" ", "microseconds")[:26] for v in values]
    if isinstance(column_type, Numeric):
        # Decimal text: the column's NUMERIC affinity makes SQLite store it as a number.
        # (An identity test: `None in values` would compare every Decimal with None, slowly.)
        return [None if v is None else str(v) for v in values]
    return values


def _to_columns(table: Table, rows: list[dict]) -> dict[str, list]:
    if not rows:
        return {}
    keys = list(rows[0])
    columns = {key: [row[key] for row in rows] for key in keys}
    for column in table.columns:
        if column.name not in columns and not column.primary_key and column.default is not None:
            default = column.default.arg
            if callable(default):
                continue
            columns[column.name] = [default] * len(rows)
    return columns


__all__ = ["insert_cdr_rows", "insert_columns", "insert_transaction_rows"]
