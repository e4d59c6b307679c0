"""One id parser: `row_id` and the pattern the API documents accept exactly the same text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.foundations.ids import MAX_ROW_ID, ROW_ID_PATTERN, row_id

PORTAL = Path(__file__).resolve().parents[2] / "portal"

SAMPLES = [
    ("1", 1),
    ("42", 42),
    ("007", 7),
    ("999999999", 999_999_999),
    ("1000000000", 1_000_000_000),
    ("2147483646", MAX_ROW_ID - 1),
    ("2147483647", MAX_ROW_ID),
    ("0002147483647", MAX_ROW_ID),
    ("2147483648", None),
    ("2147483650", None),
    ("9999999999", None),
    ("0", None),
    ("000", None),
    ("", None),
    ("-1", None),
    ("+5", None),
    ("1_000", None),
    (" 5", None),
    ("5 ", None),
    ("1.0", None),
    ("1e3", None),
    ("²", None),  # a digit to str.isdigit(), and int() refuses it
    ("٣", None),  # an Arabic-Indic digit: int() reads it as 3
    ("0x10", None),
]


@pytest.mark.parametrize("text, expected", SAMPLES)
def test_the_documented_pattern_accepts_exactly_what_the_parser_accepts(text, expected):
    assert row_id(text) == expected
    assert bool(re.fullmatch(f"^{ROW_ID_PATTERN}$", text)) == (expected is not None)


@pytest.mark.parametrize(
    "value, expected",
    [(5, 5), (MAX_ROW_ID, MAX_ROW_ID), (0, None), (-3, None), (2**40, None), (True, None), (5.0, None)],
)
def test_numbers_name_a_row_only_within_the_id_column(value, expected):
    assert row_id(value) == expected


def test_no_module_spells_its_own_id_pattern():
    spelled = [
        f"{path.relative_to(PORTAL)}:{number}"
        for path in PORTAL.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "[0-9]{1,9}" in line
    ]
    assert spelled == []
