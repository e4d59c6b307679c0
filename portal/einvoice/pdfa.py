"""Factur-X PDFs with WeasyPrint: PDF/A-3b with the CII XML as the associated file factur-x.xml and the Factur-X XMP.

WeasyPrint writes the PDF/A-3b itself (fonts, sRGB output intent, /AF with the attachment's
/AFRelationship, the embedded file's MIME subtype and dates). The one thing it cannot do is
put the Factur-X properties into its own XMP packet: its `xmp_metadata` option appends a second
rdf:RDF after its own, and XMP readers (veraPDF's, pypdf's) read only the first. So a finisher,
WeasyPrint's documented hook that runs before the PDF is written, adds the Factur-X
descriptions into the one rdf:RDF of the packet.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone

from lxml import etree  # nosec B410 - parses only the XMP packet WeasyPrint has just made
from lxml.builder import ElementMaker  # nosec B410 - builds XML, parses nothing
from weasyprint import HTML, Attachment, Document

FACTURX_FILENAME = "factur-x.xml"
NS_FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
NS_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
NS_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
#: AFRelationship values Factur-X allows for the EN 16931 profile (Data is the only one for MINIMUM and BASIC WL).
RELATIONSHIPS = ("Alternative", "Data", "Source")

_NSMAP = {
    "rdf": NS_RDF,
    "fx": NS_FX,
    "pdfaExtension": NS_PDFA_EXTENSION,
    "pdfaSchema": NS_PDFA_SCHEMA,
    "pdfaProperty": NS_PDFA_PROPERTY,
}
RDF = ElementMaker(namespace=NS_RDF, nsmap=_NSMAP)
FX = ElementMaker(namespace=NS_FX, nsmap=_NSMAP)
EXT = ElementMaker(namespace=NS_PDFA_EXTENSION, nsmap=_NSMAP)
SCHEMA = ElementMaker(namespace=NS_PDFA_SCHEMA, nsmap=_NSMAP)
PROPERTY = ElementMaker(namespace=NS_PDFA_PROPERTY, nsmap=_NSMAP)
_RESOURCE = {f"{{{NS_RDF}}}parseType": "Resource"}
_ABOUT = {f"{{{NS_RDF}}}about": ""}

#: The fx properties and their descriptions, declared in the PDF/A extension schema as PDF/A requires.
FX_PROPERTIES = {
    "DocumentFileName": "The name of the embedded XML document",
    "DocumentType": "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
    "Version": "The actual version of the standard applying to the embedded XML document",
    "ConformanceLevel": "The conformance level of the embedded XML document",
}


def facturx_rdf_descriptions(conformance_level: str) -> list[etree._Element]:
    """The two rdf:Description elements Factur-X adds to the XMP: the extension schema and the fx values."""
    properties = [
        RDF.li(
            PROPERTY.name(name),
            PROPERTY.valueType("Text"),
            PROPERTY.category("external"),
            PROPERTY.description(description),
            _RESOURCE,
        )
        for name, description in FX_PROPERTIES.items()
    ]
    extension = RDF.Description(
        EXT.schemas(
            RDF.Bag(
                RDF.li(
                    SCHEMA.schema("Factur-X PDFA Extension Schema"),
                    SCHEMA.namespaceURI(NS_FX),
                    SCHEMA.prefix("fx"),
                    SCHEMA.property(RDF.Seq(*properties)),
                    _RESOURCE,
                )
            )
        ),
        _ABOUT,
    )
    values = RDF.Description(
        FX.DocumentType("INVOICE"),  # credit notes too: Factur-X has one document type for both
        FX.DocumentFileName(FACTURX_FILENAME),
        FX.Version("1.0"),
        FX.ConformanceLevel(conformance_level),
        _ABOUT,
    )
    return [extension, values]


def add_to_xmp_packet(packet: bytes, descriptions: list[etree._Element]) -> bytes:
    """The XMP packet with `descriptions` appended inside its rdf:RDF (processing instructions kept).

    Raises:
        ValueError: the packet has no rdf:RDF element.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(packet, parser)  # nosec B320 - the packet comes from WeasyPrint in this process
    rdf = root if root.tag == f"{{{NS_RDF}}}RDF" else root.find(f"{{{NS_RDF}}}RDF")
    if rdf is None:
        raise ValueError("the XMP packet has no rdf:RDF element")
    rdf.extend(descriptions)
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=False)


def _facturx_finisher(conformance_level: str):
    def finisher(document, pdf) -> None:
        number = int(pdf.catalog["Metadata"].split()[0])  # a reference, "N 0 R"
        stream = pdf.objects[number]
        packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
        stream.stream = [add_to_xmp_packet(packet, facturx_rdf_descriptions(conformance_level))]
        # WeasyPrint (70) lists each attachment twice in the catalog's /AF (once from the names
        # tree, once from the file specifications); one entry per file is what PDF/A-3 means.
        if "AF" in pdf.catalog:
            unique = list(dict.fromkeys(pdf.catalog["AF"]))
            pdf.catalog["AF"].clear()
            pdf.catalog["AF"].extend(unique)

    return finisher


def facturx_attachment(
    cii_xml: bytes, *, relationship: str = "Alternative", timestamp: datetime | None = None
) -> Attachment:
    """The WeasyPrint Attachment for factur-x.xml.

    A data: URL gives the embedded file the MIME subtype text/xml, which Factur-X requires,
    whatever the platform's MIME table says about .xml.
    """
    if relationship not in RELATIONSHIPS:
        raise ValueError(f"AFRelationship must be one of {', '.join(RELATIONSHIPS)}")
    when = timestamp or datetime.now(timezone.utc)
    url = "data:text/xml;base64," + base64.b64encode(cii_xml).decode("ascii")
    return Attachment(
        url=url,
        name=FACTURX_FILENAME,
        description="Factur-X invoice (EN 16931)",
        relationship=relationship,
        created=when,
        modified=when,
    )


def render_facturx_pdf(
    html: HTML | Document,
    cii_xml: bytes,
    *,
    conformance_level: str = "EN 16931",
    relationship: str = "Alternative",
    timestamp: datetime | None = None,
    **write_pdf_options,
) -> bytes:
    """A Factur-X PDF: the HTML rendered as PDF/A-3b with `cii_xml` embedded as factur-x.xml.

    Args:
        html: the weasyprint.HTML of the invoice (or a rendered weasyprint.Document).
        cii_xml: the CII XML, e.g. from `portal.einvoice.cii.cii_xml`.
        conformance_level: fx:ConformanceLevel in the XMP; "EN 16931" for `cii_xml`'s profile.
        relationship: the attachment's /AFRelationship: Alternative (the XML is the invoice,
            as German recipients expect), Data or Source.
        timestamp: the attachment's creation and modification time (default: now).
        **write_pdf_options: passed to write_pdf (font_config, attachments, …); pdf_variant and
            finisher are set here.

    Returns:
        The PDF bytes.

    Raises:
        ValueError: cii_xml is not a CII document, or the relationship is not allowed.
    """
    if b"CrossIndustryInvoice" not in cii_xml[:2000]:
        raise ValueError("cii_xml is not a Cross Industry Invoice document")
    options = dict(write_pdf_options)
    attachments = [
        *(options.pop("attachments", None) or []),
        facturx_attachment(cii_xml, relationship=relationship, timestamp=timestamp),
    ]
    return html.write_pdf(
        pdf_variant="pdf/a-3b", attachments=attachments, finisher=_facturx_finisher(conformance_level), **options
    )
