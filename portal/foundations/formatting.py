"""Formatting money, dates and durations for people (Babel); the app registers them as Jinja filters.

Every function takes a `locale` (a Babel Locale, or a code); without one it formats in the locale of the
request (portal.foundations.i18n.current_locale), which is parsed once per request, not once per figure.

One minus sign: these are the display faces' formats (web pages, PDF, e-mail), and a negative amount or number
starts with the typographic minus sign U+2212 (`−€1.50`, `−1,50 €`), never a hyphen or parentheses, in every
locale. Machine faces (CSV, APIs, e-invoices) do not use them: they write plain decimals with an ASCII `-`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from portal.foundations.dates import local_date, zone
from portal.foundations.i18n import current_locale

MINUS = "\u2212"  # the minus sign of every displayed negative figure


def signed(value: Decimal, text_of_magnitude) -> str:
    """A figure as `text_of_magnitude(abs(value))`, with the minus sign U+2212 in front when it is negative (and not
    shown as zero: `-0.001` euros is `€0.00`, not `−€0.00`)."""
    if value < 0:
        text = text_of_magnitude(-value)
        return MINUS + text if any(digit in text for digit in "123456789") else text
    return text_of_magnitude(value)


def money(value, currency: str, locale: str | None = None) -> str:
    """`1234.5, "EUR"` → `€1,234.50` (the currency's own number of decimals); `-1.5` → `−€1.50`."""
    if value is None:
        return ""
    locale = locale or current_locale()
    return signed(Decimal(value), lambda magnitude: format_currency(magnitude, currency, locale=locale))


def number(value, locale: str | None = None, digits: int | None = None) -> str:
    if value is None:
        return ""
    fmt = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    locale = locale or current_locale()
    return signed(Decimal(value), lambda magnitude: format_decimal(magnitude, format=fmt, locale=locale))


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
