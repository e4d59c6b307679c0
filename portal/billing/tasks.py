"""Background jobs of the billing service. Each one is idempotent: it re-reads state and does only what is left."""

from __future__ import annotations

import logging

from portal.billing.bulk_execution import execute_bulk_approval
from portal.billing.fill import fill_invoice
from portal.billing.runs import execute_billing_run
from portal.extensions import db
from portal.foundations.errors import InvalidState, NotFound
from portal.jobs import call_after_response, huey, job_app, retry_options
from portal.models import Invoice

log = logging.getLogger(__name__)


@huey.task(retries=2, retry_delay=5)
def fill_invoice_job(invoice_id: int) -> str:
    """Fill one invoice if it is still New (a second run finds it Pending and does nothing)."""
    with job_app().app_context():
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            return "gone"
        try:
            fill_invoice(invoice)
        except NotFound:  # deleted between the read and the lock
            db.session.rollback()
            return "gone"
        except InvalidState:
            db.session.rollback()
            return "already filled"
        db.session.commit()
        return "filled"


def enqueue_fill(invoice_id: int, after_response: bool = False) -> None:
    """Fill the invoice on a worker, or inline when no queue is configured. Call after the invoice is committed.

    Inline, `after_response` puts the fill after the current response has been sent (a face that
    answers with the invoice as created); otherwise it runs at once.
    """
    if after_response and huey.immediate:
        call_after_response(fill_invoice_job, invoice_id)
    else:
        fill_invoice_job(invoice_id)


@huey.task(retries=1, retry_delay=30)
def billing_run_job(run_id: int) -> str:
    """Execute a billing run. Safe to repeat: a retry or a second delivery only does what is left."""
    with job_app().app_context():
        run = execute_billing_run(run_id)
        return f"{run.invoices_created} invoices, {len(run.failures)} failures"


def enqueue_billing_run(run_id: int) -> None:
    """Execute the run now (inline mode) or on a worker. Call after the run row is committed."""
    billing_run_job(run_id)


@huey.task()
def bulk_approval_job(batch_id: int) -> str:
    """Approve what is left of a bulk approval. Safe to repeat: approved and skipped invoices are never tried again."""
    with job_app().app_context():
        return execute_bulk_approval(batch_id)


def enqueue_bulk_approval(batch_id: int) -> None:
    """Approve the batch on a worker, with retries; without a queue, inline at once (as every job then runs).
    Call after the batch is committed."""
    bulk_approval_job(batch_id, **retry_options())
