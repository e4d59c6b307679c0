"""Keyset paging of the admin list: cursors walk every invoice once, in the sort's order, on every database."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.foundations.errors import ValidationFailed
from portal.foundations.signing import signing_keys
from portal.reading.invoice_search import parse_invoice_filters, search_invoices
from portal.reading.list_cursor import CURSOR_SALT
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory
from tests.reading.test_invoice_search_queries import statements

UTC = dt.timezone.utc
# Python's view of each sort: the value, NULLs greater than every value (last ascending, first descending).
VALUES = {
    "id": lambda inv: inv.id,
    "invoiceNumber": lambda inv: inv.invoice_number,
    "invoiceDate": lambda inv: inv.invoice_date,
    "dueDate": lambda inv: inv.due_date,
    "startDate": lambda inv: inv.start_date,
    "created": lambda inv: inv.created_at,
    "total": lambda inv: inv.total_amount,
    "customer": lambda inv: inv.customer.name,
    "account": lambda inv: inv.account.name,
    "state": lambda inv: inv.state,
}


@pytest.fixture
def invoices(app, session):
    """23 invoices with ties in every sort (same names, dates, totals) and NULL numbers and dates."""
    # Lower-case letters only, so every collation orders them as Python does.
    customers = [CustomerFactory(name=name) for name in ("bravo", "alpha", "bravo")]
    accounts = [AccountFactory(customer=c, name=name) for c in customers for name in ("main", "backup")]
    made = []
    for n in range(23):
        drafted = n % 4 == 0  # a draft has no number nor dates yet
        made.append(
            InvoiceFactory(
                account=accounts[(n * 5) % len(accounts)],
                state="New" if drafted else ("Pending", "Approved")[n % 2],
                invoice_number=None if drafted else f"inv{(n * 7) % 23:04d}",
                invoice_date=None if drafted else dt.date(2026, 6, 1 + n % 3),
                due_date=None if drafted or n % 5 == 0 else dt.date(2026, 7, 1 + n % 2),
                # Pairs share a start (on different accounts: one account's periods never overlap).
                start_date=month(n // 2),
                end_date=month(n // 2 + 1),
                created_at=dt.datetime(2026, 6, 1, 12, n % 4, 30, 250000, tzinfo=UTC),
                total_amount=Decimal(n % 6) + Decimal("0.125"),
            )
        )
    db.session.commit()
    return made


def month(n: int) -> dt.datetime:
    return dt.datetime(2025 + n // 12, n % 12 + 1, 1, tzinfo=UTC)


def expected(invoices, sort: str) -> list[int]:
    key = VALUES[sort.lstrip("-")]
    ordered = sorted(invoices, key=lambda inv: (key(inv) is None, key(inv) if key(inv) is not None else 0, inv.id))
    ids = [inv.id for inv in ordered]
    if sort.startswith("-"):
        ids.reverse()
    return ids


def search(**args):
    return search_invoices(
        parse_invoice_filters(MultiDict(args), include_unsent_default=True, keyset=True), count_limit=1000
    )


def walk(sort: str, per_page: int = 5):
    """Every page from the first, following Next (`after` cursors); then back with Previous (`before`)."""
    pages = [search(sort=sort, perPage=str(per_page))]
    while pages[-1].has_next:
        pages.append(
            search(sort=sort, perPage=str(per_page), after=pages[-1].next_cursor, page=str(pages[-1].page + 1))
        )
    back = [pages[-1]]
    while back[-1].has_prev:
        back.append(search(sort=sort, perPage=str(per_page), before=back[-1].prev_cursor, page=str(back[-1].page - 1)))
    return pages, back[::-1]


@pytest.mark.parametrize(
    "sort",
    [
        "-id",
        "id",
        "invoiceNumber",
        "-invoiceNumber",
        "invoiceDate",
        "-dueDate",
        "dueDate",
        "customer",
        "-customer",
        "-account",
        "startDate",
        "-created",
        "total",
        "-state",
    ],
)
def test_next_walks_every_invoice_once_in_order_and_previous_walks_back(invoices, sort):
    pages, back = walk(sort)
    forward = [[inv.id for inv in p.items] for p in pages]
    assert [i for ids in forward for i in ids] == expected(invoices, sort)
    assert all(len(ids) == 5 for ids in forward[:-1]) and len(forward) == 5
    assert [p.page for p in pages] == [1, 2, 3, 4, 5]
    assert [[inv.id for inv in p.items] for p in back] == forward
    assert [p.page for p in back] == [1, 2, 3, 4, 5]
    assert not back[0].has_prev and back[0].has_next and not pages[-1].has_next


def test_the_offset_pages_use_the_same_order_as_the_cursor_pages(invoices):
    for sort in ("invoiceNumber", "-invoiceDate", "account"):
        offset = [inv.id for n in range(1, 6) for inv in search(sort=sort, perPage="5", page=str(n)).items]
        assert offset == expected(invoices, sort)


@contextmanager
def offsets():
    """Each statement run: does it (or a subquery) have an OFFSET? Read from the statement itself, as
    SQLite renders "OFFSET 0" after every LIMIT."""
    seen: list[bool] = []

    def record(conn, clauseelement, multiparams, params, execution_options):
        seen.append("OFFSET" in str(clauseelement.compile(dialect=postgresql.dialect())))

    event.listen(db.engine, "before_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_execute", record)


@pytest.mark.parametrize("sort", ["-dueDate", "customer"])
def test_a_cursor_page_reads_no_offset(invoices, sort):
    first = search(sort=sort, perPage="5")
    with offsets() as seen:
        second = search(sort=sort, perPage="5", after=first.next_cursor, page="2")
        search(sort=sort, perPage="5", before=second.prev_cursor, page="1")
    assert [inv.id for inv in second.items] == expected(invoices, sort)[5:10]
    assert len(seen) == 4 and not any(seen)  # count and page, twice
    with offsets() as seen:
        search(sort=sort, perPage="5", page="2")
    assert seen == [False, True]  # the page number alone still works, with an offset


def forged(data) -> str:
    return URLSafeSerializer(signing_keys(), salt=CURSOR_SALT).dumps(data)


@pytest.mark.parametrize(
    "make",
    [
        lambda c: "garbage",
        lambda c: c[:-3] + ("AAA" if not c.endswith("AAA") else "BBB"),  # signature edited
        lambda c: forged(["invoiceDate", "2026-06-01", 3]),  # another sort's cursor
        lambda c: forged(["dueDate", "not a date", 3]),
        lambda c: forged(["dueDate", "2026-06-01", "3"]),
        lambda c: forged(["dueDate", "2026-06-01", 2**40]),
        lambda c: forged({"dueDate": 1}),
        lambda c: "x" * 2000,
    ],
)
def test_a_tampered_or_malformed_cursor_is_a_field_error(invoices, make):
    cursor = search(sort="dueDate", perPage="5").next_cursor
    for name in ("after", "before"):
        with pytest.raises(ValidationFailed) as caught:
            search(sort="dueDate", perPage="5", **{name: make(cursor)})
        assert [e.field for e in caught.value.errors] == [name]
        assert "not a valid page link" in caught.value.errors[0].message


def test_null_values_are_refused_for_columns_that_cannot_be_null(invoices):
    with pytest.raises(ValidationFailed):
        search(sort="total", after=forged(["total", None, 3]))
    assert search(sort="dueDate", after=forged(["dueDate", None, 3])).items is not None


def test_after_and_before_together_are_refused(invoices):
    cursor = search(perPage="5").next_cursor
    with pytest.raises(ValidationFailed) as caught:
        search(perPage="5", after=cursor, before=cursor)
    assert [e.field for e in caught.value.errors] == ["before"]


def test_the_backend_api_filters_ignore_cursors_and_keep_offset_paging(invoices):
    f = parse_invoice_filters(MultiDict({"after": "garbage", "page": "2", "perPage": "5", "includeUnsent": "true"}))
    assert not f.keyset and f.after is None
    with statements() as sql, offsets() as seen:
        page = search_invoices(f)
    assert page.next_cursor is None and page.prev_cursor is None and page.has_prev
    # The page (offset), the versions the count is kept under, the count.
    assert seen == [True, False, False] and not any("NULLS" in s.upper() for s in sql)
