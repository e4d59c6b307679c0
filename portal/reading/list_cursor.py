"""Keyset ("seek") paging of the admin invoice list: signed cursors naming a row's place in a sort.

A cursor is the sort key, the row's sort value and its id, signed with the app's keys (so a cursor
cannot be forged or edited to inject values) and checked again once read. The page after (or
before) a cursor is read with `WHERE (sort value, id) > (value, id)` in the sort's direction
instead of an OFFSET, so a page deep in the list costs what the first one does.

NULLs (invoice number and dates of drafts) sort as if greater than every value, on every database:
ascending puts them last, descending first. That is PostgreSQL's default (its indexes answer as
before); SQLite is told explicitly (NULLS LAST / NULLS FIRST), and the seek conditions agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, literal, or_, tuple_

from portal.foundations.ids import MAX_ROW_ID
from portal.foundations.signing import signing_keys
from portal.models import Invoice

CURSOR_SALT = "portal.invoice-list-cursor"
INVALID = "is not a valid page link (it was edited or belongs to another sort); start again from the first page"


@dataclass(frozen=True)
class Cursor:
    """A row's place in one sort: the sort key (without direction), its value there, and its id."""

    key: str
    value: object
    id: int


def _dump_value(value):
    if value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, (Decimal, dt.date)):  # dt.datetime is a dt.date
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    raise TypeError(f"cannot put {type(value).__name__} in a list cursor")


def _load_value(raw, python_type: type):
    """The sort value read back as the column's type; ValueError unless it is exactly such a value."""
    if python_type is int:
        if type(raw) is not int or abs(raw) >= 2**63:
            raise ValueError
        return raw
    if not isinstance(raw, str):
        raise ValueError
    if python_type is str:
        return raw
    if python_type is Decimal:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValueError from None
        if not number.is_finite():
            raise ValueError
        return number
    if python_type is dt.datetime:
        moment = dt.datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(dt.timezone.utc)
    if python_type is dt.date:
        return dt.date.fromisoformat(raw)
    raise ValueError


def encode_cursor(key: str, value, row_id: int) -> str:
    return URLSafeSerializer(signing_keys(), salt=CURSOR_SALT).dumps([key, _dump_value(value), row_id])


def decode_cursor(token: str, key: str, column) -> Cursor:
    """The cursor of `token` for the sort `key` on `column`; ValueError if tampered, malformed or for
    another sort (a cursor is a place in one sort only)."""
    if len(token) > 1000:
        raise ValueError
    try:
        data = URLSafeSerializer(signing_keys(), salt=CURSOR_SALT).loads(token)
    except BadSignature:
        raise ValueError from None
    if not isinstance(data, list) or len(data) != 3 or data[0] != key:
        raise ValueError
    _, raw, row_id = data
    if type(row_id) is not int or not 0 < row_id <= MAX_ROW_ID:
        raise ValueError
    if raw is None:
        if not column.expression.nullable:
            raise ValueError
        return Cursor(key, None, row_id)
    column_type = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's stored type
    return Cursor(key, _load_value(raw, column_type.python_type), row_id)


def keyset_order(column, ascending: bool) -> list:
    """ORDER BY of a sort with NULLs greater than every value, the id breaking ties."""
    if not column.expression.nullable:
        return [column.asc(), Invoice.id.asc()] if ascending else [column.desc(), Invoice.id.desc()]
    if ascending:
        return [column.asc().nulls_last(), Invoice.id.asc()]
    return [column.desc().nulls_first(), Invoice.id.desc()]


def seek_condition(column, cursor: Cursor, ascending: bool):
    """The rows after the cursor's row in `keyset_order(column, ascending)`."""
    value = literal(cursor.value, column.type) if cursor.value is not None else None
    row_id = literal(cursor.id, Invoice.id.type)
    nullable = column.expression.nullable
    if ascending:
        if value is None:  # among the NULLs, which come last
            return and_(column.is_(None), Invoice.id > row_id)
        after = tuple_(column, Invoice.id) > tuple_(value, row_id)
        return or_(after, column.is_(None)) if nullable else after
    if value is None:  # the NULLs come first: the rest of them, then every value
        return or_(and_(column.is_(None), Invoice.id < row_id), column.is_not(None))
    return tuple_(column, Invoice.id) < tuple_(value, row_id)
