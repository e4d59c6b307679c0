"""Formatting money, dates and durations for people (Babel); the app registers them as Jinja filters.

Every function takes a `locale` (a Babel Locale, or a code); without one it formats in the locale of the
request (portal.foundations.i18n.current_locale), which is parsed once per request, not once per figure.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from portal.foundations.dates import local_date, zone
from portal.foundations.i18n import current_locale


def money(value, currency: str, locale: str | None = None) -> str:
    """`1234.5, "EUR"` → `€1,234.50` (the currency's own number of decimals)."""
    if value is None:
        return ""
    return format_currency(Decimal(value), currency, locale=locale or current_locale())


def number(value, locale: str | None = None, digits: int | None = None) -> str:
    if value is None:
        return ""
    fmt = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(Decimal(value), format=fmt, locale=locale or current_locale())


def percent(value, locale: str | None = None) -> str:
    """A ratio (0.42) as a percentage (42%)."""
    if value is None:
        return ""
    return format_percent(value, format="#,##0.#%", locale=locale or current_locale())


def date(value, locale: str | None = None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format=fmt, locale=locale or current_locale())


def local_datetime(
    value: dt.datetime | None, tz: str | None = "UTC", locale: str | None = None, fmt: str = "medium"
) -> str:
    """A UTC moment shown in a time zone (the account's)."""
    if value is None:
        return ""
    return format_datetime(value, format=fmt, tzinfo=zone(tz), locale=locale or current_locale())


def local_date_text(
    value: dt.datetime | None, tz: str | None = "UTC", locale: str | None = None, fmt: str = "medium"
) -> str:
    """The local calendar date of a UTC moment in a time zone (portal.foundations.dates.local_date), as text."""
    if value is None:
        return ""
    return format_date(local_date(value, tz), format=fmt, locale=locale or current_locale())


def period_end_date(value: dt.datetime | None, tz: str | None = "UTC", locale: str | None = None) -> str:
    """The last day covered by a half-open period ending at `value` (end minus one instant)."""
    if value is None:
        return ""
    return local_date_text(value - dt.timedelta(microseconds=1), tz, locale)


def duration(seconds: int | None) -> str:
    """Seconds as h:mm:ss."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def minutes(seconds: int | None, locale: str | None = None) -> str:
    """Seconds as minutes with one decimal."""
    if seconds is None:
        return ""
    return format_decimal(Decimal(seconds) / 60, format="#,##0.0", locale=locale or current_locale())
