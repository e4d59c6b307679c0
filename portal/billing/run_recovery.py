"""Billing runs that stopped: finding them and marking them failed.

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

from flask import current_app
from sqlalchemy import and_, or_, select

from portal.audit import record_event
from portal.billing.locks import lock_billing_run
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.executions import execution_gone
from portal.foundations.permissions import SYSTEM
from portal.models import BillingRun

DEFAULT_STALE_MINUTES = 15


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
