"""The demo's invoice periods: the whole periods of the billing calendar (portal.billing.periods) between two
moments."""

from __future__ import annotations

import datetime as dt

from portal.billing import periods as calendar


def periods_between(
    period: str, tz_name: str, first: dt.datetime, last: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Whole periods [start, end) in UTC with first <= start and end <= last."""
    return [
        (p.start, p.end)
        for p in calendar.periods_between(period, first, last, tz_name)
        if p.start >= first and p.end <= last
    ]


def next_period_end(period: str, tz_name: str, after: dt.datetime) -> dt.datetime:
    """The first period boundary strictly after `after`, in UTC."""
    return calendar.next_period_end(period, after, tz_name)
