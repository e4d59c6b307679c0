"""Create an invoice, commit it, fill it after the commit: the one path of the admin pages and both APIs.

A billing run creates, fills and approves each period in one transaction of its own
(`portal.billing.run_accounts.bill_account`); every face that creates one invoice on request goes through here.
"""

from __future__ import annotations

from portal.billing.cutoff_invoices import create_customer_invoice
from portal.billing.invoices import create_invoice, get_invoice
from portal.billing.tasks import enqueue_fill
from portal.extensions import db
from portal.jobs import call_after_commit
from portal.models import Customer, Invoice


def create_and_fill_invoice(
    *, customer: Customer | None = None, fill_after_response: bool = False, **arguments
) -> Invoice:
    """Create an invoice, commit it, and fill it once the commit has happened; return it re-read.

    Unlike other services this one commits: the fill reads committed rows only, in a job of its own.
    With a queue the fill is enqueued at the commit and the invoice comes back New. Without one
    the fill runs in this process: at the commit (the invoice comes back Pending, filled), or with
    `fill_after_response` once the current response has been sent (it comes back New, all totals zero).

    Args:
        customer: create for this customer up to a cut-off date (`create_customer_invoice`, the
            backend API); None creates for an account and period (`create_invoice`).
        fill_after_response: without a queue, fill after the response rather than before it.
        arguments: the keyword arguments of `create_customer_invoice` or `create_invoice`.

    Returns the invoice as committed, read again after the commit (and the fill, when that ran at once).

    Raises:
        ValidationFailed, MissingParameter, PermissionDenied: as the create function; nothing is
            committed then, and the session is left for the caller to roll back.
    """
    if customer is not None:
        invoice = create_customer_invoice(customer, **arguments)
    else:
        invoice = create_invoice(**arguments)
    invoice_id = invoice.id
    call_after_commit(enqueue_fill, invoice_id, fill_after_response)
    db.session.commit()
    db.session.expire_all()
    return get_invoice(invoice_id)
