"""Row ids given by people and machines: the one check that a value can name a row of an integer primary key.

Every face reads ids through `row_id`, and every document that declares an id's text form uses
`ROW_ID_PATTERN`, which accepts exactly the text `row_id` accepts.
"""

from __future__ import annotations

import re

MAX_ROW_ID = 2**31 - 1  # integer primary keys: larger values cannot name a row (PostgreSQL would refuse them)


def _at_most(limit: int) -> str:
    """A regular expression (no anchors) for the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for i, digit in enumerate(digits):
        if i == len(digits) - 1:
            same_length.append(digits[:i] + f"[{0 if i else 1}-{digit}]")
            break
        low = 0 if i else 1
        if int(digit) > low:
            same_length.append(digits[:i] + f"[{low}-{int(digit) - 1}]" + (f"[0-9]{{{len(digits) - i - 1}}}"))
    return "(?:" + "|".join(p for p in [shorter, *same_length] if p) + ")"


# The text of a row id: ASCII digits, leading zeros allowed, naming 1..MAX_ROW_ID.
ROW_ID_PATTERN = "0*" + _at_most(MAX_ROW_ID)
_ROW_ID_TEXT = re.compile(ROW_ID_PATTERN)


def row_id(value) -> int | None:
    """A primary key given as an integer or as text of ASCII digits, or None when it cannot name a row.

    Text is taken as it is (no sign, space, underscore or non-ASCII digit); callers that allow
    surrounding space strip it first. True and False are not ids.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ROW_ID else None
    if isinstance(value, str) and _ROW_ID_TEXT.fullmatch(value):
        return int(value)
    return None
