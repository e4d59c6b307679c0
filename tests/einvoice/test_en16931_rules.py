"""The official EN 16931 validation rules (CEN schematron as XSLT, run with saxonche) find no fatal failure.

Optional: set PORTAL_EN16931_CII_XSLT and/or PORTAL_EN16931_UBL_XSLT to the compiled rule files
(EN16931-CII-validation.xslt, EN16931-UBL-validation.xslt) and install saxonche
(`pip install -e '.[einvoice-rules]'`); docs/einvoices.md says where to get them.
Without them these tests are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.einvoice.cii import cii_xml
from portal.einvoice.ubl import ubl_xml
from tests.einvoice.samples import SCENARIOS, in_currency
from tests.einvoice.validation import PySaxonProcessor, rule_failures

RULES = {
    "cii": (os.environ.get("PORTAL_EN16931_CII_XSLT"), cii_xml),
    "ubl": (os.environ.get("PORTAL_EN16931_UBL_XSLT"), ubl_xml),
}


@pytest.mark.parametrize("syntax", sorted(RULES))
def test_no_fatal_en16931_rule_fails_on_any_sample(syntax):
    xslt, writer = RULES[syntax]
    if not xslt:
        pytest.skip(f"PORTAL_EN16931_{syntax.upper()}_XSLT is not set")
    if PySaxonProcessor is None:
        pytest.skip("saxonche is not installed (pip install -e '.[einvoice-rules]')")
    fatal = {}
    for case in sorted(SCENARIOS):
        for currency in ("EUR", "USD", "GBP"):
            failures = rule_failures(Path(xslt), writer(in_currency(SCENARIOS[case](), currency)))
            if found := [f for f in failures if f.flag == "fatal"]:
                fatal[f"{case} {currency}"] = found
    assert fatal == {}
