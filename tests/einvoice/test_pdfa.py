"""Factur-X PDFs: PDF/A-3b with the CII as factur-x.xml (an associated file) and the Factur-X XMP, read back
with pypdf."""

from __future__ import annotations

import io

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader
from weasyprint import HTML

from portal.documents.pdf import StaticFilesOnly
from portal.einvoice.cii import cii_xml
from portal.einvoice.pdfa import NS_FX, render_facturx_pdf
from tests.einvoice.samples import SCENARIOS

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "fx": NS_FX,
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
PAGE = "<html lang=en><title>Invoice INV-2026-0001</title><body><h1>Invoice INV-2026-0001</h1><p>Total £79.03</p>"


@pytest.fixture(scope="module")
def xml() -> bytes:
    return cii_xml(SCENARIOS["plain"]())


@pytest.fixture(scope="module")
def pdf(xml) -> bytes:
    return render_facturx_pdf(HTML(string=PAGE), xml)


def xmp(reader: PdfReader) -> etree._Element:
    return etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def test_the_cii_is_embedded_byte_for_byte_as_factur_x_xml(pdf, xml):
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == ["factur-x.xml"]
    assert reader.attachments["factur-x.xml"] == [xml]
    assert facturx.get_facturx_xml_from_pdf(pdf)[1] == xml  # the factur-x library finds it too


def test_the_attachment_is_an_associated_file_of_type_text_xml(pdf):
    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    [filespec] = [entry.get_object() for entry in catalog["/AF"]]
    assert filespec["/F"] == filespec["/UF"] == "factur-x.xml"
    assert filespec["/AFRelationship"] == "/Alternative"
    embedded = filespec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/text/xml"
    assert "/ModDate" in embedded["/Params"]


def test_the_xmp_declares_pdf_a_3b_and_factur_x_en16931_in_one_rdf(pdf):
    root = xmp(PdfReader(io.BytesIO(pdf)))
    [rdf] = root.findall("rdf:RDF", NS)
    identification = rdf.xpath("rdf:Description[@pdfaid:part]", namespaces=NS)[0]
    assert identification.get(f"{{{NS['pdfaid']}}}part") == "3"
    assert identification.get(f"{{{NS['pdfaid']}}}conformance") == "B"
    assert rdf.xpath("rdf:Description/fx:ConformanceLevel/text()", namespaces=NS) == ["EN 16931"]
    assert rdf.xpath("rdf:Description/fx:DocumentFileName/text()", namespaces=NS) == ["factur-x.xml"]
    assert rdf.xpath("rdf:Description/fx:DocumentType/text()", namespaces=NS) == ["INVOICE"]
    assert rdf.xpath("rdf:Description/fx:Version/text()", namespaces=NS) == ["1.0"]
    # PDF/A requires every property outside the predefined schemas to be declared in an extension schema
    assert rdf.xpath("//pdfaSchema:namespaceURI/text()", namespaces=NS) == [NS_FX]
    assert sorted(rdf.xpath("//pdfaProperty:name/text()", namespaces=NS)) == [
        "ConformanceLevel",
        "DocumentFileName",
        "DocumentType",
        "Version",
    ]


def test_the_relationship_can_be_data(xml):
    pdf = render_facturx_pdf(HTML(string=PAGE), xml, relationship="Data")
    [filespec] = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/AF"]
    assert filespec.get_object()["/AFRelationship"] == "/Data"


def test_wrong_input_is_refused_before_rendering(xml):
    with pytest.raises(ValueError, match="AFRelationship"):
        render_facturx_pdf(HTML(string=PAGE), xml, relationship="Unspecified")
    with pytest.raises(ValueError, match="Cross Industry Invoice"):
        render_facturx_pdf(HTML(string=PAGE), b"<Invoice/>")


def test_the_documents_fetcher_that_refuses_data_urls_does_not_stop_the_attachment(xml, tmp_path):
    html = HTML(string=PAGE, base_url=tmp_path.as_uri() + "/", url_fetcher=StaticFilesOnly(tmp_path))
    pdf = render_facturx_pdf(html, xml)
    assert PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"] == [xml]
