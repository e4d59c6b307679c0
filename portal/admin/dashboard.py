"""The admin home: the clerk's work queue (to approve, to send, failed PDFs and e-mails with Retry, overdue to
chase), then the figures (invoices by state, money owed per currency, the last billing run)."""

from __future__ import annotations

from flask import render_template

from portal.admin import bp
from portal.delivery.records import open_email_failures
from portal.documents.service import invoices_with_pdf_error
from portal.foundations.database import utcnow
from portal.reading.overview import dashboard_figures, work_queue

QUEUE_LENGTH = 10


@bp.get("/")
def dashboard():
    today = utcnow().date()
    return render_template(
        "admin/dashboard/index.html",
        figures=dashboard_figures(today),
        queue=work_queue(today, limit=QUEUE_LENGTH),
        failed_pdfs=invoices_with_pdf_error(limit=QUEUE_LENGTH),
        failed_emails=open_email_failures(limit=QUEUE_LENGTH),
    )
