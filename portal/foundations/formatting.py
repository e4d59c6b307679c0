"""Formatting money, dates and durations for people (Babel); the app registers them as Jinja filters.

Every function takes a `locale` (a Babel Locale, or a code); without one it formats in the locale of the
request (portal.foundations.i18n.current_locale), which is parsed once per request, not once per figure.
Two things Babel would redo for every figure are done once per process instead: the currency's symbol
written into the locale's currency pattern (`currency_text`), and the text of a calendar day (`day_text`:
the days an invoice list shows are few, so they are formatted once each).

One minus sign: these are the display faces' formats (web pages, PDF, e-mail), and a negative amount or number
starts with the typographic minus sign U+2212 (`−€1.50`, `−1,50 €`), never a hyphen or parentheses, in every
locale. Machine faces (CSV, APIs, e-invoices) do not use them: they write plain decimals with an ASCII `-`.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, format_currency, format_decimal, format_percent, get_currency_symbol

from portal.foundations.dates import local_date, zone
from portal.foundations.i18n import current_locale
from portal.foundations.money import round_currency

MINUS = "\u2212"  # the minus sign of every displayed negative figure
DAY_TEXTS = 4096  # calendar days kept as text (per format and locale): years of invoice dates


def signed(value: Decimal, text_of_magnitude) -> str:
    """A figure as `text_of_magnitude(abs(value))`, with the minus sign U+2212 in front when it is negative (and not
    shown as zero: `-0.001` euros is `€0.00`, not `−€0.00`)."""
    if value.is_signed():  # negative, or a negative amount rounded to -0.00
        text = text_of_magnitude(-value)
        return MINUS + text if any(digit in text for digit in "123456789") else text
    return text_of_magnitude(value)


def money(value, currency: str, locale: str | None = None) -> str:
    """`1234.5, "EUR"` → `€1,234.50` (the currency's own number of decimals); `-1.5` → `−€1.50`.

    The figure is rounded as the documents' sums round (portal.foundations.money.round_currency, half up):
    Babel alone would round half to even, so a row of 0.125 would read €0.12 beside a total that counted
    it as 0.13."""
    if value is None:
        return ""
    locale = locale or current_locale()
    return signed(round_currency(value, currency), lambda magnitude: currency_text(magnitude, currency, locale))


def currency_text(value: Decimal, currency: str, locale: Locale | str) -> str:
    """What Babel's `format_currency(value, currency, locale=locale)` gives, in the locale's standard pattern."""
    locale = Locale.parse(locale)  # a Locale is returned as it is
    pattern = _currency_pattern(locale, currency)
    if pattern is None:
        return format_currency(value, currency, locale=locale)
    return pattern.apply(value, locale, currency=currency)


@cache
def _currency_pattern(locale: Locale, currency: str) -> NumberPattern | None:
    """The locale's standard currency pattern with the currency's code and symbol already written in.

    Babel writes them into every figure it formats, and works out the currency's plural name for a `¤¤¤`
    placeholder each time even when the pattern has none (half the cost of a figure); with them written
    in, the pattern gives the same text. A pattern that names the currency keeps Babel's way (None).
    """
    standard = locale.currency_formats["standard"]
    if "¤¤¤" in standard.pattern:
        return None
    symbol = get_currency_symbol(currency, locale)
    pattern = copy.copy(standard)
    pattern.prefix = tuple(part.replace("¤¤", currency.upper()).replace("¤", symbol) for part in standard.prefix)
    pattern.suffix = tuple(part.replace("¤¤", currency.upper()).replace("¤", symbol) for part in standard.suffix)
    return pattern


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
    return day_text(value, fmt, locale or current_locale())


@lru_cache(maxsize=DAY_TEXTS)
def day_text(day: dt.date, fmt: str, locale: Locale | str) -> str:
    """A calendar day as text (Babel's format_date), formatted once per day, format and locale."""
    return format_date(day, format=fmt, locale=locale)


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
    return day_text(local_date(value, tz), fmt, locale or current_locale())


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
