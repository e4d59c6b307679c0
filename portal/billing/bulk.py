"""Bulk approval of a selection of invoices: recorded by the request, approved one by one by a queued job
(portal.billing.bulk_execution), resumed when it stalled, and followed on a progress page."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit import record_event
from portal.billing.bulk_execution import is_stalled
from portal.billing.locks import lock_bulk_approval
from portal.billing.tasks import enqueue_bulk_approval
from portal.documents.service import stored_pdf_exists
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import Conflict, InvalidState, NotFound, ValidationFailed
from portal.foundations.ids import row_id
from portal.foundations.permissions import Actor, require
from portal.jobs import call_after_commit
from portal.models import BulkApproval, BulkApprovalItem, Invoice

MAX_SELECTION = 500
BULK_APPROVAL_REQUESTED = "invoice.bulk_approval_requested"
# A second submit of the same selection by the same person this soon after the first is the same
# request (a double click), even when the first has finished meanwhile.
DOUBLE_SUBMIT_SECONDS = 60


@dataclass
class BulkApprovalProgress:
    """How far a bulk approval is: its invoices approved, skipped, failed or waiting, then their PDFs."""

    batch: BulkApproval
    stalled: bool  # unfinished and no process goes on with it: resume it
    # (invoice id, reason) by outcome: None (waiting), "approved", "skipped" (the service's refusal), "failed"
    items: dict[str | None, list[tuple[int, str]]]
    pdf_rendered: int
    pdf_failed: list[tuple[int, str | None, str]]  # (invoice id, number, error)

    @property
    def batch_id(self) -> int:
        return self.batch.id

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.items.values())

    @property
    def approved(self) -> int:
        return len(self.items["approved"])

    @property
    def skipped(self) -> list[tuple[int, str]]:
        return self.items["skipped"]

    @property
    def failed(self) -> list[tuple[int, str]]:
        return self.items["failed"]

    @property
    def waiting(self) -> int:
        return len(self.items[None])

    @property
    def pdf_waiting(self) -> int:
        return self.approved - self.pdf_rendered - len(self.pdf_failed)

    @property
    def approving_done(self) -> bool:
        return self.batch.status == "done"

    @property
    def finished(self) -> bool:
        """Every invoice approved or refused, and every PDF rendered or failed: nothing more will change."""
        return self.approving_done and self.pdf_waiting == 0


def selected_ids(values) -> list[int]:
    """Distinct integer ids from form values (values that are not ids are ignored).

    Raises ValidationFailed (field `ids`) for more than MAX_SELECTION invoices: a selection is
    acted on whole or not at all, never cut silently.
    """
    ids: dict[int, None] = {}  # an ordered set
    for value in values or ():
        number = row_id(value)
        if number is not None:
            ids[number] = None
    if len(ids) > MAX_SELECTION:
        raise ValidationFailed.single(
            "ids", f"select at most {MAX_SELECTION} invoices at a time ({len(ids)} were selected)"
        )
    return list(ids)


def selection_key(actor: Actor, invoice_ids) -> str:
    """What makes two bulk approvals the same request: who asked, for which invoices (in any order)."""
    text = actor.label + "\n" + ",".join(str(i) for i in sorted(set(invoice_ids)))
    return hashlib.sha256(text.encode()).hexdigest()


def request_bulk_approval(invoice_ids: list[int], *, actor: Actor) -> BulkApproval:
    """Record a bulk approval of the selection; its job approves the invoices once the caller commits.

    Nothing is approved here, so the request answers at once: the batch (which invoices, who asked,
    when) is recorded, with one waiting item per invoice, and `enqueue_bulk_approval` runs after
    the commit (on a worker; without a queue, inline before the caller goes on). The same selection asked for
    again by the same person while the first is unfinished, or within DOUBLE_SUBMIT_SECONDS, is the
    same request: the first batch is returned (re-queued if it stalled) and nothing new recorded.
    Other stalled batches are re-queued too: this is the next run they were waiting for.

    Args:
        invoice_ids: the selection (see `selected_ids`); unknown ids end up skipped as not found.
        actor: who approves (needs `invoice.approve`); the job approves in their name.

    Returns the BulkApproval (flushed; the caller commits).

    Raises:
        PermissionDenied: the actor may not approve.
        ValidationFailed: an empty selection, or more than MAX_SELECTION invoices.
    """
    require(actor, "invoice.approve")
    ids = sorted(set(selected_ids(invoice_ids)))
    if not ids:
        raise ValidationFailed.single("ids", "select at least one invoice")
    key = selection_key(actor, ids)
    _requeue_stalled()
    existing = _same_request(key)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            batch = BulkApproval(selection_key=key, created_by=actor.label, status="queued")
            db.session.add(batch)
            db.session.flush()
    except IntegrityError:
        # The same selection was recorded by a request at the same moment (its commit came first).
        existing = _same_request(key)
        if existing is None:
            raise
        return existing
    # One multi-row INSERT: one statement and round trip (the ORM's bulk insert costs ~1 ms per row in Python).
    db.session.execute(
        BulkApprovalItem.__table__.insert().values([{"bulk_approval_id": batch.id, "invoice_id": pk} for pk in ids])
    )
    record_event(actor, BULK_APPROVAL_REQUESTED, batch, invoice_ids=ids)
    db.session.flush()
    call_after_commit(enqueue_bulk_approval, batch.id)
    return batch


def resume_bulk_approval(batch_id, *, actor: Actor) -> BulkApproval:
    """Queue a stalled bulk approval again: its job goes on with what is waiting and retries what failed.

    Returns the BulkApproval (flushed; the job is enqueued once the caller commits).

    Raises:
        NotFound: no such bulk approval.
        InvalidState: it has finished.
        Conflict: it is still going on (queued or running, with progress within `stale_after()`).
        PermissionDenied: the actor may not approve.
    """
    require(actor, "invoice.approve")
    pk = row_id(batch_id)
    batch = lock_bulk_approval(pk) if pk is not None else None
    if batch is None:
        raise NotFound(f"The record identified by {batch_id} could not be found.")
    if batch.status == "done":
        raise InvalidState("The bulk approval has finished.")
    if not is_stalled(batch):
        raise Conflict("The bulk approval is still going on; it can be resumed once it has stalled.")
    _requeue(batch)
    return batch


def bulk_approval_progress(batch_id) -> BulkApprovalProgress:
    """The progress of a bulk approval, read from the database each time (its job runs elsewhere).

    Raises NotFound for an id that names no bulk approval.
    """
    pk = row_id(batch_id)
    batch = db.session.get(BulkApproval, pk) if pk is not None else None
    if batch is None:
        raise NotFound(f"The record identified by {batch_id} could not be found.")
    items: dict[str | None, list[tuple[int, str]]] = {None: [], "approved": [], "skipped": [], "failed": []}
    for invoice_id, outcome, reason in db.session.execute(
        select(BulkApprovalItem.invoice_id, BulkApprovalItem.outcome, BulkApprovalItem.reason)
        .where(BulkApprovalItem.bulk_approval_id == batch.id)
        .order_by(BulkApprovalItem.invoice_id)
    ):
        items[outcome].append((invoice_id, reason or ""))
    rendered, failed = _pdf_progress([invoice_id for invoice_id, _ in items["approved"]])
    return BulkApprovalProgress(batch, is_stalled(batch), items, rendered, failed)


def _pdf_progress(approved: list[int]) -> tuple[int, list[tuple[int, str | None, str]]]:
    rendered, failed = 0, []
    for start in range(0, len(approved), MAX_SELECTION):
        rows = db.session.execute(
            select(Invoice.id, Invoice.invoice_number, Invoice.pdf_error, stored_pdf_exists().label("has_pdf"))
            .where(Invoice.id.in_(approved[start : start + MAX_SELECTION]))
            .order_by(Invoice.id)
        ).all()
        for invoice_id, number, error, has_pdf in rows:
            if has_pdf:
                rendered += 1
            elif error:
                failed.append((invoice_id, number, error))
    return rendered, failed


def _same_request(key: str) -> BulkApproval | None:
    """The bulk approval of this selection key that a new request is a repeat of, if any."""
    recent = utcnow() - dt.timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
    return db.session.scalars(
        select(BulkApproval)
        .where(
            BulkApproval.selection_key == key,
            BulkApproval.finished_at.is_(None) | (BulkApproval.created_at >= recent),
        )
        .order_by(BulkApproval.id.desc())
        .limit(1)
    ).first()


def _requeue_stalled() -> None:
    unfinished = db.session.scalars(
        select(BulkApproval).where(BulkApproval.finished_at.is_(None)).order_by(BulkApproval.id)
    ).all()
    for candidate in unfinished:
        if not is_stalled(candidate):
            continue  # live: not even locked
        batch = lock_bulk_approval(candidate.id)
        if batch is not None and is_stalled(batch):
            _requeue(batch)


def _requeue(batch: BulkApproval) -> None:
    batch.status, batch.worker, batch.heartbeat_at = "queued", None, utcnow()
    db.session.flush()
    call_after_commit(enqueue_bulk_approval, batch.id)
