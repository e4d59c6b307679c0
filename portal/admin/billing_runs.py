"""Admin pages for billing runs: the list, the start form, and a run page that shows progress, then the result."""

from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, url_for

from portal.admin import bp
from portal.admin.forms import BillingRunForm
from portal.admin.helpers import NOT_SAVED, current_actor, form_page, page_arg, save_form
from portal.billing.run_recovery import is_stale
from portal.billing.runs import get_billing_run, start_billing_run
from portal.billing.tasks import enqueue_billing_run
from portal.foundations.permissions import require
from portal.htmx import render as render_htmx
from portal.reading.admin_pages import account_time_zones, billing_run_invoices, billing_run_page

PER_PAGE = 25


@bp.get("/billing-runs")
def billing_runs_list():
    runs, page, pages = billing_run_page(page_arg(), PER_PAGE)
    return render_template(
        "admin/billing_runs/list.html",
        runs=runs,
        page=page,
        pages=pages,
        can_start=current_actor().can("billing_run.start"),
    )


@bp.route("/billing-runs/new", methods=["GET", "POST"])
def billing_runs_create():
    require(current_actor(), "billing_run.start")
    form = BillingRunForm()
    run = save_form(
        form,
        lambda: start_billing_run(
            run_at=(form.run_at.data or "").strip() or None, approve=form.approve.data, actor=current_actor()
        ),
        lambda run: f"Billing run {run.id} started.",
    )
    if run is not NOT_SAVED:
        run_id = run.id
        # Inline mode runs it here, before the redirect; with workers the run page shows it progress.
        enqueue_billing_run(run_id)
        return redirect(url_for("admin.billing_runs_detail", run_id=run_id), 303)
    return form_page("admin/billing_runs/new.html", form)


def _moment(text):
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def _failure_rows(failures: list[dict]) -> list[dict]:
    """Failures with their period as moments and the account's time zone, to show local dates."""
    ids = {f.get("account_id") for f in failures if isinstance(f.get("account_id"), int)}
    zones = account_time_zones(ids)
    return [
        dict(
            failure,
            start_at=_moment(failure.get("start")),
            end_at=_moment(failure.get("end")),
            timezone=zones.get(failure.get("account_id"), "UTC"),
        )
        for failure in failures
    ]


@bp.get("/billing-runs/<int:run_id>")
def billing_runs_detail(run_id: int):
    run = get_billing_run(run_id)
    finished = run.status in ("done", "failed")
    invoices = []
    if finished:
        invoices = billing_run_invoices(run.id)
    context = dict(
        run=run, invoices=invoices, finished=finished, failures=_failure_rows(run.failures or []), stale=is_stale(run)
    )
    return render_htmx("admin/billing_runs/detail.html", "admin/billing_runs/_run.html", **context)
