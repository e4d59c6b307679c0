"""Invoice periods: pure calendar arithmetic in the account's time zone, boundaries at local midnight."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from portal.foundations.dates import local_midnight, zone
from portal.models.account import INVOICE_PERIODS

FULL = "Auto Full"
PARTIAL = "Auto Partial"
UTC = dt.timezone.utc
_DAY = dt.timedelta(days=1)
_TICK = dt.timedelta(microseconds=1)

SPLIT_BY_MONTH = {
    "Weekly. Split by new month": "Weekly",
    "BiWeekly. Split by new month": "BiWeekly",
}


class UnknownPeriod(ValueError):
    """The name is not one of INVOICE_PERIODS."""


class Period(NamedTuple):
    """A half-open invoice period [start, end) as aware UTC datetimes, and the invoice type it yields."""

    start: dt.datetime
    end: dt.datetime
    invoice_type: str


def period_containing(kind: str, moment: dt.datetime, tz: str | None) -> Period:
    """The period of `kind` that contains `moment` (start <= moment < end).

    Args:
        kind: one of INVOICE_PERIODS.
        moment: an aware datetime (any offset).
        tz: the account's IANA zone name; boundaries are local midnights there.

    Returns a Period whose start and end are aware UTC datetimes. Split kinds give
    `Auto Partial` for a piece cut short by the 1st of a month; every other period is
    `Auto Full`.

    Raises UnknownPeriod for a kind that is not an invoice period, ValueError for a naive moment.
    """
    if kind not in INVOICE_PERIODS:
        raise UnknownPeriod(kind)
    if moment.tzinfo is None:
        raise ValueError("naive datetime given for a period calculation")
    day = moment.astimezone(zone(tz)).date()
    period = _period_of_day(kind, day, tz)
    # Zones that turn clocks back across midnight show a local date that runs backwards for an
    # hour; step to the neighbouring period so the result always contains the moment.
    while period.end <= moment:
        day = max(_local_day_of(period.end, tz), day + _DAY)
        period = _period_of_day(kind, day, tz)
    while period.start > moment:
        day = min(_local_day_of(period.start - _TICK, tz), day - _DAY)
        period = _period_of_day(kind, day, tz)
    return period


def next_period_end(kind: str, moment: dt.datetime, tz: str | None) -> dt.datetime:
    """The end of the period containing `moment`: when the period under way is due for invoicing."""
    return period_containing(kind, moment, tz).end


def period_ending_at(kind: str, end: dt.datetime, tz: str | None) -> Period:
    """The period that contains the instant just before `end` (the one `end` closes)."""
    return period_containing(kind, end - _TICK, tz)


def following_period(kind: str, end: dt.datetime, tz: str | None) -> Period:
    """The period that contains `end` itself: the one after a period ending at `end`."""
    return period_containing(kind, end, tz)


def periods_between(kind: str, start: dt.datetime, end: dt.datetime, tz: str | None) -> list[Period]:
    """Every period overlapping [start, end), in order (for previews and tests)."""
    result = []
    moment = start
    while moment < end:
        period = period_containing(kind, moment, tz)
        result.append(period)
        moment = period.end
    return result


def _period_of_day(kind: str, day: dt.date, tz: str | None) -> Period:
    base = SPLIT_BY_MONTH.get(kind, kind)
    first, after = _date_range(base, day)
    invoice_type = FULL
    if kind in SPLIT_BY_MONTH:
        month_start = day.replace(day=1)
        next_month = _add_months(month_start, 1)
        cut_first, cut_after = max(first, month_start), min(after, next_month)
        if (cut_first, cut_after) != (first, after):
            invoice_type = PARTIAL
        first, after = cut_first, cut_after
    return Period(local_midnight(first, tz), local_midnight(after, tz), invoice_type)


def _date_range(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """Local dates [first, after) of the calendar period holding `day`."""
    if kind == "Daily":
        return day, day + _DAY
    if kind == "Weekly":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=7)
    if kind == "BiWeekly":
        return _biweek(day)
    if kind == "Monthly":
        first = day.replace(day=1)
        return first, _add_months(first, 1)
    if kind == "SemiMonthly":
        if day.day < 16:
            return day.replace(day=1), day.replace(day=16)
        return day.replace(day=16), _add_months(day.replace(day=1), 1)
    raise UnknownPeriod(kind)


def _biweek(day: dt.date) -> tuple[dt.date, dt.date]:
    """Boundaries are the Mondays of even ISO weeks.

    A year with 53 ISO weeks has two odd weeks in a row (53 and 1), so the period that
    spans the new year lasts three weeks (week 52 to week 2) instead of two.
    """
    first = day - dt.timedelta(days=day.weekday())
    while first.isocalendar().week % 2:
        first -= dt.timedelta(days=7)
    after = first + dt.timedelta(days=7)
    while after.isocalendar().week % 2:
        after += dt.timedelta(days=7)
    return first, after


def _add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _local_day_of(moment: dt.datetime, tz: str | None) -> dt.date:
    return moment.astimezone(zone(tz)).date()
