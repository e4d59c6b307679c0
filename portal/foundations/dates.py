"""Reading period dates given by people and machines, in the account's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser


class BadDate(ValueError):
    pass


# The days whose local midnight, and the midnight after, exist as datetimes in every time zone (UTC
# offsets stay within a day of UTC): the range of days any face accepts, so none reaches an OverflowError.
FIRST_DAY = dt.date.min + dt.timedelta(days=1)
LAST_DAY = dt.date.max - dt.timedelta(days=1)
DAY_RANGE_MESSAGE = f"must be a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"


def in_day_range(day: dt.date) -> bool:
    """Whether `day` lies within FIRST_DAY..LAST_DAY (both included)."""
    return FIRST_DAY <= day <= LAST_DAY


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_moment(value, tz_name: str | None) -> dt.datetime:
    """A date or date-time given as text, date or datetime, as an aware UTC datetime.

    A date without a time means midnight in the account's time zone; a date-time without
    an offset is read in that zone too. Raises BadDate for anything unreadable.
    """
    tz = zone(tz_name)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 40:
            raise BadDate(value)
        try:
            moment = date_parser.isoparse(text)
        except (ValueError, OverflowError) as exc:
            raise BadDate(value) from exc
    else:
        raise BadDate(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError) as exc:
        raise BadDate(value) from exc


def local_midnight(day: dt.date, tz_name: str | None) -> dt.datetime:
    """Midnight at the start of `day` in the zone, as UTC.

    Raises BadDate when that instant is not a datetime (a day outside FIRST_DAY..LAST_DAY can be).
    """
    try:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone(tz_name)).astimezone(dt.timezone.utc)
    except OverflowError as exc:
        raise BadDate(day) from exc


def local_date(moment: dt.datetime, tz_name: str | None) -> dt.date:
    return moment.astimezone(zone(tz_name)).date()
