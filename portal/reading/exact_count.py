"""Exact row counts for the API lists, remembered on PostgreSQL for as long as they cannot change.

The JSON:API promises an exact `meta.total-count` and the backend API an exact `X-Total-Count`. A
count(*) reads every matching index entry: 3 ms for 20,000 invoices on PostgreSQL, more than the
whole rest of a list request (bench/README.md "HTTP throughput").

On PostgreSQL what a statement sees is fixed by its MVCC snapshot (`pg_current_snapshot()`: the
transactions still running when it started, and the next transaction id). Two statements with the
same snapshot see the same committed data, so the same count. Read-only transactions never take a
transaction id, so the snapshot stays the same until something writes anywhere on the server. A
count is therefore kept per (statement with its parameters, snapshot) and reused only under an
identical snapshot; the first statement after any commit sees a new snapshot and counts again.

A transaction that has written (it holds a transaction id) sees its own uncommitted rows, which no
snapshot describes: it always counts and keeps nothing. SQLite has no such snapshot: it always counts.

`PORTAL_COUNT_CACHE_SIZE` counts per process (0 turns this off).
"""

from __future__ import annotations

from sqlalchemy import Text, cast, func, select, text

from portal.extensions import db
from portal.foundations.app_cache import app_lru

_SNAPSHOT = text("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL")
# The same two values as columns of another statement (SQL constructs are immutable: built once).
_SNAPSHOT_COLUMNS = [
    cast(func.pg_current_snapshot(), Text).label("count_snapshot"),
    func.pg_current_xact_id_if_assigned().is_(None).label("count_clean"),
]


def snapshot_reading(stmt):
    """`stmt` reading on PostgreSQL the snapshot it sees as two extra columns (for `read_with_snapshot`);
    `stmt` itself elsewhere. Built once, such a statement can be kept and run again."""
    return stmt.add_columns(*_SNAPSHOT_COLUMNS) if _postgresql() else stmt


def read_with_snapshot(stmt, *, columns_only: bool = False) -> tuple[list, tuple[str, bool] | None]:
    """The rows of a `snapshot_reading` statement without the snapshot columns, and on PostgreSQL the
    snapshot it saw: pass that as `exact_count(…, seen=…)` and a reused count costs no statement.

    ORM rows come unique, as joined loads need. `columns_only`: the statement selects columns, not
    ORM objects, and runs on the session's connection without the ORM layer (it sees what the
    session has flushed)."""
    if columns_only:
        rows = db.session.connection().execute(stmt).all()
    else:
        rows = db.session.execute(stmt).unique().all()
    if not _postgresql():
        return rows, None
    seen = tuple(rows[0][-2:]) if rows else None
    return [row[:-2] for row in rows], seen


def rows_with_snapshot(stmt) -> tuple[list, tuple[str, bool] | None]:
    """The rows of a statement that runs just before a count (a list's page) and the snapshot it saw
    (`read_with_snapshot`)."""
    return read_with_snapshot(snapshot_reading(stmt))


def exact_count(stmt, *, seen: tuple[str, bool] | None = None) -> int:
    """The number of rows a SELECT returns. `seen`: the snapshot a statement of this transaction just
    read (`rows_with_snapshot`)."""
    cache = _cache() if _postgresql() else None
    key = _statement_key(stmt) if cache is not None else None  # the statement counted: keyed as given
    if key is None:
        return _count(stmt)
    lock, counts = cache
    snapshot, clean = seen if seen is not None else db.session.execute(_SNAPSHOT).one()
    if not clean:  # this transaction's own writes are in what it sees
        return _count(stmt)
    with lock:
        found = counts.get((key, snapshot))
    if found is not None:
        return found
    count = _count_statement(stmt)
    # Counted together with the snapshot of the counting statement itself (a commit may have come in between).
    total, snapshot = db.session.execute(count.add_columns(cast(func.pg_current_snapshot(), Text))).one()
    total = int(total or 0)
    with lock:
        counts[(key, snapshot)] = total
    return total


def page_total(counted, *, seen: tuple[str, bool] | None, offset: int, shown: int, last: bool) -> int:
    """The exact number of rows of a list, given one page of it: a page known to be the last (it
    ended short) that holds rows, or is the first, tells it as offset + its rows without counting;
    otherwise `counted` is counted (`exact_count`, with the snapshot the page saw)."""
    if last and (shown or offset == 0):
        return offset + shown
    return exact_count(counted, seen=seen)


def _count_statement(stmt):
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def _count(stmt) -> int:
    return int(db.session.scalar(_count_statement(stmt)) or 0)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _statement_key(stmt):
    """What makes two statements the same: SQLAlchemy's structural cache key (the statement
    without its literal values) and the values of its parameters; None when it has no cache key."""
    generated = stmt._generate_cache_key()  # also what SQLAlchemy's own statement caching keys on
    if generated is None:
        return None
    try:
        values = tuple(_hashable(parameter.effective_value) for parameter in generated.bindparams)
        hash(values)
    except TypeError:
        return None
    return generated.key, values


def _hashable(value):
    return tuple(_hashable(v) for v in value) if isinstance(value, (list, tuple)) else value


def _cache():
    return app_lru("exact_count_cache", "COUNT_CACHE_SIZE")
