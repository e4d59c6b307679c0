"""Parsers of CSV cell values, one cell at a time (with a reason a person can act on) or a whole column at once.

The column parsers are the fast path for good files: they convert a chunk's column in one
pass and raise ColumnError at the first problem; the importer then re-reads that chunk cell
by cell to name every bad row and its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from operator import attrgetter, methodcaller

UTC = dt.timezone.utc
BOOLEANS = {
    "true": True,
    "t": True,
    "1": True,
    "yes": True,
    "y": True,
    "false": False,
    "f": False,
    "0": False,
    "no": False,
    "n": False,
}
MAX_DECIMAL_PLACES = 6
MAX_INTEGER_DIGITS = 14  # NUMERIC(20, 6)
MAX_COUNT = 2_147_483_647
MAX_ID = 9_223_372_036_854_775_807
_UNSIGNED = re.compile(r"\+?(?:\d{1,14}(?:\.\d{0,6})?|\.\d{1,6})", re.ASCII)
_SIGNED = re.compile(r"[+-]?(?:\d{1,14}(?:\.\d{0,6})?|\.\d{1,6})", re.ASCII)
_NUMBER_LIKE = re.compile(r"[+-]?\d*\.?\d*", re.ASCII)
_TZINFO = attrgetter("tzinfo")
_TO_UTC = methodcaller("astimezone", UTC)


class CellError(ValueError):
    """One cell is bad; the message completes "<column> …"."""


class ColumnError(ValueError):
    """Some cell of a column is bad (which one is found cell by cell)."""


# Cell by cell ---------------------------------------------------------------------------------


def parse_timestamp(text: str) -> dt.datetime:
    """ISO 8601 with a UTC offset or Z, e.g. 2026-05-09T12:00:00Z or 2026-05-09 14:00:00+02:00."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CellError(f"is not an ISO 8601 timestamp: {text!r}") from None
    if moment.tzinfo is None:
        raise CellError(f"has no UTC offset (add Z or +hh:mm): {text!r}")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 lies before the first representable UTC moment
        raise CellError(f"is out of range: {text!r}") from None


def parse_count(text: str) -> int:
    """A non-negative whole number (seconds)."""
    if not text.lstrip("+-").isdigit() or not text.isascii():
        raise CellError(f"is not a whole number: {text!r}")
    value = int(text)
    if value < 0:
        raise CellError(f"must not be negative: {text}")
    if value > MAX_COUNT:
        raise CellError(f"is too large: {text}")
    return value


def parse_id(text: str) -> int:
    if not text.isdigit() or not text.isascii() or not 0 < int(text) <= MAX_ID:
        raise CellError(f"is not an id: {text!r}")
    return int(text)


def parse_decimal(text: str, *, negative: bool = False) -> Decimal:
    """A decimal number with at most 6 decimal places (no exponent, no thousands separator)."""
    if (_SIGNED if negative else _UNSIGNED).fullmatch(text):
        return Decimal(text)
    if not _NUMBER_LIKE.fullmatch(text) or text.strip("+-.") == "":
        raise CellError(f"is not a decimal number: {text!r}")
    if text.startswith("-") and not negative:
        raise CellError(f"must not be negative: {text}")
    if len(text.partition(".")[2]) > MAX_DECIMAL_PLACES:
        raise CellError(f"has more than {MAX_DECIMAL_PLACES} decimal places: {text}")
    raise CellError(f"is too large: {text}")


def parse_signed_decimal(text: str) -> Decimal:
    return parse_decimal(text, negative=True)


def parse_bool(text: str) -> bool:
    try:
        return BOOLEANS[text.lower()]
    except KeyError:
        raise CellError(f"is not a boolean (true/false, 1/0, yes/no): {text!r}") from None


def parse_digits(text: str, limit: int = 32) -> str:
    if not text.isdigit() or not text.isascii():
        raise CellError(f"must contain digits only: {text!r}")
    if len(text) > limit:
        raise CellError(f"is longer than {limit} digits")
    return text


def text_parser(limit: int):
    def parse_text(text: str) -> str:
        if len(text) > limit:
            raise CellError(f"is longer than {limit} characters")
        return text

    parse_text.limit = limit
    return parse_text


# Whole columns --------------------------------------------------------------------------------


def _all_digits(cells: list[str]) -> bool:
    # One C-level check over the whole column instead of one call per cell.
    joined = "".join(cells)
    return joined.isdigit() and joined.isascii()


def timestamps_column(cells: list[str]) -> list[dt.datetime]:
    try:
        moments = list(map(dt.datetime.fromisoformat, cells))
    except ValueError:
        raise ColumnError from None
    zones = set(map(_TZINFO, moments))
    if None in zones:
        raise ColumnError
    if zones == {UTC}:
        return moments
    try:
        return list(map(_TO_UTC, moments))
    except OverflowError:
        raise ColumnError from None


def counts_column(cells: list[str]) -> list[int]:
    if not _all_digits(cells):
        raise ColumnError
    values = list(map(int, cells))
    if values and max(values) > MAX_COUNT:
        raise ColumnError
    return values


def ids_column(cells: list[str]) -> list[int]:
    if not _all_digits(cells):
        raise ColumnError
    values = list(map(int, cells))
    if values and (min(values) <= 0 or max(values) > MAX_ID):
        raise ColumnError
    return values


def _decimals(pattern):
    match = pattern.fullmatch

    def decimals_column(cells: list[str]) -> list[Decimal]:
        if not all(map(match, cells)):
            raise ColumnError
        return list(map(Decimal, cells))

    return decimals_column


decimals_column = _decimals(_UNSIGNED)
signed_decimals_column = _decimals(_SIGNED)


def bools_column(cells: list[str]) -> list[bool]:
    try:
        return list(map(BOOLEANS.__getitem__, map(str.lower, cells)))
    except KeyError:
        raise ColumnError from None


def digits_column(cells: list[str], limit: int = 32) -> list[str]:
    if not _all_digits(cells) or (cells and max(map(len, cells)) > limit):
        raise ColumnError
    return cells


def texts_column(limit: int):
    def column(cells: list[str]) -> list[str]:
        if cells and max(map(len, cells)) > limit:
            raise ColumnError
        return cells

    return column
