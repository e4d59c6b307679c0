"""Period presets across year ends, and the bar chart geometry."""

import datetime as dt
from decimal import Decimal

import pytest

from portal.customer.charts import BAR_AREA, bar_chart
from portal.foundations.errors import ValidationFailed
from portal.reading.customer_views import preset_window

D = dt.date


@pytest.mark.parametrize(
    "preset, today, expected",
    [
        ("this_month", D(2026, 2, 14), (D(2026, 2, 1), D(2026, 2, 28))),
        ("last_month", D(2026, 1, 31), (D(2025, 12, 1), D(2025, 12, 31))),
        ("last_month", D(2024, 3, 31), (D(2024, 2, 1), D(2024, 2, 29))),
        # This month so far and the two before it: it ends today, never in the future.
        ("last_3_months", D(2026, 2, 10), (D(2025, 12, 1), D(2026, 2, 10))),
        ("last_3_months", D(2026, 2, 28), (D(2025, 12, 1), D(2026, 2, 28))),
        ("this_year", D(2026, 7, 4), (D(2026, 1, 1), D(2026, 12, 31))),
        ("last_year", D(2026, 1, 1), (D(2025, 1, 1), D(2025, 12, 31))),
    ],
)
def test_presets(preset, today, expected):
    assert preset_window(preset, today) == expected


def test_unknown_preset_is_a_validation_error():
    with pytest.raises(ValidationFailed):
        preset_window("next_decade", D(2026, 1, 1))


def test_bars_scale_to_the_largest_value_and_keep_tiny_values_visible():
    chart = bar_chart(
        "t",
        "d",
        "EUR",
        [
            ("a", Decimal("100")),
            ("b", Decimal("50")),
            ("c", Decimal("0.001")),
            ("d", Decimal("0")),
            ("e", Decimal("-5")),
        ],
    )
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == BAR_AREA and widths[1] == BAR_AREA / 2
    assert 0 < widths[2] <= 2 and widths[3] == 0 and widths[4] == 0
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)


def test_chart_of_nothing_has_no_bars():
    assert bar_chart("t", "d", "EUR", []).bars == []
