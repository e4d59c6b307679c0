"""Choices of WTForms select, multi-select and radio fields, built from (value, label) pairs."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """The (value, label) pairs as SelectChoice options (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
