"""Short texts with figures ("100 calls · 90.0 min") that are translated, and their figures formatted, where they
are shown: lazy texts (Flask-Babel's LazyString), so one built once reads in the language of each page, PDF or
e-mail that shows it (portal.foundations.i18n.in_language)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import LazyString, lazy_gettext, lazy_ngettext

from portal.foundations.formatting import minutes, money, number


def lazy_counted(singular: str, plural: str, count: int, **values) -> LazyString:
    """The singular or plural text by `count`, which it shows as `%(count)s` formatted in the locale. An extraction
    keyword of `make translations` (like ngettext: singular and plural are messages)."""
    return lazy_ngettext(singular, plural, count, count=LazyString(number, count, None, 0), **values)


def calls_and_minutes(calls: int, seconds: int) -> LazyString:
    """`100 calls · 90.0 min`, `100 Anrufe · 90,0 Min.`"""
    minutes_text = LazyString(minutes, seconds)
    return lazy_counted(
        "%(count)s call · %(minutes)s min", "%(count)s calls · %(minutes)s min", calls, minutes=minutes_text
    )


def items(count: int) -> LazyString:
    return lazy_counted("%(count)s item", "%(count)s items", count)


def free_minutes_used(free_seconds: int, used_seconds: int) -> LazyString:
    """`100 free minutes: 40.0 used, 60.0 left` (whole minutes of allowance, used and left to one decimal)."""
    used, left = LazyString(minutes, used_seconds), LazyString(minutes, max(free_seconds - used_seconds, 0))
    return lazy_counted(
        "%(count)s free minute: %(used)s used, %(left)s left",
        "%(count)s free minutes: %(used)s used, %(left)s left",
        free_seconds // 60,
        used=used,
        left=left,
    )


def percent_off(percent: Decimal, base: Decimal, currency: str) -> LazyString:
    """`10 % off €12.50 of calls`."""
    return lazy_gettext(
        "%(percent)s %% off %(base)s of calls",
        percent=LazyString(number, percent.normalize()),
        base=LazyString(money, base, currency),
    )
