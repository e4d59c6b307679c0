"""Short texts with figures ("100 calls · 90.0 min") that are translated, and their figures formatted, where they
are shown: lazy texts (Flask-Babel's LazyString), so one built once reads in the language of each page, PDF or
e-mail that shows it (portal.foundations.i18n.in_language)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import LazyString, lazy_gettext, lazy_ngettext

from portal.foundations.formatting import minutes, money, number


def _count(value: int) -> LazyString:
    return LazyString(number, value, None, 0)


def calls_and_minutes(calls: int, seconds: int) -> LazyString:
    """`100 calls · 90.0 min`, `100 Anrufe · 90,0 Min.`"""
    return lazy_ngettext(
        "%(count)s call · %(minutes)s min",
        "%(count)s calls · %(minutes)s min",
        calls,
        count=_count(calls),
        minutes=LazyString(minutes, seconds),
    )


def items(count: int) -> LazyString:
    return lazy_ngettext("%(count)s item", "%(count)s items", count, count=_count(count))


def free_minutes_used(free_seconds: int, used_seconds: int) -> LazyString:
    """`100 free minutes: 40.0 used, 60.0 left` (whole minutes of allowance, used and left to one decimal)."""
    allowance = free_seconds // 60
    return lazy_ngettext(
        "%(count)s free minute: %(used)s used, %(left)s left",
        "%(count)s free minutes: %(used)s used, %(left)s left",
        allowance,
        count=_count(allowance),
        used=LazyString(minutes, used_seconds),
        left=LazyString(minutes, max(free_seconds - used_seconds, 0)),
    )


def percent_off(percent: Decimal, base: Decimal, currency: str) -> LazyString:
    """`10 % off €12.50 of calls`."""
    return lazy_gettext(
        "%(percent)s %% off %(base)s of calls",
        percent=LazyString(number, percent.normalize()),
        base=LazyString(money, base, currency),
    )
