"""One page of a filtered invoice list, with the arithmetic every list view needs, and bounded counts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from portal.extensions import db
from portal.reading.exact_count import exact_count

# The HTML lists count matches exactly up to this many; beyond it they say "more than 1,000". The
# count then reads at most COUNT_LIMIT + 1 index entries however large the table grows, instead of an
# exact count(*) over every matching row on every page (see bench/README.md "Pages").
COUNT_LIMIT = 1_000


def bounded_count(stmt, limit: int | None) -> tuple[int, bool]:
    """(number of rows of a SELECT, exact?): with a `limit`, counting stops after limit + 1 rows."""
    if limit is None:
        return exact_count(stmt), True
    stmt = stmt.order_by(None)
    found = int(db.session.scalar(select(func.count()).select_from(stmt.limit(limit + 1).subquery())) or 0)
    return min(found, limit), found <= limit


@dataclass
class InvoicePage:
    items: list
    total: int  # exact when total_is_exact, else the count limit (there are more)
    page: int
    per_page: int
    filters: Any = field(repr=False, default=None)
    total_is_exact: bool = True
    more: bool | None = None  # a next page exists (known from the rows, whatever the count)
    earlier: bool | None = None  # a previous page exists (keyset pages; else page > 1)
    # Keyset paging (the admin list): signed cursors of the last and first rows, for Next and Previous.
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def pages(self) -> int:
        """The number of pages; with an inexact total, the pages known so far."""
        known = max(1, math.ceil(self.total / self.per_page))
        if self.total_is_exact:
            return known
        return max(known, self.page + 1 if self.more else self.page) if self.items else known

    @property
    def total_label(self) -> str:
        return f"{self.total:,}" if self.total_is_exact else f"more than {self.total:,}"

    @property
    def has_prev(self) -> bool:
        return self.earlier if self.earlier is not None else self.page > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.page < self.pages
