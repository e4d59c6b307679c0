"""Background jobs of delivery: sending queued e-mail requests (one job each), and the bulk e-mail action."""

from __future__ import annotations

import logging

from portal.delivery.email_queue import request_invoice_email, send_queued_email
from portal.extensions import db
from portal.foundations.errors import ServiceError
from portal.foundations.permissions import Actor
from portal.jobs import huey, is_last_try, job_app, retry_options
from portal.models import EmailDelivery, Invoice

log = logging.getLogger(__name__)


@huey.task(context=True)
def send_email_job(delivery_id: int, task=None) -> str:
    """Send one queued e-mail request (one try; see `send_queued_email`)."""
    with job_app().app_context():
        return send_queued_email(delivery_id, last_try=is_last_try(task))


def enqueue_email(delivery_id: int) -> None:
    """Send now (inline mode) or on a worker, with retries. Call after the request is committed."""
    send_email_job(delivery_id, **retry_options())


def email_invoices(invoice_ids: list[int], actor: Actor) -> dict:
    """Queue an e-mail of each invoice to its default recipients (one commit per invoice), then send each.

    Returns {"queued": [ids], "sent": [ids], "failed": [{"id", "error"}]}: refused requests (not
    found, not approved, no recipient) are failed at once; inline every queued e-mail has also
    been tried, and ends in "sent" or "failed"; with a queue the e-mails go out on the workers
    and "sent" is empty. Invoices already e-mailed are sent again only if asked again (this is
    an explicit bulk action).
    """
    result: dict = {"queued": [], "sent": [], "failed": []}
    for invoice_id in invoice_ids:
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            result["failed"].append({"id": invoice_id, "error": "not found"})
            continue
        try:
            delivery_id = request_invoice_email(invoice, actor=actor).id
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            result["failed"].append({"id": invoice_id, "error": exc.message})
            continue
        result["queued"].append(invoice_id)
        enqueue_email(delivery_id)
        if huey.immediate:
            delivery = db.session.get(EmailDelivery, delivery_id)
            db.session.refresh(delivery)
            if delivery.status in ("sent", "outbox"):
                result["sent"].append(invoice_id)
            else:
                result["failed"].append({"id": invoice_id, "error": delivery.error or delivery.status})
    return result
