"""Billing runs: automatic invoicing of every account whose period (plus its grace) has ended.

A run is started (a row, committed by the caller) and then executed, inline by the CLI or on
a worker (portal.billing.tasks). Execution commits itself: one transaction per invoiced
period, so one failing account never stops the run, and an admin page polling the run row
sees progress. It is idempotent: a period is invoiced in the same transaction that moves the
account's `next_invoice_at` past it, under the per-account lock, so a second pass (a re-run,
a retry, or a resume after a crash) finds nothing left to do for it.

Executing a run first claims it (under the run's row lock: status `running`, the process in
`worker`, `heartbeat_at` now), and every step stamps `heartbeat_at` again. A run is stale when
it is `running` but its process is gone (same host, pid no longer alive, or this very process
no longer executing it) or silent for BILLING_RUN_STALE_MINUTES (default 15; each step takes
seconds), or `queued` that long without any process taking it. Stale runs are marked failed by
the next run (`start_billing_run`, `execute_billing_run`) or `flask billing recover`; the next
run invoices what they left, and `flask billing resume` may also take one over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, distinct, func, or_, select, update

from portal.audit import record_event
from portal.billing.anomalies import find_anomalies
from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.billing.locks import lock_account, lock_billing_run
from portal.billing.periods import period_ending_at
from portal.billing.schedule import advance_schedule, latest_invoice_end
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import BadDate, parse_moment
from portal.foundations.errors import Conflict, NotFound, ServiceError, ValidationFailed
from portal.foundations.executions import execution, execution_gone
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Account, BillingRun, Invoice

log = logging.getLogger(__name__)

INVOICE_EXISTS = "invoice exists with end_date greater than or equal to current end_date"
DEFAULT_STALE_MINUTES = 15


class _RunLost(Exception):
    """This process no longer owns the run (marked failed as stale, or taken over)."""


@dataclass
class AccountOutcome:
    """What one account's step did: the invoices it created, or the failure that stopped it."""

    account_id: int
    invoice_ids: list[int] = field(default_factory=list)
    failure: dict | None = None


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
    try:
        run = db.session.get(BillingRun, int(run_id))
    except (TypeError, ValueError):
        run = None
    if run is None:
        raise NotFound(f"The record identified by {run_id} could not be found.")
    return run


def recent_billing_runs(limit: int = 20) -> list[BillingRun]:
    """The latest billing runs, newest first (admin list and dashboard); `limit` is capped at 200."""
    limit = max(1, min(int(limit), 200))
    return list(db.session.scalars(select(BillingRun).order_by(BillingRun.id.desc()).limit(limit)))


def grace_seconds(account: Account) -> int:
    """The account's grace period: its max call duration, else the configured default (7200 s)."""
    return _grace(account.max_call_duration)


def _grace(max_call_duration: int | None) -> int:
    value = max_call_duration
    if value is None:
        value = current_app.config.get("DEFAULT_MAX_CALL_DURATION", 7200)
    return max(0, int(value))


def due_account_ids(run_at: dt.datetime) -> list[int]:
    """Ids of accounts with a period whose `next_invoice_at + grace <= run_at`, in id order."""
    candidates = db.session.execute(
        select(Account.id, Account.next_invoice_at, Account.max_call_duration)
        .where(Account.invoice_period.is_not(None), Account.next_invoice_at <= run_at)
        .order_by(Account.id)
    ).all()
    return [
        account_id
        for account_id, next_at, max_call in candidates
        if next_at + dt.timedelta(seconds=_grace(max_call)) <= run_at
    ]


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
            _run_actor(run),
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
                {"account_id": None, "account": None, "start": None, "end": None, "error": _message(exc)}
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


def stale_after() -> dt.timedelta:
    """How long a running run may go without a heartbeat (BILLING_RUN_STALE_MINUTES, default 15)."""
    minutes = current_app.config.get("BILLING_RUN_STALE_MINUTES") or DEFAULT_STALE_MINUTES
    return dt.timedelta(minutes=max(1, int(minutes)))


def is_stale(run: BillingRun, *, now: dt.datetime | None = None) -> bool:
    """True when the run will never finish by itself.

    `running`: no heartbeat for `stale_after()`, or the process in `worker` is gone (only
    knowable on the same host: its pid is not alive, or it is this process and no execution
    here holds the run). `queued`: created `stale_after()` ago and still not taken by a process.
    """
    now = now or utcnow()
    if run.status == "queued":
        return run.created_at is not None and run.created_at < now - stale_after()
    if run.status != "running":
        return False
    if run.heartbeat_at is None or run.heartbeat_at < now - stale_after():
        return True
    return execution_gone(run.worker)


