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

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.sql.util import find_tables

from portal.extensions import db
from portal.foundations.app_cache import app_lru
from portal.models import VERSIONED_TABLES, TableVersion

_VERSION_OF = {
    name: select(TableVersion.version).where(TableVersion.table_name == name).scalar_subquery()
    for name in VERSIONED_TABLES
}
_WROTE = func.pg_current_xact_id_if_assigned().is_not(None)  # PostgreSQL: this transaction has written
_MISSING = object()


@dataclass(frozen=True)
class Versions:
    """The versions of the tables a statement reads, as this transaction sees them: what a result
    of that statement is kept under. `key`: the statement with its parameters."""

    key: tuple
    tables: tuple[str, ...]
    values: tuple

    def columns(self) -> list:
        """The versions as columns of another statement (read in the same snapshot as its rows)."""
        return [_VERSION_OF[t] for t in self.tables]

    def unchanged(self):
        """A condition that holds while every version is still the one read here."""
        return and_(*(_VERSION_OF[t] == v for t, v in zip(self.tables, self.values, strict=True)))


def versions_of(stmt) -> Versions | None:
    """The versions `stmt`'s results can be kept under: None when the cache is off, the statement
    reads a table without a version, or this transaction has written (its own uncommitted rows
    are in what it sees)."""
    if _cache() is None:
        return None
    tables = _versioned_tables(stmt)
    key = _statement_key(stmt) if tables else None
    if key is None:
        return None
    wrote, values = _versions(tables)
    if wrote or None in values:
        return None
    return Versions(key, tables, values)


def kept(versions: Versions, kind, compute: Callable[[list], tuple], *, sightings: int = 1):
    """The result `kind` of the statement `versions` describes, kept per versions: `compute(columns)`
    runs it with the version columns along and returns (result, the versions it saw or None).

    sightings: the result is computed (and kept) only by the `sightings`-th call in this process that
    sees these same versions; the calls before it get None. For a result that costs more to compute
    than the caller's plain path without it: while writes move the versions between every few
    requests, a result computed at once would be thrown away before it paid (a new version restarts
    the tally)."""
    lock, results = _cache()
    seen_key = ("sightings", kind, versions.key)
    with lock:
        found = results.get((kind, versions.key, versions.values), _MISSING)
        if found is _MISSING and sightings > 1:
            last, times = results.get(seen_key, (None, 0))
            times = times + 1 if last == versions.values else 1
            results[seen_key] = (versions.values, times)
            if times < sightings:
                return None
    if found is not _MISSING:
        return found
    # Kept under the versions the computing statement itself saw (a commit may have come in between).
    value, seen = compute(versions.columns())
    if seen is not None and None not in seen:
        with lock:
            results[(kind, versions.key, tuple(seen))] = value
    return value


def exact_count(stmt, *, versions: Versions | None = None) -> int:
    """The number of rows a SELECT returns. `versions`: `versions_of(stmt)`, when already read."""
    versions = versions or versions_of(stmt)
    if versions is None:
        return _count(stmt)

    def count(columns: list) -> tuple:
        total, *seen = db.session.execute(_count_statement(stmt).add_columns(*columns)).one()
        return int(total or 0), seen

    return kept(versions, "count", count)


def page_total(counted, *, offset: int, shown: int, last: bool, versions: Versions | None = None) -> int:
    """The exact number of rows of a list, given one page of it: a page known to be the last (it
    ended short) that holds rows, or is the first, tells it as offset + its rows without counting;
    otherwise `counted` is counted (`exact_count`; `versions`: `versions_of(counted)`, when already read)."""
    if last and (shown or offset == 0):
        return offset + shown
    return exact_count(counted, versions=versions)


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
