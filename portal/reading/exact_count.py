"""Exact row counts for the API lists, remembered for as long as the tables they read are unchanged.

The JSON:API promises an exact `meta.total-count` and the backend API an exact `X-Total-Count`. A
count(*) reads every matching index entry: at 100,000 invoices on PostgreSQL it costs more than the
whole rest of a list request (bench/README.md).

A count is kept per (statement with its parameters, versions of the tables it reads). A table's
version (portal.models.table_version) is changed by triggers with every committed write to it,
whatever statement made it, and a value is never given twice: two statements that see the same
versions see the same rows. The count is read in the same statement as the versions, so it is
kept under the versions it was counted with. Only statements that read versioned tables alone are
kept; others always count.

A transaction that has written (PostgreSQL: it holds a transaction id; SQLite: the connection is
inside a transaction, which it begins only to write) sees its own uncommitted rows, which no
version describes: it always counts and keeps nothing.

`PORTAL_COUNT_CACHE_SIZE` counts per process (0 turns this off).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.sql.util import find_tables

from portal.extensions import db
from portal.foundations.app_cache import app_lru
from portal.models import VERSIONED_TABLES, TableVersion

_VERSION_OF = {
    name: select(TableVersion.version).where(TableVersion.table_name == name).scalar_subquery()
    for name in VERSIONED_TABLES
}
_WROTE = func.pg_current_xact_id_if_assigned().is_not(None)  # PostgreSQL: this transaction has written


def exact_count(stmt) -> int:
    """The number of rows a SELECT returns."""
    cache = _cache()
    tables = _versioned_tables(stmt) if cache is not None else None
    key = _statement_key(stmt) if tables else None  # the statement counted: keyed as given
    if key is None:
        return _count(stmt)
    wrote, versions = _versions(tables)
    if wrote:
        return _count(stmt)
    lock, counts = cache
    with lock:
        found = counts.get((key, versions)) if None not in versions else None
    if found is not None:
        return found
    # Counted together with the versions the counting statement itself sees (a commit may have come in between).
    total, *versions = db.session.execute(_count_statement(stmt).add_columns(*(_VERSION_OF[t] for t in tables))).one()
    total = int(total or 0)
    if None not in versions:
        with lock:
            counts[(key, tuple(versions))] = total
    return total


def page_total(counted, *, offset: int, shown: int, last: bool) -> int:
    """The exact number of rows of a list, given one page of it: a page known to be the last (it
    ended short) that holds rows, or is the first, tells it as offset + its rows without counting;
    otherwise `counted` is counted (`exact_count`)."""
    if last and (shown or offset == 0):
        return offset + shown
    return exact_count(counted)


def _count_statement(stmt):
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def _count(stmt) -> int:
    return int(db.session.scalar(_count_statement(stmt)) or 0)


def _versions(tables: tuple[str, ...]) -> tuple[bool, tuple]:
    """(this session's transaction has written, the versions of `tables` it sees) in one statement.
    Run through the session, which flushes pending objects first: a write it holds back counts too."""
    columns = [_VERSION_OF[t] for t in tables]
    if db.session.get_bind().dialect.name == "postgresql":
        wrote, *versions = db.session.execute(select(_WROTE, *columns)).one()
        return bool(wrote), tuple(versions)
    versions = tuple(db.session.execute(select(*columns)).one())
    return db.session.connection().connection.dbapi_connection.in_transaction, versions


def _versioned_tables(stmt) -> tuple[str, ...] | None:
    """The tables `stmt` reads, when every one is versioned; None otherwise."""
    names = {table.name for table in find_tables(stmt, include_aliases=True, check_columns=True)}
    return tuple(sorted(names)) if names and names <= set(VERSIONED_TABLES) else None


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
