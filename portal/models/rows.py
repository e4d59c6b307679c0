"""One row by a primary key given as any input: a URL part, a form field, a command-line argument."""

from __future__ import annotations

from portal.extensions import db


def row_by_key(model, pk):
    """The row of `model` whose primary key is `pk` read as an integer, or None: no such row, or `pk` is no
    integer at all (None, a word)."""
    try:
        return db.session.get(model, int(pk))
    except (TypeError, ValueError):
        return None
