"""Where the deep pages of a list sorted by id start, kept per versions of the tables it reads.

A page read at an offset skips every row before it: at 100,000 invoices a random page of 50 skips
50,000 index entries on average, more than the rest of the request costs (bench/README.md). The
id of every ANCHOR_STEP-th row of the list is read once per versions (portal.reading.exact_count:
the versions move with every committed write to the tables, so kept anchors always describe the
rows a statement with the same versions sees); a page then starts at the anchor before it and
skips fewer than ANCHOR_STEP rows.

Reading the anchors walks every row of the list, which costs as much as several deep pages read at
their offsets (100,000 invoices, PostgreSQL, loaded machine: the walk 24–29 ms, numbering the rows
with row_number() 34–57 ms, a page at offset 50,000 3–15 ms). While invoices are being
written, the versions move several times a second at month-end and anchors read at once would be
thrown away before they paid: a list read at random pages did 0.42–0.46 of the requests/s of a
server without them at 5 and 20 writes/s (bench/lists_under_writes.py). So a process reads them only
for the STABLE_AFTER-th deep page of a list that it reads under the same versions, when it has already
paid about what they cost by reading at offsets; the pages before are read at their offsets, as with
no anchors, and a write in between starts the tally again.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Invoice
from portal.reading.exact_count import Versions, kept

ANCHOR_STEP = 1000
STABLE_AFTER = 8  # the deep pages of one list a process reads under the same versions before it reads anchors


def anchored_offset(ids, *, descending: bool, offset: int, versions: Versions | None):
    """(condition, the offset after it) that reads the rows of `ids` (a SELECT of invoice ids,
    unordered), sorted by id, from `offset` on by starting at the anchor before it; None when no
    anchor helps (a shallow page, a page past the end, no versions to keep anchors under, or
    versions not yet seen STABLE_AFTER times).

    The condition also requires the versions to be unchanged: when a commit moved them in between,
    the statement finds no rows and the caller reads the page at its offset instead."""
    if versions is None or not is_deep(offset):
        return None
    anchors = anchor_ids(ids, descending=descending, versions=versions)
    number = offset // ANCHOR_STEP
    if anchors is None or number >= len(anchors):
        return None
    anchor = anchors[number]
    start = Invoice.id <= anchor if descending else Invoice.id >= anchor
    return start & versions.unchanged(), offset - number * ANCHOR_STEP


def is_deep(offset: int) -> bool:
    """A page at this offset would skip at least one anchor's worth of rows."""
    return offset >= ANCHOR_STEP


def anchor_ids(ids, *, descending: bool, versions: Versions) -> tuple[int, ...] | None:
    """The ids of rows 0, ANCHOR_STEP, 2 × ANCHOR_STEP, … of `ids` sorted by id; None while these
    versions have been seen fewer than STABLE_AFTER times."""

    def read(columns: list) -> tuple:
        rows = db.session.execute(anchor_walk(ids, descending=descending).add_columns(*columns)).all()
        return tuple(row[0] for row in rows), tuple(rows[0][1:]) if rows else None

    return kept(versions, ("anchors", descending), read, sightings=STABLE_AFTER)


def anchor_walk(ids, *, descending: bool):
    """The SELECT of the anchors of `ids`, in list order: a walk from the first row that steps
    ANCHOR_STEP rows along the id index at a time (each step skips index entries after the anchor
    before it), so the rows are never numbered or sorted: about half the cost of numbering them
    with row_number()."""
    first = ids.with_only_columns((func.max(Invoice.id) if descending else func.min(Invoice.id)).label("id"))
    walk = first.cte("page_anchors", recursive=True)
    after = Invoice.id < walk.c.id if descending else Invoice.id > walk.c.id
    order = Invoice.id.desc() if descending else Invoice.id.asc()
    step = ids.where(after).order_by(order).offset(ANCHOR_STEP - 1).limit(1).scalar_subquery()
    walk = walk.union_all(select(step).where(walk.c.id.is_not(None)))
    anchor = walk.c.id
    return select(anchor).where(anchor.is_not(None)).order_by(anchor.desc() if descending else anchor)
