"""Bulk invoice actions over a selection: each invoice in its own savepoint, so one refusal spoils nothing else."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.billing.invoices import approve_invoice, row_id
from portal.billing.locks import lock_invoices
from portal.errors import PermissionDenied, ServiceError
from portal.extensions import db
from portal.models import Invoice
from portal.permissions import Actor, require

MAX_SELECTION = 500


@dataclass
class BulkResult:
    done: list[Invoice] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (invoice id, reason)


def selected_ids(values) -> list[int]:
    """Distinct integer ids from form values, at most MAX_SELECTION (others are ignored as not ids)."""
    ids: list[int] = []
    for value in values or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number not in ids:
            ids.append(number)
    return ids[:MAX_SELECTION]


def approve_invoices(invoice_ids: list[int], *, actor: Actor) -> BulkResult:
    """Approve each Pending invoice of the selection; the others are reported with the reason.

    The selected invoices are locked first, all at once and in id order (`lock_invoices`), so
    bulk approvals running at the same time as each other or as single approvals never
    deadlock; each approval is then the ordinary `approve_invoice` in a savepoint. Every PDF
    is rendered by a job enqueued once the caller commits, so approving 500 invoices does not
    wait for 500 renders.

    Raises PermissionDenied at once when the actor may not approve at all. The caller commits.
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
    return result
