"""The files an invoice e-mail carries: the PDF (stored, or rendered in another bill style), usage and CDR CSVs."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from portal.delivery.usage_reports import usage_report_csv
from portal.extensions import db
from portal.models import Invoice, InvoiceDocument, UsageReportProfile

File = tuple[str, str, bytes]


def stored_document(invoice: Invoice, kind: str) -> InvoiceDocument | None:
    return db.session.scalars(
        select(InvoiceDocument).where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == kind)
    ).first()


def pdf_for_mail(invoice: Invoice, bill_style: str | None) -> File:
    """The stored PDF; when `bill_style` differs from the stored one, that style rendered for this mail only."""
    from portal.documents.service import get_pdf_document, render_invoice_document

    document = stored_document(invoice, "pdf")
    if bill_style is None or (document is not None and (document.bill_style or invoice.bill_style) == bill_style):
        document = document or get_pdf_document(invoice)
        return document.filename, document.content_type, document.data
    rendered = render_invoice_document(invoice, bill_style=bill_style)
    data = getattr(rendered, "data", rendered)
    filename = getattr(rendered, "filename", None) or f"invoice-{invoice.invoice_number or invoice.id}.pdf"
    return filename, "application/pdf", data


def usage_report_file(invoice: Invoice, profile: UsageReportProfile) -> File:
    filename, data = usage_report_csv(invoice, profile)
    return filename, "text/csv", data


def cdrs_file(invoice: Invoice) -> File | None:
    """The invoice's CDR CSV, stored as its `cdrs` document (created or replaced); None when it has no CDRs."""
    from portal.documents.csv import invoice_has_cdrs, iter_invoice_cdrs_csv

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
