"""Background rendering of invoice PDFs: one job per invoice (after approvals, on Retry) and the resumable
render-missing run; both retry a failing invoice and record only its last failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from portal.documents.service import (
    describe_failure,
    get_pdf_document,
    invoices_missing_pdf,
    record_pdf_failure,
    render_and_store_pdf,
)
from portal.extensions import db
from portal.foundations.database import commit_with_retries
from portal.foundations.permissions import SYSTEM, Actor
from portal.jobs import huey, is_last_try, job_app, retry_options
from portal.models import Invoice, InvoiceState

log = logging.getLogger(__name__)


@huey.task(context=True)
def render_pdf_job(invoice_id: int, task=None) -> str:
    """Render the PDF of one invoice unless it already has one without a recorded error (one try)."""
    with job_app().app_context():
        return render_pdf_try(invoice_id, last_try=is_last_try(task))


def enqueue_render_pdf(invoice_id: int) -> None:
    """Render now (inline mode) or on a worker, with retries. Call after the approval is committed."""
    render_pdf_job(invoice_id, **retry_options())


def render_pdf_try(invoice_id: int, *, last_try: bool, actor: Actor = SYSTEM) -> str:
    """One try at rendering and storing an invoice's PDF, committed. Idempotent: re-reads the invoice.

    Returns "gone" (no such invoice), "not filled" (New), "already rendered" (a PDF is stored and
    no error recorded), "rendered", or "failed": this was the last try and its error is now
    recorded on the invoice (`pdf_error`) and in the audit log, committed.

    Raises:
        Exception: the error of a try that is not the last, after rolling back (nothing is
            recorded; the caller tries again). On the last try, only a failure to record the
            failure itself (the database refusing even that).
    """
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None:
        return "gone"
    if invoice.state == InvoiceState.NEW:
        return "not filled"
    if invoice.pdf_error is None and get_pdf_document(invoice) is not None:
        return "already rendered"
    try:
        render_and_store_pdf(invoice, actor=actor)
        db.session.commit()
        return "rendered"
    except Exception as exc:
        db.session.rollback()
        message = describe_failure(exc)
        if not last_try:
            log.warning("PDF of invoice %s failed, to be tried again: %s", invoice_id, message)
            raise

    def record() -> None:
        failed = db.session.get(Invoice, invoice_id)
        if failed is not None:
            record_pdf_failure(failed, message, actor=actor)

    commit_with_retries(db.session, record)
    return "failed"


@dataclass
class RenderSummary:
    """What a render-missing run did: PDFs stored, failures recorded, failures it could not even record."""

    todo: int = 0
    stored: int = 0
    failed: int = 0
    unrecorded: int = 0


def render_missing_pdfs(
    *,
    newest_per_account: int | None = None,
    progress: Callable[[int], None] | None = None,
    tries: int = 4,
    retry_delay: float = 1.0,
    backoff: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> RenderSummary:
    """Render and store every approved invoice's missing PDF, committing one invoice at a time.

    Each invoice gets up to `tries` tries, waiting `retry_delay` seconds before the second and
    `backoff` times longer before each next one (a database lock held by a long write passes).
    After the last try its failure is recorded on the invoice (`pdf_error`) and in the audit
    log, and the run goes on with the next invoice: nothing stops it early. Safe to stop and run
    again: what is rendered stays, what is left (failed ones included) is found next time.
    `progress(n)` is called after each invoice.
    """
    invoice_ids = invoices_missing_pdf(newest_per_account=newest_per_account)
    summary = RenderSummary(todo=len(invoice_ids))
    for invoice_id in invoice_ids:
        outcome = _render_with_retries(invoice_id, tries=max(tries, 1), delay=retry_delay, backoff=backoff, sleep=sleep)
        if outcome == "rendered":
            summary.stored += 1
        elif outcome == "failed":
            summary.failed += 1
        elif outcome == "unrecorded":
            summary.unrecorded += 1
        if progress:
            progress(1)
    return summary


def _render_with_retries(invoice_id: int, *, tries: int, delay: float, backoff: float, sleep) -> str:
    for number in range(1, tries + 1):
        try:
            return render_pdf_try(invoice_id, last_try=number == tries)
        except Exception as exc:  # noqa: BLE001 - retried below; the last try records it itself
            db.session.rollback()
            if number == tries:
                log.error(
                    "PDF of invoice %s failed and the failure could not be recorded: %s",
                    invoice_id,
                    describe_failure(exc),
                )
                return "unrecorded"
            sleep(delay * backoff ** (number - 1))
    return "unrecorded"
