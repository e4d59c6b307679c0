"""The demo's invoice periods: local-midnight boundaries, whole periods only, in the account's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from portal.demo.periods import next_period_end, periods_between

UTC = dt.timezone.utc


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_monthly_periods_start_at_local_midnight_and_skip_partial_months():
    periods = periods_between("Monthly", "Europe/Berlin", utc(2026, 1, 1), utc(2026, 4, 1))
    # Berlin's 1 January starts at 23:00 UTC on 31 December, before `first`: that month is not whole.
    assert periods == [(utc(2026, 1, 31, 23), utc(2026, 2, 28, 23)), (utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))]


def test_semi_monthly_periods_split_on_the_first_and_sixteenth():
    periods = periods_between("SemiMonthly", "UTC", utc(2026, 1, 1), utc(2026, 3, 1))
    assert [p[0].day for p in periods] == [1, 16, 1, 16]
    assert periods[-1][1] == utc(2026, 3, 1)


def test_weekly_periods_run_monday_to_monday():
    periods = periods_between("Weekly", "America/New_York", utc(2026, 3, 1), utc(2026, 4, 1))
    local = [start.astimezone(ZoneInfo("America/New_York")) for start, _ in periods]
    assert all(moment.weekday() == 0 and moment.time() == dt.time() for moment in local)
    assert all((end - start) in (dt.timedelta(days=7), dt.timedelta(days=7, hours=-1)) for start, end in periods)
    # The week of the DST change (8 March 2026) is an hour short.
    assert (utc(2026, 3, 2, 5), utc(2026, 3, 9, 4)) in periods


def test_next_period_end_is_the_first_boundary_after_the_moment():
    assert next_period_end("Monthly", "Asia/Kolkata", utc(2026, 10, 31, 18, 30)) == utc(2026, 11, 30, 18, 30)
    assert next_period_end("SemiMonthly", "UTC", utc(2026, 5, 3)) == utc(2026, 5, 16)
    assert next_period_end("Weekly", "UTC", utc(2026, 5, 4)) == utc(2026, 5, 11)
