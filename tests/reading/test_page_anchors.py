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
from tests.invoices import account_of_five, other_connection_adds  # noqa: F401 - fixture
from tests.reading.test_exact_count import WRITE_PATHS
from tests.statements import recorded_statements


@pytest.fixture
def step_of_two(monkeypatch):
    monkeypatch.setattr(page_anchors, "ANCHOR_STEP", 2)


def page(sort: str, number: int, size: int = 1, **more: str) -> list[int]:
    given = {"sort": sort, "page": str(number), "perPage": str(size), "includeUnsent": "1", **more}
    return [invoice.id for invoice in read_invoice_list(invoice_list_query(parse_invoice_filters(given))).items]


def anchor_reads(statements) -> list[str]:
    return [s for s in statements if "page_anchors" in s]


def every_id(descending: bool, *where) -> list[int]:
    order = Invoice.id.desc() if descending else Invoice.id.asc()
    return list(db.session.scalars(select(Invoice.id).where(*where).order_by(order)))


@pytest.mark.parametrize("sort", ["id", "-id"])
def test_every_page_holds_the_rows_an_offset_read_gives(account_of_five, step_of_two, sort, monkeypatch):
    monkeypatch.setattr(page_anchors, "STABLE_AFTER", 1)  # every deep page from anchors
    ids = every_id(sort.startswith("-"))
    assert [page(sort, n) for n in range(1, 7)] == [[i] for i in ids] + [[]]
    assert [page(sort, n, size=2) for n in range(1, 4)] == [ids[0:2], ids[2:4], ids[4:5]]


@pytest.mark.parametrize("sort", ["id", "-id"])
def test_the_anchors_of_a_filtered_list_step_over_its_own_rows(account_of_five, step_of_two, sort, monkeypatch):
    monkeypatch.setattr(page_anchors, "STABLE_AFTER", 1)
    ids = every_id(sort.startswith("-"), Invoice.state == "Approved")
    assert len(ids) == 3
    assert [page(sort, n, state="Approved") for n in range(1, 5)] == [[i] for i in ids] + [[]]


def stable(sort: str, number: int) -> None:
    """Read a deep page as often as it takes for its anchors to be read (page_anchors.STABLE_AFTER)."""
    for _ in range(page_anchors.STABLE_AFTER):
        page(sort, number)


def test_a_deep_page_skips_from_its_anchor(account_of_five, step_of_two):
    stable("id", 5)
    with recorded_statements() as seen:
        assert page("id", 5) == every_id(False)[4:5]
    assert any("OFFSET" in s.upper() and "page_anchors" not in s for s in seen)
    assert anchor_reads(seen) == []  # reused, not read again


def anchor_reads_per_page(sort: str, number: int, times: int, expected: list[int]) -> list[int]:
    read = []
    for _ in range(times):
        with recorded_statements() as seen:
            assert page(sort, number) == expected
        read.append(len(anchor_reads(seen)))
    return read


def test_anchors_are_read_only_when_the_versions_have_been_seen_enough_times(account_of_five, step_of_two):
    """The deep pages read under a version before the STABLE_AFTER-th are read at their offsets; that one
    reads the anchors; later ones use them. Every one holds the rows an offset read gives."""
    wait = page_anchors.STABLE_AFTER - 1
    assert wait >= 1
    read = anchor_reads_per_page("-id", 5, wait + 2, every_id(True)[4:5])
    assert read == [0] * wait + [1, 0]


def test_a_write_in_between_restarts_the_tally(account_of_five, step_of_two):
    wait = page_anchors.STABLE_AFTER - 1
    assert anchor_reads_per_page("-id", 4, wait, every_id(True)[3:4]) == [0] * wait
    other_connection_adds(account_of_five)  # a new version before the anchors were read
    db.session.commit()
    read = anchor_reads_per_page("-id", 4, wait + 1, every_id(True)[3:4])
    assert read == [0] * wait + [1]  # the tally starts again at the new version


def test_read_at_first_sight_when_set_so(account_of_five, step_of_two, monkeypatch):
    monkeypatch.setattr(page_anchors, "STABLE_AFTER", 1)
    assert anchor_reads_per_page("id", 5, 2, every_id(False)[4:5]) == [1, 0]


@pytest.mark.parametrize("how, write, change", WRITE_PATHS, ids=[path[0] for path in WRITE_PATHS])
def test_after_any_write_the_pages_follow(account_of_five, step_of_two, how, write, change):
    stable("-id", 4)  # the anchors are kept under the old versions
    assert page("-id", 4) == every_id(True)[3:4]
    write(account_of_five)
    db.session.commit()
    ids = every_id(True)
    for _ in range(page_anchors.STABLE_AFTER + 1):  # read at the offsets, then from anchors read anew
        assert [page("-id", n) for n in range(1, len(ids) + 2)] == [[i] for i in ids] + [[]]
