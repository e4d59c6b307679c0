"""One page of a filtered invoice list, with the arithmetic every list view needs."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class InvoicePage:
    items: list
    total: int
    page: int
    per_page: int
    filters: Any = field(repr=False, default=None)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
