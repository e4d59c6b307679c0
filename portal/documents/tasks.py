"""Background job rendering invoice PDFs (after bulk approvals). Idempotent: a rendered PDF is left alone."""
from __future__ import annotations

from portal.extensions import db
from portal.jobs import huey, job_app


@huey.task(retries=2, retry_delay=10)
def render_pdf_job(invoice_id: int) -> str:
    """Render the PDF of one invoice unless it already has one without a recorded error."""
    from portal.documents.service import get_pdf_document, render_invoice_document
    from portal.models import Invoice

    with job_app().app_context():
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            return "gone"
        if invoice.state == "New":
            return "not filled"
        if invoice.pdf_error is None and get_pdf_document(invoice) is not None:
            return "already rendered"
        document = render_invoice_document(invoice)
        db.session.commit()
        return "rendered" if document is not None else "failed"


def enqueue_render_pdf(invoice_id: int) -> None:
    """Render now (inline mode) or on a worker. Call after the approval is committed."""
    render_pdf_job(invoice_id)


def render_missing_pdfs(*, newest_per_account: int | None = None, progress=None) -> int:
    """Render and store every approved invoice's missing PDF, committing one invoice at a time.

    Safe to stop and run again: what is rendered stays, what is left is found next time.
    `progress(n)` is called after each invoice. Returns how many PDFs were stored.
    """
    from portal.documents.service import invoices_missing_pdf, render_invoice_document
    from portal.models import Invoice

    stored = 0
    for invoice_id in invoices_missing_pdf(newest_per_account=newest_per_account):
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is not None and render_invoice_document(invoice) is not None:
            stored += 1
        db.session.commit()
        if progress:
            progress(1)
    return stored
