"""Bulk invoice actions over a selection: each invoice in its own savepoint, so one refusal spoils nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.audit import record_event
from portal.billing.invoices import approve_invoice
from portal.billing.locks import lock_invoices
from portal.documents.service import stored_pdf_exists
from portal.extensions import db
from portal.foundations.errors import NotFound, PermissionDenied, ServiceError, ValidationFailed
from portal.foundations.ids import row_id
from portal.foundations.permissions import Actor, require
from portal.models import AuditEvent, Invoice

MAX_SELECTION = 500
BULK_APPROVED = "invoice.bulk_approved"


@dataclass
class BulkResult:
    done: list[Invoice] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (invoice id, reason)
    batch_id: int | None = None  # the bulk approval's record, for `bulk_approval_progress`


@dataclass
class BulkApprovalProgress:
    """How far the PDFs of one bulk approval are: rendered, failed, still waiting for their job."""

    batch_id: int
    actor: str
    created_at: dt.datetime
    approved: list[int]
    refused: list[tuple[int, str]]
    rendered: int
    failed: list[tuple[int, str | None, str]]  # (invoice id, number, error)
    waiting: int

    @property
    def finished(self) -> bool:
        return self.waiting == 0


def selected_ids(values) -> list[int]:
    """Distinct integer ids from form values (values that are not ids are ignored).

    Raises ValidationFailed (field `ids`) for more than MAX_SELECTION invoices: a selection is
    acted on whole or not at all, never cut silently.
    """
    ids: list[int] = []
    for value in values or ():
        number = row_id(value)
        if number is not None and number not in ids:
            ids.append(number)
    if len(ids) > MAX_SELECTION:
        raise ValidationFailed.single(
            "ids", f"select at most {MAX_SELECTION} invoices at a time ({len(ids)} were selected)"
        )
    return ids


def approve_invoices(invoice_ids: list[int], *, actor: Actor) -> BulkResult:
    """Approve each Pending invoice of the selection; the others are reported with the reason.

    The selected invoices are locked first, all at once and in id order (`lock_invoices`), so
    bulk approvals running at the same time as each other or as single approvals never
    deadlock; each approval is then the ordinary `approve_invoice` in a savepoint. Every PDF
    is rendered by a job enqueued once the caller commits, so approving 500 invoices does not
    wait for 500 renders. The batch is recorded as an `invoice.bulk_approved` audit event
    whose id (`result.batch_id`) names it for `bulk_approval_progress`.

    Args:
        invoice_ids: the selection (at most MAX_SELECTION ids).
        actor: who approves.

    Returns the BulkResult (the caller commits).

    Raises PermissionDenied at once when the actor may not approve at all.
    """
    require(actor, "invoice.approve")
    result = BulkResult()
    lock_invoices(pk for pk in (row_id(i) for i in invoice_ids) if pk is not None)
    for invoice_id in invoice_ids:
        invoice = db.session.get(Invoice, invoice_id) if row_id(invoice_id) else None
        if invoice is None:
            result.failed.append((invoice_id, "not found"))
            continue
        try:
            with db.session.begin_nested():
                approve_invoice(invoice, actor=actor)
        except PermissionDenied:
            raise
        except ServiceError as exc:
            result.failed.append((invoice_id, exc.message))
        else:
            result.done.append(invoice)
    event = record_event(
        actor,
        BULK_APPROVED,
        None,
        invoice_ids=[i.id for i in result.done],
        refused=[[invoice_id, reason] for invoice_id, reason in result.failed],
    )
    db.session.flush()
    result.batch_id = event.id
    return result


def bulk_approval_progress(batch_id) -> BulkApprovalProgress:
    """The PDF progress of a bulk approval: how many of its invoices have a PDF, failed, or wait.

    Read from the database each time (the PDFs are rendered by jobs, elsewhere).

    Raises NotFound for an id that names no bulk approval.
    """
    pk = row_id(batch_id)
    event = db.session.get(AuditEvent, pk) if pk is not None else None
    if event is None or event.action != BULK_APPROVED:
        raise NotFound(f"The record identified by {batch_id} could not be found.")
    approved = [int(i) for i in event.details.get("invoice_ids", [])]
    refused = [(int(i), str(reason)) for i, reason in event.details.get("refused", [])]
    rendered, failed = 0, []
    if approved:
        rows = db.session.execute(
            select(Invoice.id, Invoice.invoice_number, Invoice.pdf_error, stored_pdf_exists().label("has_pdf"))
            .where(Invoice.id.in_(approved))
            .order_by(Invoice.id)
        ).all()
        for invoice_id, number, error, has_pdf in rows:
            if has_pdf:
                rendered += 1
            elif error:
                failed.append((invoice_id, number, error))
    return BulkApprovalProgress(
        batch_id=event.id,
        actor=event.actor,
        created_at=event.created_at,
        approved=approved,
        refused=refused,
        rendered=rendered,
        failed=failed,
        waiting=len(approved) - rendered - len(failed),
    )
