"""Failed background work: PDFs that could not be rendered and e-mails that could not be sent, each with Retry."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from portal.admin import bp
from portal.admin.helpers import attempt, current_actor
from portal.billing.invoices import get_invoice
from portal.delivery.email_queue import retry_email
from portal.delivery.records import STALLED_AFTER, is_stalled, open_email_failures
from portal.delivery.tasks import enqueue_email
from portal.documents.service import invoices_with_pdf_error, request_pdf_retry
from portal.documents.tasks import enqueue_render_pdf
from portal.jobs import huey
from portal.reading.admin_pages import fresh_email_delivery, invoice_pdf_error


@bp.get("/failures")
def failures_list():
    return render_template(
        "admin/failures/list.html",
        pdfs=invoices_with_pdf_error(),
        emails=open_email_failures(),
        stalled_minutes=int(STALLED_AFTER.total_seconds() // 60),
        is_stalled=is_stalled,
    )


@bp.post("/invoices/<int:invoice_id>/pdf/retry")
def invoice_pdf_retry(invoice_id: int):
    invoice = get_invoice(invoice_id)
    done, _ = attempt(lambda: request_pdf_retry(invoice, actor=current_actor()))
    if not done:
        return _back(invoice_id)
    enqueue_render_pdf(invoice_id)
    if not huey.immediate:
        flash("The PDF is being rendered in the background.", "success")
    else:
        error = invoice_pdf_error(invoice_id)
        if error:
            flash(f"The PDF could not be rendered: {error}", "error")
        else:
            flash("PDF rendered.", "success")
    return _back(invoice_id)


@bp.post("/deliveries/<int:delivery_id>/retry")
def delivery_retry(delivery_id: int):
    delivery = fresh_email_delivery(delivery_id)
    if delivery is None:
        abort(404)
    invoice_id = delivery.invoice_id
    done, retried = attempt(lambda: retry_email(delivery, actor=current_actor()))
    if done:
        send_and_report(retried.id)
    return _back(invoice_id)


def send_and_report(delivery_id: int) -> None:
    """Enqueue the committed e-mail request and flash how it went (inline) or that it is on its way (queue)."""
    enqueue_email(delivery_id)
    delivery = fresh_email_delivery(delivery_id)
    what = "Invoice" if delivery.kind == "invoice" else "CDR file"
    if delivery.status in ("sent", "outbox"):
        flash(f"{what} e-mailed to {delivery.recipients} ({delivery.status}).", "success")
    elif delivery.status == "failed":
        flash(f"E-mail not sent: {delivery.error} The attempt is in the delivery history; you can retry.", "error")
    else:
        flash(
            f"{what} e-mail to {delivery.recipients} queued; it is sent in the background (see the delivery history).",
            "success",
        )


def _back(invoice_id: int):
    """Back where the button was: the failures list or the work queue when it sent `next`, else the invoice page."""
    if request.form.get("next") == "failures":
        return redirect(url_for("admin.failures_list"))
    if request.form.get("next") == "dashboard":
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("admin.invoice_detail", invoice_id=invoice_id))
