"""Exact money arithmetic: Decimal everywhere, exact SQL sums on both databases, currency rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision
from sqlalchemy import func

MICRO = Decimal("0.000001")
ZERO = Decimal("0")


def money_sum(column, dialect_name: str):
    """SUM of a NUMERIC column that stays exact: SQLite stores NUMERIC as REAL, so it sums micro-units."""
    if dialect_name == "sqlite":
        return func.coalesce(func.sum(func.round(column * 1000000)), 0)
    return func.coalesce(func.sum(column), 0)


def money_value(raw, dialect_name: str) -> Decimal:
    """Turn what money_sum() returned into a Decimal with 6 decimal places."""
    if raw is None:
        return ZERO.quantize(MICRO)
    if dialect_name == "sqlite":
        return (Decimal(int(round(float(raw)))) / 1000000).quantize(MICRO)
    return Decimal(raw).quantize(MICRO)


def micro(value) -> Decimal:
    return Decimal(value).quantize(MICRO, rounding=ROUND_HALF_UP)


def round_currency(value: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD), half up.

    Called ~1,150 times for a backend API list of 50 invoices: a Decimal is not converted again, and
    the rounding mode is passed by position (a keyword argument costs twice the quantize)."""
    number = value if type(value) is Decimal else Decimal(value)
    return number.quantize(_minor_unit(currency), ROUND_HALF_UP)


@lru_cache(maxsize=512)
def _minor_unit(currency: str) -> Decimal:
    """The currency's minor unit (0.01 for EUR), looked up once per currency: a list of 50 invoices
    rounds ~1,000 amounts."""
    try:
        places = get_currency_precision(currency)
    except Exception:  # noqa: BLE001 - an unknown code (Babel raises more than one kind): two places
        places = 2
    return Decimal(1).scaleb(-places)
