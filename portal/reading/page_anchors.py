"""Where the deep pages of a list sorted by id start, kept per versions of the tables it reads.

A page read at an offset skips every row before it: at 100,000 invoices a random page of 50 skips
50,000 index entries on average, more than the rest of the request costs (bench/README.md). The
id of every ANCHOR_STEP-th row of the list is read once per versions (portal.reading.exact_count:
the versions move with every committed write to the tables, so kept anchors always describe the
rows a statement with the same versions sees); a page then starts at the anchor before it and
skips fewer than ANCHOR_STEP rows.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Invoice
from portal.reading.exact_count import Versions, kept

ANCHOR_STEP = 1000


def anchored_offset(ids, *, descending: bool, offset: int, versions: Versions | None):
    """(condition, the offset after it) that reads the rows of `ids` (a SELECT of invoice ids,
    unordered), sorted by id, from `offset` on by starting at the anchor before it; None when no
    anchor helps (a shallow page, a page past the end, or no versions to keep anchors under).

    The condition also requires the versions to be unchanged: when a commit moved them in between,
    the statement finds no rows and the caller reads the page at its offset instead."""
    if versions is None or not is_deep(offset):
        return None
    anchors = anchor_ids(ids, descending=descending, versions=versions)
    number = offset // ANCHOR_STEP
    if number >= len(anchors):
        return None
    anchor = anchors[number]
    start = Invoice.id <= anchor if descending else Invoice.id >= anchor
    return start & versions.unchanged(), offset - number * ANCHOR_STEP


def is_deep(offset: int) -> bool:
    """A page at this offset would skip at least one anchor's worth of rows."""
    return offset >= ANCHOR_STEP


def anchor_ids(ids, *, descending: bool, versions: Versions) -> tuple[int, ...]:
    """The ids of rows 0, ANCHOR_STEP, 2 × ANCHOR_STEP, … of `ids` sorted by id."""

    def read(columns: list) -> tuple:
        order = Invoice.id.desc() if descending else Invoice.id.asc()
        numbered = ids.add_columns(func.row_number().over(order_by=order).label("n")).subquery()
        stmt = select(numbered.c.id, *columns).where(numbered.c.n % ANCHOR_STEP == 1).order_by(numbered.c.n)
        rows = db.session.execute(stmt).all()
        return tuple(row[0] for row in rows), tuple(rows[0][1:]) if rows else None

    return kept(versions, ("anchors", descending), read)
