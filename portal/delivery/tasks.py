"""Background jobs of delivery: e-mailing many invoices, each in its own transaction."""
from __future__ import annotations

import logging

from portal.errors import ServiceError
from portal.extensions import db
from portal.jobs import huey, job_app
from portal.permissions import Actor

log = logging.getLogger(__name__)


def email_invoices(invoice_ids: list[int], actor: Actor) -> dict:
    """E-mail each invoice to its default recipients; one commit per invoice, so one failure loses nothing else.

    Returns {"sent": [ids], "failed": [{"id", "error"}]}. Invoices already e-mailed are sent again
    only if asked again (this is an explicit bulk action, not a retry loop).
    """
    from portal.delivery.emailing import email_invoice
    from portal.models import Invoice

    result: dict = {"sent": [], "failed": []}
    for invoice_id in invoice_ids:
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            result["failed"].append({"id": invoice_id, "error": "not found"})
            continue
        try:
            email_invoice(invoice, actor=actor)
            db.session.commit()
            result["sent"].append(invoice_id)
        except ServiceError as exc:
            # DeliveryFailed has already committed its failed record; others changed nothing.
            db.session.rollback()
            result["failed"].append({"id": invoice_id, "error": exc.message})
    return result


@huey.task()
def email_invoices_job(invoice_ids: list[int], actor: Actor) -> dict:
    """The bulk e-mail action, inline or on a worker."""
    with job_app().app_context():
        return email_invoices(invoice_ids, actor)
