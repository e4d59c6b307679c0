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
    series: int = 0  # index into BarChart.legend


@dataclass(frozen=True)
class Heading:
    """The name of a series above its bars (so a series is told by its words, not by its colour alone)."""

    label: str
    y: int
    series: int


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    currency: str
    bars: list[Bar]
    legend: tuple[str, ...] = ()  # one name per series; empty for a chart of one series
    headings: tuple[Heading, ...] = ()

    @property
    def height(self) -> int:
        return max(1, len(self.bars) + len(self.headings)) * ROW_HEIGHT + 10

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


def series_chart(
    title: str, description: str, currency: str, series: list[tuple[str, list[tuple[str, Decimal]]]]
) -> BarChart:
    """Bars of several series (e.g. one per account) on one scale: each series under a heading with its
    name, its bars drawn in the series' colour, and a legend naming every series."""
    largest = max((value for _, rows in series for _, value in rows if value > 0), default=Decimal(0))
    bars, headings, row = [], [], 0
    for index, (name, rows) in enumerate(series):
        headings.append(Heading(label=name, y=row * ROW_HEIGHT + 5, series=index))
        row += 1
        for label, value in rows:
            share = float(value / largest) if largest > 0 and value > 0 else 0.0
            width = max(share * BAR_AREA, 2.0) if value > 0 else 0.0
            bars.append(Bar(label=label, value=value, y=row * ROW_HEIGHT + 5, width=round(width, 1), series=index))
            row += 1
    return BarChart(
        title=title,
        description=description,
        currency=currency,
        bars=bars,
        legend=tuple(name for name, _ in series),
        headings=tuple(headings),
    )
