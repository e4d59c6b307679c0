"""The one invoice list query: filters, sort, paging, count policy and scope, read the same way for every list.

Each list face (the customer list, the admin list, the backend API list, the JSON:API lists) parses
its own parameters into an `InvoiceListQuery` and calls `read_invoice_list`; only the parsing differs. A query pages
by keyset when it has a cursor (`after` or `before`, portal.reading.list_cursor): the page after a
row's place in the sort, read with `WHERE (sort value, id) > (value, id)` instead of an OFFSET, so
a page deep in the list costs what the first one does. Without a cursor it reads page `page` at
an offset (the first page, or a page number typed into the address bar).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.foundations.errors import FieldError
from portal.models import Account, Customer, Invoice
from portal.reading import list_cursor
from portal.reading.exact_count import page_total, versions_of
from portal.reading.list_cursor import Cursor, decode_cursor, encode_cursor, keyset_order, seek_condition
from portal.reading.page_anchors import anchored_offset, is_deep
from portal.reading.paging import InvoicePage, bounded_count


@dataclass
class InvoiceListQuery:
    """What one page of an invoice list is.

    conditions: the filters, WHERE clauses on invoice columns only.
    scope: who may see what (a customer's invoices, an API key's customer), WHERE clauses too.
    sort_key, sort_column, descending: the sort (its name in cursors, the column: an invoice,
        customer or account column); the id breaks ties.
    then_by: further (column, descending) sort keys after the first, before the id (lists paged by
        number only: the JSON:API's `sort=a,-b`; a keyset list sorts by one key).
    id_ascending: the tie-breaking id's direction in a list paged by number (None: the sort's; the
        JSON:API breaks ties by ascending id whatever the sort).
    page, per_page: the page shown; without a cursor it is read at offset (page - 1) * per_page.
    after, before: keyset cursors (at most one): the page after or before that row.
    keyset: the list hands out cursors (Next and Previous carry them) and sorts NULLs the same on
        every database; the APIs that page by number only set it False.
    count_limit: count at most this many (None: an exact count, as the APIs promise).
    filters: the face's parsed parameters, handed back on the page for its links.
    """

    conditions: list
    scope: list
    sort_key: str
    sort_column: Any
    descending: bool
    page: int = 1
    per_page: int = 50
    after: Cursor | None = None
    before: Cursor | None = None
    keyset: bool = True
    count_limit: int | None = None
    filters: Any = field(default=None, repr=False)
    then_by: tuple = ()
    id_ascending: bool | None = None

    def order(self, *, backward: bool = False) -> list:
        """ORDER BY of the list (`backward`: reversed, the scan towards a `before` cursor)."""
        column, ascending = self.sort_column, self.descending == backward
        if self.keyset:
            return keyset_order(column, ascending=ascending)
        ties = ascending if self.id_ascending is None else self.id_ascending
        keys = [(column, not ascending), *self.then_by]
        if all(c is not Invoice.id for c, _ in keys):  # the order is total once it reaches the id
            keys.append((Invoice.id, not ties))
        return [c.desc() if down else c.asc() for c, down in keys]

    def sorted_by_id_only(self) -> bool:
        """The list is in id order alone (ascending or descending), paged by number."""
        return not self.keyset and self.sort_column is Invoice.id and not self.then_by

    def _invoice_columns_only(self) -> bool:
        return all(c.table is Invoice.__table__ for c in (self.sort_column, *(c for c, _ in self.then_by)))

    def statement(self):
        """The filtered, scoped SELECT of invoices with their customer and account, in list order (no paging)."""
        return self._joined().order_by(*self.order())

    def _joined(self):
        return (
            select(Invoice)
            .join(Customer, Customer.id == Invoice.customer_id)
            .join(Account, Account.id == Invoice.account_id)
            .where(*self.conditions, *self.scope)
            .options(contains_eager(Invoice.customer), contains_eager(Invoice.account))
        )


def read_cursor(value: str, name: str, key: str, column, errors: list[FieldError]) -> Cursor | None:
    """The cursor of a page link for the sort `key` on `column`; a FieldError named `name` when it is
    not one (edited, or from another sort)."""
    if not value:
        return None
    try:
        return decode_cursor(value, key, column)
    except ValueError:
        errors.append(FieldError(name, list_cursor.INVALID))
        return None


def read_invoice_list(q: InvoiceListQuery, *, rows=None, make=None) -> InvoicePage:
    """One page of the list `q` describes, with its count (bounded or exact, as `q.count_limit` says)
    and, for keyset lists, the cursors of its first and last rows.

    rows: the SELECT of invoices the page's rows are read from, with the face's loader options (the
        JSON:API's); default: the invoices with their customer and account joined in.
    make: with `rows` selecting columns (not invoices), what each row becomes (e.g. a ListedInvoice),
        called with a dict of the row's values by column name.
    """
    column, descending = q.sort_column, q.descending
    # Counted on the invoices table alone: every invoice has exactly one customer and one account (non-null
    # foreign keys), so the sorting joins change no count, and without them the database counts from an
    # index instead of joining every matching row (100 ms at 100k invoices on SQLite, see bench/README.md).
    counted = select(Invoice.id).where(*q.conditions, *q.scope)
    if q.count_limit is not None:
        total, exact = bounded_count(counted, q.count_limit)
    # Before a cursor, the rows are read backwards from it (then shown in the sort's order).
    backward = q.before is not None
    order, scan = q.order(), q.order(backward=backward)
    # The page's ids first, from the invoices table alone when the sort is on invoice columns: the
    # database can then answer from an index (e.g. a customer's approved invoices, newest first, from
    # (customer_id, state, id)) instead of walking the primary key and skipping other customers'
    # rows (10 ms for a customer with few recent invoices at 100k, bench/README.md "Pages"), and the
    # rows an OFFSET skips cost an index entry each, not a loaded row. Then those rows, in the same
    # statement, with what the face loads along (no query per row).
    if q._invoice_columns_only():
        page_ids = select(Invoice.id).where(*q.conditions, *q.scope)
    else:
        page_ids = q._joined().with_only_columns(Invoice.id)
    page_ids = page_ids.order_by(*scan).limit(q.per_page + 1)
    cursor = q.after or q.before
    offset = (q.page - 1) * q.per_page
    anchored = versions = None
    if cursor is not None:  # seek from the cursor's row: no OFFSET, however deep the page
        page_ids = page_ids.where(seek_condition(column, cursor, ascending=descending == backward))
    elif q.sorted_by_id_only() and q.count_limit is None and is_deep(offset):
        # A deep page starts at the kept anchor before it (portal.reading.page_anchors); the versions
        # the anchors are kept under are those the exact count is kept under.
        versions = versions_of(counted)
        anchored = anchored_offset(counted, descending=descending, offset=offset, versions=versions)
    read = (q._joined() if rows is None else rows).order_by(*order)
    if anchored is not None:
        start, rest = anchored
        rows = _read(read.where(Invoice.id.in_(page_ids.where(start).offset(rest))), make)
        anchored = rows or None  # none: a commit moved the versions in between; read at the offset
    if anchored is None:
        if cursor is None:
            page_ids = page_ids.offset(offset)
        rows = _read(read.where(Invoice.id.in_(page_ids)), make)
    extra = len(rows) > q.per_page  # a row beyond the page, in the direction read
    items = rows[-q.per_page :] if backward else rows[: q.per_page]
    if q.count_limit is None:
        exact = True
        total = page_total(
            counted, offset=offset, shown=len(items), last=cursor is None and not extra, versions=versions
        )
    page = q.page
    if cursor is None:
        more, earlier = extra, q.page > 1
    elif backward:  # the page before a cursor: its row and what follows exist
        more, earlier = True, extra
        page = max(page, 2) if extra else 1
    else:
        more, earlier = extra, True
        page = max(page, 2)
    if cursor is not None and exact:  # the page number only travels in the URL: keep it plausible
        page = min(page, max(1, -(-total // q.per_page)))
    result = InvoicePage(items, total, page, q.per_page, q.filters, total_is_exact=exact, more=more)
    if q.keyset:
        result.earlier = earlier
        if items and more:
            result.next_cursor = _row_cursor(items[-1], q.sort_key, column)
        if items and earlier:
            result.prev_cursor = _row_cursor(items[0], q.sort_key, column)
    return result


def _read(stmt, make) -> list:
    if make is None:
        return list(db.session.scalars(stmt).unique())
    # Rows of columns need none of the ORM's execution layer (~0.4 ms CPU a statement, more than
    # building the page's 50 rows): they are read on the session's connection, in its transaction,
    # after what the session has pending is flushed (as the ORM's autoflush would). Each row is
    # handed to `make` as a dict of its column names.
    db.session.flush()
    result = db.session.connection().execute(stmt)
    keys = tuple(result.keys())
    return [make(dict(zip(keys, row))) for row in result.all()]  # fetched at once, not row by row


def _row_cursor(invoice: Invoice, key: str, column) -> str:
    owner = {Customer.__table__: invoice.customer, Account.__table__: invoice.account}.get(column.table, invoice)
    return encode_cursor(key, getattr(owner, column.key), invoice.id)