def recover_stale_billing_runs(*, now: dt.datetime | None = None) -> list[int]:
    """Mark every stale run (see `is_stale`) failed, with the reason as a failure entry.

    Each is re-checked under its row lock, so a run that made progress meanwhile is left
    alone. Nothing is lost: the invoices a stale run made are committed, and the next run
    (or `flask billing resume RUN_ID`) invoices what it left. Records `billing_run.interrupted`.

    Returns the ids of the runs marked failed (flushed; the caller commits).
    """
    now = now or utcnow()
    cutoff = now - stale_after()
    candidates = db.session.scalars(
        select(BillingRun)
        .where(or_(BillingRun.status == "running", and_(BillingRun.status == "queued", BillingRun.created_at < cutoff)))
        .order_by(BillingRun.id)
    ).all()
    recovered = []
    for candidate in candidates:
        if not is_stale(candidate, now=now):
            continue  # live: not even locked
        run = lock_billing_run(candidate.id)
        if run is None or not is_stale(run, now=now):
            continue
        last = run.heartbeat_at or run.started_at
        if run.status == "queued":
            reason = (
                f"Never started: no process took the run within {int(stale_after().total_seconds() // 60)} "
                "minutes (are the workers running?)."
            )
        else:
            reason = (
                "Interrupted: the process executing the run stopped"
                + (f" (last progress at {last.isoformat(timespec='seconds')})" if last else "")
                + f". Its invoices are kept; the next run invoices what is left, or resume it with "
                f"`flask billing resume {run.id}`."
            )
        previous = run.status
        run.status = "failed"
        run.finished_at = now
        run.failures = list(run.failures or []) + [
            {"account_id": None, "account": None, "start": None, "end": None, "error": reason}
        ]
        record_event(
            SYSTEM,
            "billing_run.interrupted",
            run,
            previous_status=previous,
            worker=run.worker,
            heartbeat_at=last.isoformat() if last else None,
        )
        recovered.append(run.id)
    db.session.flush()
    return recovered


def bill_account(run: BillingRun, account_id: int) -> AccountOutcome:
    """Invoice every period of one account that is due at `run.run_at`; commit after each.

    Each period: lock the account, re-read it (another pass may have just invoiced it), check
    that no invoice already reaches `next_invoice_at`, create from max(period start, latest
    invoice end), fill, approve if asked, advance the schedule, commit. The first failure is
    rolled back and returned; the account's later periods wait for the next run.
    """
    outcome = AccountOutcome(account_id)
    run_id, run_at = run.id, run.run_at
    approve = run.approve or bool(current_app.config.get("INVOICE_AUTO_APPROVE"))
    actor = _run_actor(run)
    while True:
        start = end = None
        try:
            lock_account(account_id)
            account = db.session.get(Account, account_id, populate_existing=True)
            if account is None or not _still_due(account, run_at):
                db.session.commit()
                return outcome
            end = account.next_invoice_at
            start = period_ending_at(account.invoice_period, end, account.timezone).start
            last_end = latest_invoice_end(account.id)
            if last_end is not None and last_end >= end:
                raise ValidationFailed.single(None, INVOICE_EXISTS)
            if last_end is not None:
                start = max(start, last_end)
            invoice = create_invoice(
                account_id=account,
                start_date=start,
                end_date=end,
                actor=actor,
                invoice_type=account.next_invoice_type or "Auto Full",
                now=run_at,
                billing_run_id=run_id,
            )
            fill_invoice(invoice, actor=actor)
            if approve:
                approve_invoice(invoice, actor=actor)
            advance_schedule(account)
            _stamp_heartbeat(run_id)
            db.session.commit()
            outcome.invoice_ids.append(invoice.id)
        except Exception as exc:
            db.session.rollback()
            if not isinstance(exc, ServiceError):
                log.exception("billing run %s: account %s failed", run_id, account_id)
            account = db.session.get(Account, account_id)
            outcome.failure = {
                "account_id": account_id,
                "account": account.name if account else None,
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
                "error": _message(exc),
            }
            return outcome


def _stamp_heartbeat(run_id: int) -> None:
    # In the period's own transaction: a run busy with one account's many periods stays alive.
    db.session.execute(
        update(BillingRun).where(BillingRun.id == run_id, BillingRun.status == "running").values(heartbeat_at=utcnow())
    )


def _still_due(account: Account, run_at: dt.datetime) -> bool:
    if not account.invoice_period or account.next_invoice_at is None:
        return False
    return account.next_invoice_at + dt.timedelta(seconds=grace_seconds(account)) <= run_at


def _invoices_of(run_id: int) -> int:
    return db.session.scalar(select(func.count(Invoice.id)).where(Invoice.billing_run_id == run_id)) or 0


def _run_actor(run: BillingRun) -> Actor:
    # The starter's permission was checked by start_billing_run; the run then acts for them.
    return Actor(label=run.created_by or SYSTEM.label)


def _message(exc: Exception) -> str:
    if isinstance(exc, ServiceError):
        return exc.message
    return f"{type(exc).__name__}: {exc}".strip()
