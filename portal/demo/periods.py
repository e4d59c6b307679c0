"""Invoice periods of the demo accounts: boundaries at local midnight, listed between two moments."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc


def _next_boundary(day: dt.date, period: str) -> dt.date:
    """The first period boundary (a local date) after `day`."""
    if period == "Monthly":
        index = day.year * 12 + day.month
        return dt.date(index // 12, index % 12 + 1, 1)
    if period == "SemiMonthly":
        if day.day < 16:
            return day.replace(day=16)
        index = day.year * 12 + day.month
        return dt.date(index // 12, index % 12 + 1, 1)
    if period == "Weekly":
        return day + dt.timedelta(days=7 - day.weekday())  # next Monday
    raise ValueError(f"the demo does not generate {period} periods")


def periods_between(period: str, tz_name: str, first: dt.datetime, last: dt.datetime
                    ) -> list[tuple[dt.datetime, dt.datetime]]:
    """Whole periods [start, end) in UTC, local-midnight aligned, with first <= start and end <= last."""
    tz = ZoneInfo(tz_name)
    day = first.astimezone(tz).date()
    start_day = _next_boundary(day - dt.timedelta(days=1), period)
    periods = []
    while True:
        end_day = _next_boundary(start_day, period)
        start = dt.datetime.combine(start_day, dt.time(), tzinfo=tz).astimezone(UTC)
        end = dt.datetime.combine(end_day, dt.time(), tzinfo=tz).astimezone(UTC)
        if end > last:
            return periods
        if start >= first:
            periods.append((start, end))
        start_day = end_day


def next_period_end(period: str, tz_name: str, after: dt.datetime) -> dt.datetime:
    """The first local-midnight period boundary strictly after `after`, in UTC."""
    tz = ZoneInfo(tz_name)
    day = after.astimezone(tz).date()
    while True:
        day = _next_boundary(day, period)
        end = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(UTC)
        if end > after:
            return end
