"""Geometry of the server-rendered SVG bar charts (no chart library: plain numbers for the template)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# The chart's viewBox: labels on the left, bars in the middle, values on the right.
# A narrow viewBox keeps the text readable when a phone scales the chart down.
WIDTH = 440
LABEL_WIDTH = 140
VALUE_WIDTH = 100
ROW_HEIGHT = 26
BAR_HEIGHT = 16
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    currency: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW_HEIGHT + 10

    width = WIDTH
    label_width = LABEL_WIDTH
    bar_area = BAR_AREA
    bar_height = BAR_HEIGHT


def bar_chart(title: str, description: str, currency: str, rows: list[tuple[str, Decimal]]) -> BarChart:
    """Horizontal bars scaled to the largest value; negative values draw as empty bars."""
    largest = max((value for _, value in rows if value > 0), default=Decimal(0))
    bars = []
    for index, (label, value) in enumerate(rows):
        share = float(value / largest) if largest > 0 and value > 0 else 0.0
        # A tiny non-zero amount still shows as a sliver so it is not mistaken for zero.
        width = max(share * BAR_AREA, 2.0) if value > 0 else 0.0
        bars.append(Bar(label=label, value=value, y=index * ROW_HEIGHT + 5, width=round(width, 1)))
    return BarChart(title=title, description=description, currency=currency, bars=bars)
