"""The files an invoice e-mail carries: the PDF (stored, or rendered in another bill style), usage and CDR CSVs."""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import select

from portal.delivery.usage_reports import usage_report_csv
from portal.documents.context import invoice_pdf_context
from portal.documents.csv import invoice_has_cdrs, iter_invoice_cdrs_csv
from portal.documents.einvoices import einvoice_for
from portal.documents.pdf import DEFAULT_TEMPLATE, render_invoice_pdf
from portal.documents.service import facturx_xml, get_pdf_document, pdf_filename, render_invoice_document
from portal.einvoice.cii import cii_xml
from portal.einvoice.model import InvalidEInvoice
from portal.einvoice.ubl import ubl_xml
from portal.extensions import db
from portal.foundations.errors import InvalidState
from portal.models import Invoice, InvoiceDocument, UsageReportProfile

File = tuple[str, str, bytes]


def stored_document(invoice: Invoice, kind: str) -> InvoiceDocument | None:
    return db.session.scalars(
        select(InvoiceDocument).where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == kind)
    ).first()


def pdf_for_mail(invoice: Invoice, bill_style: str | None, *, actor) -> File:
    """The stored PDF (rendered and stored first if missing); another bill style is rendered for this mail only.

    Raises InvalidState when the PDF cannot be rendered (the reason is in `invoice.pdf_error`).
    """
    if bill_style is None or bill_style == invoice.bill_style or invoice.is_credit_note:
        document = get_pdf_document(invoice) or render_invoice_document(invoice, actor=actor)
        if document is None:
            raise InvalidState(f"The invoice PDF could not be rendered: {invoice.pdf_error}")
        return document.filename, document.content_type, document.data

    template = current_app.config.get("PDF_TEMPLATE") or DEFAULT_TEMPLATE
    try:
        styled = _Styled(invoice, bill_style)
        data = render_invoice_pdf(invoice_pdf_context(styled), template, cii_xml=facturx_xml(invoice))
    except Exception as exc:
        raise InvalidState(f"The invoice PDF in bill style {bill_style} could not be rendered: {exc}") from exc
    return pdf_filename(invoice), "application/pdf", data


class _Styled:
    """The invoice seen with another bill style, without changing the stored invoice."""

    def __init__(self, invoice: Invoice, bill_style: str):
        self._invoice, self.bill_style = invoice, bill_style

    def __getattr__(self, name):
        return getattr(self._invoice, name)


def ubl_file(invoice: Invoice) -> File:
    """The invoice's (or credit note's) Peppol BIS Billing 3.0 UBL 2.1 XML, named after its number.

    Raises InvalidState (with every reason) when the invoice is not raised or its data cannot
    make a valid EN 16931 document.
    """
    try:
        data = ubl_xml(einvoice_for(invoice))
    except InvalidEInvoice as exc:
        raise InvalidState(f"No e-invoice can be made of this invoice: {exc}") from None
    return pdf_filename(invoice).removesuffix(".pdf") + ".xml", "application/xml", data


def cii_file(invoice: Invoice) -> File:
    """The invoice's Factur-X CII XML (the one its PDF carries) as a file of its own, `factur-x.xml`.

    Raises InvalidState like `ubl_file`.
    """
    try:
        data = cii_xml(einvoice_for(invoice))
    except InvalidEInvoice as exc:
        raise InvalidState(f"No e-invoice can be made of this invoice: {exc}") from None
    return "factur-x.xml", "application/xml", data


def delivery_format_files(invoice: Invoice) -> list[File]:
    """The XML the customer's delivery format adds to the invoice e-mail: none (PDF), the CII (Factur-X), the UBL."""
    delivery_format = invoice.customer.delivery_format or "pdf"
    if delivery_format == "facturx":
        return [cii_file(invoice)]
    if delivery_format == "ubl":
        return [ubl_file(invoice)]
    return []


def usage_report_file(invoice: Invoice, profile: UsageReportProfile) -> File:
    filename, data = usage_report_csv(invoice, profile)
    return filename, "text/csv", data


def cdrs_file(invoice: Invoice) -> File | None:
    """The invoice's CDR CSV, stored as its `cdrs` document (created or replaced); None when it has no CDRs.

    The rows are read by the same stream the portal download sends (its own session, in
    batches, spreadsheet-safe cells), so the stored file and the download are the same text.
    """
    if not invoice_has_cdrs(invoice):
        return None
    data = b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in iter_invoice_cdrs_csv(invoice))
    filename = f"cdrs-{invoice.invoice_number or invoice.id}.csv"
    document = stored_document(invoice, "cdrs") or InvoiceDocument(invoice_id=invoice.id, kind="cdrs")
    document.filename, document.content_type, document.data = filename, "text/csv", data
    document.size, document.sha256 = len(data), hashlib.sha256(data).hexdigest()
    db.session.add(document)
    db.session.flush()
    return filename, "text/csv", data
