"""Invoice documents: render and store the PDF, recreate it on demand, find it."""

from __future__ import annotations

import hashlib
import logging
import re
import time

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from portal.audit import record_event
from portal.documents.context import invoice_pdf_context
from portal.documents.credit_notes import CREDIT_NOTE_TEMPLATE, credit_note_pdf_context
from portal.documents.einvoices import einvoice_for
from portal.documents.pdf import DEFAULT_TEMPLATE, render_invoice_pdf
from portal.einvoice.cii import cii_xml
from portal.einvoice.model import InvalidEInvoice
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import InvalidState
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Invoice, InvoiceDocument, InvoiceState

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pdf_filename(invoice: Invoice) -> str:
    """`INV-2026-000001.pdf` from the invoice number; drafts are named after the reference."""
    base = invoice.invoice_number or f"DRAFT-{invoice.reference or invoice.id}"
    return (_UNSAFE.sub("-", base).strip("-.") or f"invoice-{invoice.id}") + ".pdf"


def stored_pdf(invoice_id) -> tuple:
    """The conditions on invoice_documents of an invoice's stored PDF (`invoice_id`: a value, or a column for a
    correlated EXISTS)."""
    return (InvoiceDocument.invoice_id == invoice_id, InvoiceDocument.kind == "pdf")


def get_pdf_document(invoice: Invoice) -> InvoiceDocument | None:
    """The stored PDF of the invoice, or None (its bytes load only when `data` is read)."""
    return db.session.scalars(select(InvoiceDocument).where(*stored_pdf(invoice.id))).first()


# Built once: no statement to build and no cache key to compute per download.
_DOCUMENTS = InvoiceDocument.__table__.c
_STORED_PDF = select(_DOCUMENTS.data).where(_DOCUMENTS.invoice_id == bindparam("invoice_id"), _DOCUMENTS.kind == "pdf")


def stored_pdf_bytes(invoice_id: int) -> bytes | None:
    """The bytes of the invoice's stored PDF, or None; one query that loads no Invoice or document object.

    Downloads are the hot path of stored PDFs (API clients pull them in bulk): reading the one
    column directly costs one round trip instead of three (invoice, document row, deferred bytes).
    """
    data = db.session.scalar(_STORED_PDF, {"invoice_id": invoice_id})
    return data or None


def render_invoice_document(invoice: Invoice, *, actor: Actor = SYSTEM) -> InvoiceDocument | None:
    """Render the invoice PDF and store it, replacing the previous one. Never raises for a render failure.

    On success `invoice.pdf_error` is cleared and the stored InvoiceDocument (kind "pdf",
    filename from the invoice number, sha256, bill style, render time) is returned. When the
    PDF cannot be made the failure is recorded at once (`record_pdf_failure`) and None is
    returned: approving or e-mailing must not fail because a PDF could not be made. The
    background job retries instead (`portal.documents.tasks.render_pdf_job`).

    Raises:
        SQLAlchemyError: the database refused storing the PDF (a lock held too long, a lost
            connection); the session's transaction must be rolled back and the render tried again.
    """
    try:
        return render_and_store_pdf(invoice, actor=actor)
    except SQLAlchemyError:
        raise
    except Exception as exc:  # noqa: BLE001 - any render failure is recorded on the invoice, by design
        record_pdf_failure(invoice, describe_failure(exc), actor=actor)
        return None


def draft_pdf_preview(invoice: Invoice, *, actor: Actor) -> tuple[str, bytes]:
    """The PDF of a Pending invoice as it stands, for an admin to look at before approving: (filename, bytes).

    Marked "Draft – not a valid invoice" on every page; never stored, so it can be neither
    e-mailed nor downloaded by the customer. Needs `invoice.approve` (who reviews is who approves).

    Raises:
        InvalidState: the invoice is not Pending (New invoices have no lines; approved ones have their PDF).
        PermissionDenied: the actor may not approve invoices.
    """
    require(actor, "invoice.approve")
    if invoice.state != InvoiceState.PENDING:
        raise InvalidState("Only pending invoices have a draft preview")
    template = current_app.config.get("PDF_TEMPLATE") or DEFAULT_TEMPLATE
    return pdf_filename(invoice), render_invoice_pdf(invoice_pdf_context(invoice), template)


def render_and_store_pdf(invoice: Invoice, *, actor: Actor = SYSTEM) -> InvoiceDocument:
    """Render the invoice PDF and store it (flushed, not committed); clears `invoice.pdf_error`.

    Raises whatever rendering or storing raised; nothing is recorded about the failure (see
    `record_pdf_failure`), so a caller that retries records only its last failure.
    """
    started = time.perf_counter()
    if invoice.is_credit_note:
        template, context = CREDIT_NOTE_TEMPLATE, credit_note_pdf_context(invoice)
    else:
        template = current_app.config.get("PDF_TEMPLATE") or DEFAULT_TEMPLATE
        context = invoice_pdf_context(invoice)
    data = render_invoice_pdf(context, template, cii_xml=facturx_xml(invoice))
    render_ms = int((time.perf_counter() - started) * 1000)
    # A savepoint, so that a refused INSERT leaves the caller's transaction (an approval) usable.
    try:
        document = _store_pdf(invoice, data, template, render_ms)
    except IntegrityError:
        # Another try (the PDF job and an e-mail, say) stored the same invoice's PDF first: use that one.
        stored = get_pdf_document(invoice)
        if stored is None:
            raise
        return stored
    invoice.pdf_error = None
    details = {"filename": document.filename, "sha256": document.sha256, "render_ms": render_ms}
    record_event(actor, "invoice.pdf_rendered", invoice, invoice_id=invoice.id, **details)
    db.session.flush()
    return document


