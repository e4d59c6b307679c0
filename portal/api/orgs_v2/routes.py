"""`GET /v2/orgs/{orgId}/accounts/{accountId}/invoices`: the InvoiceInfoList of an account, and the PDF its
`path` names (`…/invoices/{uuid}.pdf`), fetched with the same API key."""

from __future__ import annotations

import datetime as dt
import re

from flask import Response, g, jsonify, request, url_for

from portal.api.orgs_v2 import bp, error_message
from portal.documents.service import pdf_filename, stored_pdf_bytes
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date, local_midnight
from portal.models import Invoice, PaymentStatus
from portal.reading.org_invoices import account_invoice, account_invoices
from portal.statement import statement_figures

# Payment status (Invoice.payment_status) -> InvoiceInfoDetail.status {id, value}. The API lists raised
# invoices only; a credit note (and any invoice with a negative total) leaves nothing to pay and says so.
STATUSES = {
    PaymentStatus.OPEN: (1, "UNPAID"),
    PaymentStatus.PAID: (2, "PAID"),
    PaymentStatus.CREDIT_NOTE: (5, "CREDIT_NOTE"),
    PaymentStatus.OVERDUE: (3, "OVERDUE"),
    PaymentStatus.PARTIALLY_PAID: (4, "PARTIALLY_PAID"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadDateParameter(ValueError):
    pass


def _query_date(name: str) -> dt.date | None:
    value = request.args.get(name)
    if value is None:
        return None
    value = value.strip().strip("'\"")  # the documented example quotes the dates
    if not _DATE.match(value):
        raise BadDateParameter(f"{name} must be a date with format yyyy-mm-dd")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadDateParameter(f"{name} is not a valid date") from None


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_start(value: dt.date | None, tz: str) -> str | None:
    """A date as the instant its day starts in the account's zone (the seed's `date` values)."""
    return _moment(local_midnight(value, tz)) if value else None


def _path(invoice: Invoice, org_slug: str) -> str | None:
    """Where the caller fetches the stored PDF with its own API key; None while none is stored.

    A stable path, the same on every call: listing mints, renders and records nothing. PDFs are
    rendered at approval or by the background renderer (`documents render-missing`), never here.
    """
    if not invoice.has_stored_pdf:
        return None
    return url_for(
        "orgs_v2.account_invoice_pdf", orgId=org_slug, accountId=invoice.account_id, invoiceId=str(invoice.uuid)
    )


def invoice_info(invoice: Invoice, org_slug: str) -> dict:
    tz = invoice.account.timezone
    today = local_date(utcnow(), tz)
    # The statement's figures (portal.statement), as every other face shows them.
    figures = statement_figures(invoice, today)
    status_id, status_value = STATUSES.get(figures.status, STATUSES[PaymentStatus.OPEN])
    return {
        # A JSON number, as documented; the statement's total is rounded to the currency, so the
        # float's shortest representation prints exactly these digits.
        "value": float(figures.total),
        "delivery_mode": invoice.account.delivery_mode,
        "date": _day_start(invoice.invoice_date, tz),
        "pay_date": _day_start(invoice.due_date, tz),
        "number": invoice.invoice_number,
        "path": _path(invoice, org_slug),
        "status": {"id": status_id, "value": status_value},
        "cycle": {"start_date": _moment(invoice.start_date), "end_date": _moment(invoice.end_date)},
    }


@bp.get("/orgs/<orgId>/accounts/<accountId>/invoices", strict_slashes=False)
def account_invoices_list(orgId: str, accountId: str):  # noqa: N803 - the documented parameter names
    try:
        start, end = _query_date("start_date"), _query_date("end_date")
    except BadDateParameter as exc:
        return error_message(400, str(exc))
    result = account_invoices(orgId, accountId, start=start, end=end, actor=g.api_caller.actor)
    body = {
        "account_id": result.account.id,
        "period_date": {"start_date": result.start.isoformat(), "end_date": result.end.isoformat()},
        "invoices": [invoice_info(i, orgId) for i in result.invoices],
    }
    db.session.commit()  # the key's last use (portal.auth.api_keys.verify_api_key); nothing else is written
    return jsonify(body)


@bp.get("/orgs/<orgId>/accounts/<accountId>/invoices/<invoiceId>.pdf")
def account_invoice_pdf(orgId: str, accountId: str, invoiceId: str):  # noqa: N803 - as the list route names them
    """The stored PDF of an invoice the list shows, for the same key; 404 when none is stored (nothing renders)."""
    invoice = account_invoice(orgId, accountId, invoiceId, actor=g.api_caller.actor)
    data = stored_pdf_bytes(invoice.id)
    if data is None:
        return error_message(404, f"Invoice {invoiceId} has no PDF yet; it is rendered in the background.")
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    response.headers["Cache-Control"] = "private, no-store"
    db.session.commit()  # the key's last use, as for the list
    return response
