"""Invoice periods: every kind around month ends, ISO week parity, split pieces, time zones and DST."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.billing.periods import (
    UnknownPeriod,
    following_period,
    next_period_end,
    period_containing,
    period_ending_at,
    periods_between,
)
from portal.models.account import INVOICE_PERIODS

UTC = dt.timezone.utc


def at(*args, tz=UTC):
    return dt.datetime(*args, tzinfo=tz)


def days(period):
    return (period.start.date().isoformat(), period.end.date().isoformat(), period.invoice_type)


@pytest.mark.parametrize(
    "kind, moment, expected",
    [
        ("Daily", at(2026, 1, 31, 23, 59), ("2026-01-31", "2026-02-01", "Auto Full")),
        ("Daily", at(2026, 2, 1), ("2026-02-01", "2026-02-02", "Auto Full")),
        ("Weekly", at(2026, 3, 1, 12), ("2026-02-23", "2026-03-02", "Auto Full")),  # Sunday
        ("Weekly", at(2026, 3, 2), ("2026-03-02", "2026-03-09", "Auto Full")),  # Monday starts a week
        ("Monthly", at(2026, 2, 28, 23), ("2026-02-01", "2026-03-01", "Auto Full")),
        ("Monthly", at(2024, 2, 29, 12), ("2024-02-01", "2024-03-01", "Auto Full")),
        ("Monthly", at(2026, 12, 31, 23, 59), ("2026-12-01", "2027-01-01", "Auto Full")),
        ("SemiMonthly", at(2026, 1, 15, 23, 59), ("2026-01-01", "2026-01-16", "Auto Full")),
        ("SemiMonthly", at(2026, 1, 16), ("2026-01-16", "2026-02-01", "Auto Full")),
        ("SemiMonthly", at(2026, 2, 28, 12), ("2026-02-16", "2026-03-01", "Auto Full")),
        ("SemiMonthly", at(2026, 12, 20), ("2026-12-16", "2027-01-01", "Auto Full")),
        ("BiWeekly", at(2020, 3, 20), ("2020-03-16", "2020-03-30", "Auto Full")),
        ("BiWeekly", at(2020, 3, 31), ("2020-03-30", "2020-04-13", "Auto Full")),
        ("Weekly. Split by new month", at(2026, 9, 29), ("2026-09-28", "2026-10-01", "Auto Partial")),
        ("Weekly. Split by new month", at(2026, 10, 2), ("2026-10-01", "2026-10-05", "Auto Partial")),
        ("Weekly. Split by new month", at(2026, 10, 7), ("2026-10-05", "2026-10-12", "Auto Full")),
        ("BiWeekly. Split by new month", at(2020, 3, 31), ("2020-03-30", "2020-04-01", "Auto Partial")),
        ("BiWeekly. Split by new month", at(2020, 4, 1), ("2020-04-01", "2020-04-13", "Auto Partial")),
        ("BiWeekly. Split by new month", at(2020, 4, 14), ("2020-04-13", "2020-04-27", "Auto Full")),
    ],
)
def test_period_containing_each_kind_around_month_ends(kind, moment, expected):
    assert days(period_containing(kind, moment, "UTC")) == expected


def test_biweekly_periods_end_on_mondays_of_even_iso_weeks():
    ends = [p.end for p in periods_between("BiWeekly", at(2020, 3, 16), at(2020, 5, 1), "UTC")]
    assert [e.date().isoformat() for e in ends] == ["2020-03-30", "2020-04-13", "2020-04-27", "2020-05-11"]
    for end in ends:
        assert end.weekday() == 0
        assert end.isocalendar().week % 2 == 0


def test_biweekly_spans_three_weeks_across_a_53_week_year():
    # 2026 has ISO week 53: weeks 53 and 1 are both odd, so week 52's period runs to week 2.
    period = period_containing("BiWeekly", at(2026, 12, 30), "UTC")
    assert days(period) == ("2026-12-21", "2027-01-11", "Auto Full")
    assert period.start.isocalendar().week == 52 and period.end.isocalendar().week == 2


def test_biweekly_split_cuts_the_year_end_period_at_january_first():
    pieces = periods_between("BiWeekly. Split by new month", at(2026, 12, 21), at(2027, 1, 11), "UTC")
    assert [days(p) for p in pieces] == [
        ("2026-12-21", "2027-01-01", "Auto Partial"),
        ("2027-01-01", "2027-01-11", "Auto Partial"),
    ]


@pytest.mark.parametrize("kind", INVOICE_PERIODS)
def test_consecutive_periods_touch_and_contain_their_moments(kind):
    moment = at(2026, 1, 1)
    previous = None
    for period in periods_between(kind, moment, at(2026, 7, 1), "Europe/Berlin"):
        assert period.start < period.end
        if previous is not None:
            assert period.start == previous.end
        assert period_containing(kind, period.start, "Europe/Berlin") == period
        assert period_containing(kind, period.end - dt.timedelta(microseconds=1), "Europe/Berlin") == period
        assert period_ending_at(kind, period.end, "Europe/Berlin") == period
        assert following_period(kind, period.end, "Europe/Berlin").start == period.end
        previous = period


def test_boundaries_are_local_midnight_in_the_account_zone():
    period = period_containing("Monthly", at(2026, 5, 31, 23), "America/New_York")
    # 23:00 UTC on 31 May is still May in New York (UTC-4 in summer).
    assert period.start == at(2026, 5, 1, 4) and period.end == at(2026, 6, 1, 4)
    period = period_containing("Monthly", at(2026, 5, 31, 23), "Asia/Tokyo")
    # ... but already June in Tokyo (UTC+9).
    assert period.start == at(2026, 5, 31, 15) and period.end == at(2026, 6, 30, 15)


def test_daily_period_across_spring_forward_is_23_hours_in_berlin():
    # Europe/Berlin moves from +01:00 to +02:00 on 2026-03-29.
    period = period_containing("Daily", at(2026, 3, 29, 12), "Europe/Berlin")
    assert period.start == at(2026, 3, 28, 23) and period.end == at(2026, 3, 29, 22)
    assert period.end - period.start == dt.timedelta(hours=23)


def test_daily_period_across_fall_back_is_25_hours_in_berlin():
    period = period_containing("Daily", at(2026, 10, 25, 12), "Europe/Berlin")
    assert period.start == at(2026, 10, 24, 22) and period.end == at(2026, 10, 25, 23)
    assert period.end - period.start == dt.timedelta(hours=25)


def test_monthly_period_keeps_local_midnight_on_both_sides_of_dst():
    period = period_containing("Monthly", at(2026, 3, 15), "Europe/Berlin")
    assert period.start == at(2026, 2, 28, 23)  # +01:00
    assert period.end == at(2026, 3, 31, 22)  # +02:00: not start + 31 days in UTC
    assert period.end.astimezone(ZoneInfo("Europe/Berlin")).hour == 0


def test_midnight_that_does_not_exist_starts_the_day_at_the_first_real_instant():
    # America/Santiago springs forward at 00:00 on 2026-09-06 (straight to 01:00).
    period = period_containing("Daily", at(2026, 9, 6, 12), "America/Santiago")
    assert period.start == at(2026, 9, 6, 4)  # 00:00 -04:00 == 01:00 -03:00
    assert period.end == at(2026, 9, 7, 3)
    assert period.end - period.start == dt.timedelta(hours=23)


def test_weekly_split_in_a_non_utc_zone_cuts_at_local_first_of_month():
    pieces = periods_between("Weekly. Split by new month", at(2026, 3, 30, 0, tz=UTC), at(2026, 4, 6), "Asia/Tokyo")
    assert (pieces[0].start, pieces[0].end, pieces[0].invoice_type) == (
        at(2026, 3, 29, 15),
        at(2026, 3, 31, 15),
        "Auto Partial",
    )
    assert (pieces[1].start, pieces[1].end, pieces[1].invoice_type) == (
        at(2026, 3, 31, 15),
        at(2026, 4, 5, 15),
        "Auto Partial",
    )


def test_non_split_kinds_are_always_auto_full():
    for kind in ("Daily", "Weekly", "BiWeekly", "Monthly", "SemiMonthly"):
        types = {p.invoice_type for p in periods_between(kind, at(2026, 1, 1), at(2027, 1, 1), "UTC")}
        assert types == {"Auto Full"}


def test_next_period_end_is_the_end_of_the_current_period():
    assert next_period_end("Monthly", at(2026, 11, 21, 6), "UTC") == at(2026, 12, 1)
    assert next_period_end("Monthly", at(2026, 12, 1), "UTC") == at(2027, 1, 1)


def test_unknown_kind_and_naive_moment_are_refused():
    with pytest.raises(UnknownPeriod):
        period_containing("Fortnightly", at(2026, 1, 1), "UTC")
    with pytest.raises(ValueError):
        period_containing("Daily", dt.datetime(2026, 1, 1), "UTC")
