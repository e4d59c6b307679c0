"""The audit log page: every state change and delivery with who and when, filtered and paginated."""

from __future__ import annotations

from flask import request, url_for

from portal.admin import bp
from portal.admin.audit_details import event_views
from portal.admin.forms import AuditFilterForm
from portal.admin.helpers import page_arg
from portal.forms import choices
from portal.foundations.ids import row_id
from portal.htmx import render as render_htmx
from portal.reading.audit_log import audit_actions, search_audit_events

PER_PAGE = 50


@bp.get("/audit")
def audit_list():
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", "any")] + [(a, a) for a in audit_actions()])
    invoice_text = (form.invoice.data or "").strip()
    invoice_id = row_id(invoice_text)
    if invoice_text and invoice_id is None:
        form.invoice.errors = ["must be an invoice id (a whole number)"]
    result = search_audit_events(
        action=form.action.data or None,
        actor=form.actor.data or None,
        invoice_id=invoice_id,
        page=page_arg(),
        per_page=PER_PAGE,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_htmx(
        "admin/audit/list.html",
        "admin/audit/_table.html",
        push_url=url_for("admin.audit_list", **{k: v for k, v in request.args.items() if v}),
        form=form,
        result=result,
        views=event_views(result.events),
        args=args,
    )
