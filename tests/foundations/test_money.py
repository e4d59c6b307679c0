"""The currency rounding rule every face uses (lists, APIs, statements, PDFs)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal.foundations.money import round_currency

PLACES = {"EUR": 2, "USD": 2, "JPY": 0, "KWD": 3, "NOT-A-CODE": 2}


def reference(value, currency: str) -> Decimal:
    """Half up to the currency's minor unit, the value taken as Decimal(value)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-PLACES[currency]), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("currency", sorted(PLACES))
@pytest.mark.parametrize(
    "value",
    [
        Decimal("0"),
        Decimal("-0"),
        Decimal("0.000000"),
        Decimal("12.345000"),
        Decimal("-12.345000"),
        Decimal("12.344999"),
        Decimal("0.5"),
        Decimal("-0.5"),
        Decimal("1.0005"),
        Decimal("123456789012.999999"),
        7,
        -3,
        "2.675",
        2.675,  # a float is taken exactly (2.67499999…), as Decimal(float) does
    ],
)
def test_round_currency_is_half_up_to_the_minor_unit(value, currency):
    rounded = round_currency(value, currency)
    assert type(rounded) is Decimal
    assert str(rounded) == str(reference(value, currency))


def test_the_minor_unit_sets_the_places_shown():
    assert str(round_currency(Decimal("1"), "EUR")) == "1.00"
    assert str(round_currency(Decimal("1.5"), "JPY")) == "2"
    assert str(round_currency(Decimal("1.0005"), "KWD")) == "1.001"
