"""Bulk actions on the invoices selected in the admin list: approve (queued, then a progress page), e-mail, ZIP of
PDFs."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from portal.admin import bp
from portal.admin.helpers import current_actor, flash_error
from portal.billing.bulk import bulk_approval_progress, request_bulk_approval, resume_bulk_approval, selected_ids
from portal.delivery.tasks import email_invoices
from portal.delivery.zip_export import invoices_pdf_zip
from portal.extensions import db
from portal.foundations.errors import ServiceError
from portal.foundations.permissions import require
from portal.foundations.streaming import streamed_download
from portal.foundations.urls import safe_next_path
from portal.htmx import render as render_htmx
from portal.jobs import huey


def _back_to_list():
    # Only our own list page (with its filters) is a valid place to go back to.
    target = safe_next_path(request.form.get("next"), under="/admin/invoices")
    return redirect(target or url_for("admin.invoices_list"))


@bp.post("/invoices/bulk")
def invoices_bulk():
    try:
        ids = selected_ids(request.form.getlist("ids"))
    except ServiceError as exc:
        flash_error(exc)
        return _back_to_list()
    action = request.form.get("action", "")
    if not ids:
        flash("Select at least one invoice first.", "error")
        return _back_to_list()
    actor = current_actor()
    if action == "approve":
        batch = request_bulk_approval(ids, actor=actor)
        db.session.commit()  # enqueues the batch's job: the invoices are approved after this answer
        return redirect(url_for("admin.invoices_bulk_approval", batch_id=batch.id), 303)
    elif action == "email":
        require(actor, "invoice.email")
        outcome = email_invoices(ids, actor)
        failed = [(f["id"], f["error"]) for f in outcome["failed"]]
        if huey.immediate:
            _flash_result("e-mailed", len(outcome["sent"]), failed)
        else:
            _flash_result("queued for e-mail", len(outcome["queued"]), failed)
            if outcome["queued"]:
                flash("They are sent in the background; failures show under Failures.", "success")
    elif action == "zip":
        try:
            filename, chunks = invoices_pdf_zip(ids, actor=actor)
        except ServiceError as exc:
            flash_error(exc)
            return _back_to_list()
        return streamed_download(chunks, mimetype="application/zip", filename=filename)
    else:
        flash("Unknown bulk action.", "error")
    return _back_to_list()


@bp.get("/invoices/bulk-approvals/<int:batch_id>")
def invoices_bulk_approval(batch_id: int):
    """Progress of a bulk approval, then of its PDFs; htmx re-fetches the fragment until nothing more changes."""
    progress = bulk_approval_progress(batch_id)
    return render_htmx("admin/invoices/bulk_approval.html", "admin/invoices/_bulk_approval.html", progress=progress)


@bp.post("/invoices/bulk-approvals/<int:batch_id>/resume")
def invoices_bulk_approval_resume(batch_id: int):
    try:
        resume_bulk_approval(batch_id, actor=current_actor())
        db.session.commit()  # enqueues the batch's job again
    except ServiceError as exc:
        db.session.rollback()
        flash_error(exc)
    else:
        flash("Bulk approval resumed.", "success")
    return redirect(url_for("admin.invoices_bulk_approval", batch_id=batch_id), 303)


def _flash_result(verb: str, count: int, failed: list[tuple[int, str]]) -> None:
    if count:
        flash(f"{count} invoice{'s' if count != 1 else ''} {verb}.", "success")
    for invoice_id, reason in failed[:20]:
        flash(f"Invoice {invoice_id}: {reason}", "error")
    if len(failed) > 20:
        flash(f"… and {len(failed) - 20} more invoices refused.", "error")
