"""Executing a bulk approval (the job's work): each selected invoice approved in its own transaction, its outcome
recorded on its item in that same transaction, so a stopped execution is resumed without doing anything twice."""

from __future__ import annotations

import datetime as dt
import logging
import time

from flask import current_app
from sqlalchemy import func, select, update

from portal.audit import record_event
from portal.billing.invoices import approve_invoice
from portal.billing.locks import lock_bulk_approval
from portal.extensions import db
from portal.foundations.database import commit_with_retries, utcnow
from portal.foundations.errors import Conflict, ServiceError
from portal.foundations.executions import execution, execution_gone
from portal.foundations.permissions import Actor
from portal.models import BulkApproval, BulkApprovalItem

log = logging.getLogger(__name__)

BULK_APPROVAL_FINISHED = "invoice.bulk_approval_finished"
DEFAULT_STALE_MINUTES = 15
# A busy database (SQLite's write lock held past the busy timeout) is tried again before an invoice counts as failed.
BUSY_TRIES = 3
BUSY_WAIT = 0.5  # seconds before the second try, twice as long before the third


class _BatchLost(Exception):
    """This execution no longer owns the batch (it was found stalled and taken over)."""


def stale_after() -> dt.timedelta:
    """How long a bulk approval may go without progress (BULK_APPROVAL_STALE_MINUTES, default 15)."""
    minutes = current_app.config.get("BULK_APPROVAL_STALE_MINUTES") or DEFAULT_STALE_MINUTES
    return dt.timedelta(minutes=max(1, int(minutes)))


def is_stalled(batch: BulkApproval, *, now: dt.datetime | None = None) -> bool:
    """True when an unfinished bulk approval will not go on by itself.

    Queued and not taken by any process for `stale_after()`; or running and silent that long
    (each approval stamps `heartbeat_at`), or its process is known to be gone (same host).
    """
    if batch.status == "done":
        return False
    now = now or utcnow()
    if batch.heartbeat_at is None or batch.heartbeat_at < now - stale_after():
        return True
    return batch.status == "running" and execution_gone(batch.worker)


def execute_bulk_approval(batch_id: int) -> str:
    """Approve every invoice of the bulk approval that is still waiting (or failed before), one transaction each.

    The batch is first claimed for this execution under its row lock (`running`, `worker`,
    `heartbeat_at`); a batch that is done, or running in a live execution, is left alone. Each
    invoice is then approved by `approve_invoice` as the person who asked (their permission was
    checked when they asked), and its item records `approved` in the same transaction (which
    also stamps the heartbeat and proves this execution still owns the batch). A refusal of the
    service (already approved, not Pending, deleted) is recorded as `skipped` with its reason; any
    other error as `failed` with its message, after BUSY_TRIES tries when the database was busy.
    Finally the batch is `done` and `invoice.bulk_approval_finished` records the counts.

    Safe to run again for the same batch (a retry, a second delivery, a resume): what is recorded
    as approved or skipped is never tried again, so no invoice is approved twice.

    Returns what happened: "gone", "done", "running elsewhere", "taken over", or the counts.
    """
    with execution() as owner:
        status = _claim(batch_id, owner)
        if status != "claimed":
            return status
        batch = db.session.get(BulkApproval, batch_id)
        actor = Actor(label=batch.created_by)
        todo = list(
            db.session.scalars(
                select(BulkApprovalItem.invoice_id)
                .where(
                    BulkApprovalItem.bulk_approval_id == batch_id,
                    (BulkApprovalItem.outcome.is_(None)) | (BulkApprovalItem.outcome == "failed"),
                )
                .order_by(BulkApprovalItem.invoice_id)
            )
        )
        db.session.rollback()
        try:
            for invoice_id in todo:
                _approve_item(batch_id, invoice_id, owner, actor)
            return _finish(batch_id, owner, actor)
        except _BatchLost:
            db.session.rollback()
            log.warning("bulk approval %s: taken over by another execution; %s stopped", batch_id, owner)
            return "taken over"


def _claim(batch_id: int, owner: str) -> str:
    batch = lock_bulk_approval(batch_id)
    if batch is None or batch.status == "done" or (batch.status == "running" and not is_stalled(batch)):
        db.session.rollback()
        return "gone" if batch is None else ("done" if batch.status == "done" else "running elsewhere")
    now = utcnow()
    batch.status, batch.worker, batch.heartbeat_at = "running", owner, now
    batch.started_at = batch.started_at or now
    db.session.commit()
    return "claimed"


def _owned_item(batch_id: int, invoice_id: int, owner: str) -> BulkApprovalItem | None:
    """Stamp the heartbeat (locking the batch row) and return the item if it is still to do; _BatchLost when
    another execution owns the batch now."""
    stamped = db.session.execute(
        update(BulkApproval)
        .where(BulkApproval.id == batch_id, BulkApproval.worker == owner, BulkApproval.status == "running")
        .values(heartbeat_at=utcnow())
    )
    if not stamped.rowcount:
        raise _BatchLost()
    item = db.session.get(BulkApprovalItem, (batch_id, invoice_id), populate_existing=True)
    if item is None or item.outcome in ("approved", "skipped"):
        return None
    return item


def _approve_item(batch_id: int, invoice_id: int, owner: str, actor: Actor) -> None:
    outcome = reason = None
    for number in range(1, BUSY_TRIES + 1):
        try:
            item = _owned_item(batch_id, invoice_id, owner)
            if item is None:
                db.session.rollback()
                return
            approve_invoice(invoice_id, actor=actor)
            item.outcome, item.reason = "approved", None
            db.session.commit()
            return
        except _BatchLost:
            raise
        except Conflict as exc:  # the database was busy: wait and try again
            db.session.rollback()
            outcome, reason = "failed", exc.message
            if number < BUSY_TRIES:
                time.sleep(BUSY_WAIT * 2 ** (number - 1))
                continue
        except ServiceError as exc:
            db.session.rollback()
            outcome, reason = "skipped", exc.message
        except Exception as exc:  # recorded on the item; the batch goes on
            db.session.rollback()
            log.exception("bulk approval %s: invoice %s failed", batch_id, invoice_id)
            outcome, reason = "failed", f"{type(exc).__name__}: {exc}".strip()[:500]
        break

    def record() -> None:
        item = _owned_item(batch_id, invoice_id, owner)
        if item is not None:
            item.outcome, item.reason = outcome, reason

    commit_with_retries(db.session, record)


def _finish(batch_id: int, owner: str, actor: Actor) -> str:
    batch = lock_bulk_approval(batch_id)
    if batch is None or batch.worker != owner or batch.status != "running":
        raise _BatchLost()
    counts = dict(
        db.session.execute(
            select(BulkApprovalItem.outcome, func.count())
            .where(BulkApprovalItem.bulk_approval_id == batch_id)
            .group_by(BulkApprovalItem.outcome)
        ).all()
    )
    batch.status, batch.finished_at = "done", utcnow()
    summary = {outcome: counts.get(outcome, 0) for outcome in ("approved", "skipped", "failed")}
    record_event(actor, BULK_APPROVAL_FINISHED, batch, **summary)
    db.session.commit()
    return ", ".join(f"{count} {outcome}" for outcome, count in summary.items())
