"""Row ids given by people and machines: the one check that a value can name a row of an integer primary key."""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1  # integer primary keys: larger values cannot name a row (PostgreSQL would refuse them)


def row_id(value) -> int | None:
    """A primary key given as text or number, or None when it cannot name a row."""
    if isinstance(value, bool):
        return None
    try:
        pk = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_ROW_ID else None
