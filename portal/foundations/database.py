"""Database foundations: the declarative base (constraint naming convention), shared column types,
and per-connection settings."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import DateTime, MetaData, Numeric, TypeDecorator, Uuid, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, registry

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Current time, timezone-aware UTC (called per row, never once at import)."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are
    normalised to naive UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def Money():  # noqa: N802 - reads like a type in column declarations
    """NUMERIC money column: 6 decimal places so per-call prices sum exactly."""
    return Numeric(20, 6, asdecimal=True)


ZERO = Decimal("0")


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dt.datetime: UTCDateTime(),
            Decimal: Numeric(20, 6),
            uuid.UUID: Uuid(),
        },
    )


def configure_engine_events(engine: Engine) -> None:
    """SQLite: enforce foreign keys, wait for locks instead of failing, use WAL for readers, and start every
    write transaction with BEGIN IMMEDIATE.

    Why IMMEDIATE: the busy timeout only helps a transaction that asks for the write lock when it
    starts. A transaction that first reads and then writes holds a read snapshot; when it upgrades
    while another connection writes (or has committed since the snapshot), SQLite answers
    "database is locked" at once, without waiting, because waiting could deadlock. The driver
    (pysqlite) begins a transaction only right before the first INSERT/UPDATE/DELETE/REPLACE; told
    to make that begin IMMEDIATE, it takes the write lock (waiting up to the busy timeout) before
    anything of the transaction is read. Reads outside a write stay in autocommit, as before, so
    readers never queue behind writers. A SAVEPOINT (`Session.begin_nested()`) outside a
    transaction would start a deferred one that reads before it writes: it is preceded by BEGIN
    IMMEDIATE too.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = "IMMEDIATE"
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "savepoint")
    def _savepoint_takes_the_write_lock(conn, _name):
        if not conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def commit_with_retries(
    session: Session,
    write: Callable[[], None],
    *,
    tries: int = 3,
    delay: float = 0.5,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Run `write()` (which adds to `session`) and commit; on a database error roll back and run it again.

    For the short write that records how a background job ended: a lock held a little longer
    than the busy timeout must not lose that record. Waits `delay` seconds, then twice as long,
    between tries.

    Raises:
        SQLAlchemyError: the last try's error (rolled back).
    """
    for number in range(1, tries + 1):
        try:
            write()
            session.commit()
            return
        except SQLAlchemyError as exc:
            session.rollback()
            if number == tries:
                raise
            log.warning("recording a job's outcome failed (try %s of %s): %s", number, tries, exc)
            (sleep or time.sleep)(delay * 2 ** (number - 1))