def _store_pdf(invoice: Invoice, data: bytes, template: str, render_ms: int) -> InvoiceDocument:
    with db.session.begin_nested():
        document = get_pdf_document(invoice) or InvoiceDocument(invoice_id=invoice.id, kind="pdf")
        document.filename = pdf_filename(invoice)
        document.content_type = "application/pdf"
        document.data = data
        document.size = len(data)
        document.sha256 = hashlib.sha256(data).hexdigest()
        document.bill_style = invoice.bill_style
        document.template = template
        document.render_ms = render_ms
        document.created_at = utcnow()
        db.session.add(document)
        db.session.flush()
    return document


def facturx_xml(invoice: Invoice) -> bytes | None:
    """The CII XML a raised invoice's PDF carries (Factur-X, EN 16931 profile); None for a draft.

    An invoice whose data cannot make a valid EN 16931 document (e.g. reverse charge without
    the customer's VAT number) still gets its PDF, without the XML; the reason is logged and
    recorded in the audit trail, and the XML downloads answer with it.
    """
    if not invoice.is_approved:
        return None
    try:
        return cii_xml(einvoice_for(invoice))
    except InvalidEInvoice as exc:
        log.warning("Invoice %s has no Factur-X XML: %s", invoice.id, exc)
        record_event(SYSTEM, "invoice.einvoice_failed", invoice, invoice_id=invoice.id, error=str(exc)[:2000])
        return None


def record_pdf_failure(invoice: Invoice, message: str, *, actor: Actor = SYSTEM) -> None:
    """Record that the invoice's PDF could not be made: `invoice.pdf_error` and an `invoice.pdf_failed`
    audit event, flushed in the caller's transaction (the caller commits).

    Admins see the error on the invoice page and in the list of failed PDFs, with a Retry action;
    customers are told the PDF is not ready.
    """
    log.warning("PDF of invoice %s failed: %s", invoice.id, message)
    invoice.pdf_error = message
    record_event(actor, "invoice.pdf_failed", invoice, invoice_id=invoice.id, error=message)
    db.session.flush()


def describe_failure(exc: BaseException) -> str:
    """The text a recorded failure keeps: the exception's type and message, at most 2,000 characters."""
    return f"{type(exc).__name__}: {exc}"[:2000]


def invoices_with_pdf_error(limit: int = 500) -> list[Invoice]:
    """Invoices whose last PDF render failed (recorded in `pdf_error`), newest first."""
    return list(
        db.session.scalars(
            select(Invoice).where(Invoice.pdf_error.is_not(None)).order_by(Invoice.id.desc()).limit(limit)
        )
    )


def request_pdf_retry(invoice: Invoice, *, actor: Actor) -> None:
    """Record that an admin asked for the invoice's PDF again (audit); the caller commits, then enqueues
    `portal.documents.tasks.enqueue_render_pdf(invoice.id)`.

    Raises:
        PermissionDenied: the actor may not recreate documents ("invoice.recreate").
        InvalidState: the invoice is New (not filled yet).
    """
    require(actor, "invoice.recreate")
    if invoice.state not in (InvoiceState.PENDING, InvoiceState.APPROVED):
        raise InvalidState("Invoice documents can't be created before the invoice is filled")
    record_event(actor, "invoice.pdf_retry_requested", invoice, invoice_id=invoice.id, error=invoice.pdf_error)
    db.session.flush()


def stored_pdf_exists():
    """SQL EXISTS, correlated to `invoices`: the invoice has a stored PDF with bytes in it."""
    return (
        select(InvoiceDocument.id)
        .where(
            InvoiceDocument.invoice_id == Invoice.id,
            InvoiceDocument.kind == "pdf",
            InvoiceDocument.data.is_not(None),
            func.length(InvoiceDocument.data) > 0,
        )
        .exists()
    )


def invoices_missing_pdf(*, newest_per_account: int | None = None) -> list[int]:
    """Ids of approved invoices without a stored PDF, newest first.

    `newest_per_account` limits the answer to that many of each account's newest approved
    invoices (those a customer opens first).
    """
    has_pdf = (
        select(InvoiceDocument.id)
        .where(InvoiceDocument.invoice_id == Invoice.id, InvoiceDocument.kind == "pdf")
        .exists()
    )
    rows = db.session.execute(
        select(Invoice.id, Invoice.account_id, has_pdf.label("has_pdf"))
        .where(Invoice.state == InvoiceState.APPROVED)
        .order_by(Invoice.end_date.desc(), Invoice.id.desc())
    ).all()
    wanted, seen = [], {}
    for invoice_id, account_id, rendered in rows:
        seen[account_id] = seen.get(account_id, 0) + 1
        if newest_per_account is not None and seen[account_id] > newest_per_account:
            continue
        if not rendered:
            wanted.append(invoice_id)
    return wanted
