"""Billing runs: automatic invoicing of every account whose period (plus its grace) has ended.

A run is started (a row, committed by the caller) and then executed, inline by the CLI or on
a worker (portal.billing.tasks). Execution commits itself: one transaction per invoiced
period, so one failing account never stops the run, and an admin page polling the run row
sees progress. It is idempotent: a period is invoiced in the same transaction that moves the
account's `next_invoice_at` past it, under the per-account lock, so a second pass (a re-run,
a retry, or a resume after a crash) finds nothing left to do for it.

How a run bills one account is in `portal.billing.run_accounts`; how a run that stopped is found
and marked failed, in `portal.billing.run_recovery`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import distinct, func, select

from portal.audit import record_event
from portal.billing.anomalies import find_anomalies
from portal.billing.locks import lock_billing_run
from portal.billing.run_accounts import bill_account, due_account_ids, failure_message, run_actor
from portal.billing.run_recovery import is_stale, recover_stale_billing_runs
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import BadDate, parse_moment
from portal.foundations.errors import Conflict, NotFound, ValidationFailed
from portal.foundations.executions import execution
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import BillingRun, Invoice
from portal.models.rows import row_by_key

log = logging.getLogger(__name__)


class _RunLost(Exception):
    """This process no longer owns the run (marked failed as stale, or taken over)."""


def start_billing_run(
    *, run_at=None, approve: bool = False, actor: Actor = SYSTEM, now: dt.datetime | None = None
) -> BillingRun:
    """Create a queued billing run (the caller commits, then calls `enqueue_billing_run(run.id)`).

    Args:
        run_at: the moment to invoice for (datetime or ISO-8601 text; without an offset it is
            UTC); defaults to now. Accounts are due when `next_invoice_at + grace <= run_at`.
        approve: approve the invoices the run creates (config INVOICE_AUTO_APPROVE does too).
        actor: who starts it (needs `billing_run.start`).
        now: the current time (tests).

    Stale runs (left by a process that died) are marked failed first (`recover_stale_billing_runs`).

    Returns the flushed BillingRun in status `queued`.

    Raises:
        ValidationFailed: `run-at - is invalid`, `run-at - can't be in future`.
        PermissionDenied: the actor may not start billing runs.
    """
    require(actor, "billing_run.start")
    now = now or utcnow()
    recover_stale_billing_runs(now=now)
    if run_at in (None, ""):
        moment = now
    else:
        try:
            moment = parse_moment(run_at, "UTC")
        except BadDate:
            raise ValidationFailed.single("run-at", "is invalid") from None
        if moment > now:
            # Invoices may only cover the past; a run "in the future" would bill unfinished periods.
            raise ValidationFailed.single("run-at", "can't be in future")
    run = BillingRun(
        run_at=moment, approve=bool(approve), status="queued", created_by=actor.label, failures=[], anomalies=[]
    )
    db.session.add(run)
    db.session.flush()
    record_event(actor, "billing_run.started", run, run_at=moment.isoformat(), approve=run.approve)
    db.session.flush()
    return run


def get_billing_run(run_id) -> BillingRun:
    """The billing run with this id, or NotFound."""
    run = row_by_key(BillingRun, run_id)
    if run is None:
        raise NotFound(f"The record identified by {run_id} could not be found.")
    return run


def recent_billing_runs(limit: int = 20) -> list[BillingRun]:
    """The latest billing runs, newest first (admin list and dashboard); `limit` is capped at 200."""
    limit = max(1, min(int(limit), 200))
    return list(db.session.scalars(select(BillingRun).order_by(BillingRun.id.desc()).limit(limit)))


def execute_billing_run(run_id: int, *, progress: Callable[[BillingRun], None] | None = None) -> BillingRun:
    """Execute a billing run: invoice every due account, committing as it goes.

    First the run is claimed for this process (`running`, `worker`, `heartbeat_at`), under its
    row lock: a run another live process is executing is refused. Then, for each due account
    (in its own transactions, under its lock): while its period plus grace has ended by
    `run_at`, create the invoice for [max(period start, latest invoice end), next_invoice_at)
    with type `next_invoice_type`, fill it, approve it when the run (or INVOICE_AUTO_APPROVE)
    says so, and advance `next_invoice_at`; commit. A failure rolls back that period, is
    recorded in `run.failures` (account id and name, period, error) and the run goes on with
    the next account. Each step stamps `heartbeat_at`. Finally the anomaly report is stored.

    Safe to call again for the same run (retry, resume after a crash): accounts already
    invoiced are no longer due, so nothing is duplicated, and what was left is done.

    Args:
        run_id: the BillingRun id.
        progress: called with the run after the due accounts are counted and after each one.

    Returns the finished run (status `done`).

    Raises:
        NotFound: no such run.
        Conflict: another live process is executing the run, or took it over meanwhile
            (after this process was silent for too long); this process then stops.
        Exception: an unexpected error outside the per-account steps marks the run `failed`
            and is raised again.
    """
    with execution() as worker:
        return _execute(run_id, worker, progress)


def _execute(run_id: int, worker: str, progress) -> BillingRun:
    recover_stale_billing_runs()  # runs left by dead processes, this one included (it is then taken over)
    db.session.commit()
    run = _claim(run_id, worker)
    db.session.commit()
    due = due_account_ids(run.run_at)
    # Accounts invoiced by an earlier pass of this run (that crashed or was retried) and no
    # longer due count as done; one it was in the middle of is due again and counted once.
    invoiced = set(db.session.scalars(select(distinct(Invoice.account_id)).where(Invoice.billing_run_id == run.id)))
    already = len(invoiced - set(due))
    run.accounts_total = already + len(due)
    run.accounts_done = already
    run.failures = []
    run.invoices_created = _invoices_of(run.id)
    db.session.commit()
    if progress:
        progress(run)
    try:
        for account_id in due:
            outcome = bill_account(run, account_id)
            run = _owned(run_id, worker)
            if outcome.failure:
                run.failures = list(run.failures or []) + [outcome.failure]
            run.accounts_done += 1
            # Counted as they come (a count over the run's invoices per account grows with the run).
            run.invoices_created += len(outcome.invoice_ids)
            db.session.commit()
            if progress:
                progress(run)
        run = _owned(run_id, worker)
        run.anomalies = find_anomalies(run.id)
        run.status = "done"
        run.finished_at = utcnow()
        record_event(
            run_actor(run),
            "billing_run.finished",
            run,
            invoices_created=run.invoices_created,
            failures=len(run.failures),
            anomalies=len(run.anomalies),
        )
        db.session.commit()
    except _RunLost:
        db.session.rollback()
        log.warning("billing run %s: stopped, the run is no longer this process's (%s)", run_id, worker)
        raise Conflict(
            f"Billing run {run_id} was marked failed or taken over by another process "
            "while this one was silent; this process stopped."
        ) from None
    except Exception as exc:
        db.session.rollback()
        log.exception("billing run %s failed", run_id)
        run = lock_billing_run(run_id)
        if run is not None and run.worker == worker:
            run.status = "failed"
            run.finished_at = utcnow()
            run.failures = list(run.failures or []) + [
                {"account_id": None, "account": None, "start": None, "end": None, "error": failure_message(exc)}
            ]
        db.session.commit()
        raise
    return run


def _claim(run_id: int, worker: str) -> BillingRun:
    """Take the run for this execution under its row lock, unless a live process is executing it."""
    try:
        pk = int(run_id)
    except (TypeError, ValueError):
        pk = None
    run = lock_billing_run(pk) if pk is not None else None
    if run is None:
        db.session.rollback()
        raise NotFound(f"The record identified by {run_id} could not be found.")
    now = utcnow()
    if run.status == "running" and not is_stale(run, now=now):
        since = run.heartbeat_at.isoformat(timespec="seconds") if run.heartbeat_at else "its start"
        db.session.rollback()
        raise Conflict(f"Billing run {run.id} is already running (last progress at {since}).")
    run.status = "running"
    run.worker = worker
    run.heartbeat_at = now
    run.started_at = run.started_at or now
    run.finished_at = None
    db.session.flush()
    return run


def _owned(run_id: int, worker: str) -> BillingRun:
    """The run, locked, with its heartbeat stamped; _RunLost when this execution no longer owns it."""
    run = lock_billing_run(run_id)
    if run is None or run.worker != worker or run.status != "running":
        raise _RunLost()
    run.heartbeat_at = utcnow()
    return run


def _invoices_of(run_id: int) -> int:
    return db.session.scalar(select(func.count(Invoice.id)).where(Invoice.billing_run_id == run_id)) or 0
