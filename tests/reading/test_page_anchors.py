"""Deep pages of lists sorted by id start at kept anchors (portal/reading/page_anchors.py): the same
rows as an offset read, fewer skipped, and never stale after any write."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Invoice
from portal.reading import page_anchors
from portal.reading.invoice_list import read_invoice_list
from portal.reading.invoice_search import invoice_list_query, parse_invoice_filters
from tests.invoices import account_of_five  # noqa: F401 - fixture
from tests.reading.test_exact_count import WRITE_PATHS
from tests.statements import recorded_statements


@pytest.fixture
def step_of_two(monkeypatch):
    monkeypatch.setattr(page_anchors, "ANCHOR_STEP", 2)


def page(sort: str, number: int, size: int = 1) -> list[int]:
    filters = parse_invoice_filters({"sort": sort, "page": str(number), "perPage": str(size), "includeUnsent": "1"})
    return [invoice.id for invoice in read_invoice_list(invoice_list_query(filters)).items]


def every_id(descending: bool) -> list[int]:
    order = Invoice.id.desc() if descending else Invoice.id.asc()
    return list(db.session.scalars(select(Invoice.id).order_by(order)))


@pytest.mark.parametrize("sort", ["id", "-id"])
def test_every_page_holds_the_rows_an_offset_read_gives(account_of_five, step_of_two, sort):
    ids = every_id(sort.startswith("-"))
    assert [page(sort, n) for n in range(1, 7)] == [[i] for i in ids] + [[]]
    assert [page(sort, n, size=2) for n in range(1, 4)] == [ids[0:2], ids[2:4], ids[4:5]]


def test_a_deep_page_skips_from_its_anchor(account_of_five, step_of_two):
    page("id", 5)  # the anchors are read once
    with recorded_statements() as seen:
        assert page("id", 5) == every_id(False)[4:5]
    assert any("OFFSET" in s.upper() and "row_number" not in s for s in seen)
    assert not any("row_number" in s.lower() for s in seen)  # reused, not read again


@pytest.mark.parametrize("how, write, change", WRITE_PATHS, ids=[path[0] for path in WRITE_PATHS])
def test_after_any_write_the_pages_follow(account_of_five, step_of_two, how, write, change):
    assert page("-id", 4) == every_id(True)[3:4]
    write(account_of_five)
    db.session.commit()
    ids = every_id(True)
    assert [page("-id", n) for n in range(1, len(ids) + 2)] == [[i] for i in ids] + [[]]
