"""`GET /v2/orgs/{orgId}/accounts/{accountId}/invoices`: the InvoiceInfoList of an account."""
from __future__ import annotations

import datetime as dt
import re

from flask import g, jsonify, request

from portal.api.orgs_v2 import bp, error_message
from portal.billing.dates import local_date, local_midnight
from portal.billing.money import round_currency
from portal.billing.org_invoices import account_invoices
from portal.database import utcnow
from portal.delivery.links import download_url, mint_download_link
from portal.errors import InvalidState, PermissionDenied
from portal.extensions import db
from portal.models import Invoice

# Payment status of an invoice (Invoice.status_on) -> InvoiceInfoDetail.status {id, value}.
STATUSES = {"unpaid": (1, "UNPAID"), "paid": (2, "PAID"), "overdue": (3, "OVERDUE"),
            "partially paid": (4, "PARTIALLY_PAID")}
LINK_LIFETIME = dt.timedelta(hours=24)
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


def _path(invoice: Invoice) -> str | None:
    """A signed download path for the PDF, minted for this caller.

    None when no link can be made: the key's level may not mint links, or the PDF cannot be
    rendered (the reason is recorded on the invoice); one such invoice must not fail the list.
    """
    try:
        _link, token = mint_download_link(invoice, actor=g.api_caller.actor, expires_in=LINK_LIFETIME,
                                          max_uses=1, purpose="api")
    except (PermissionDenied, InvalidState):
        return None
    return download_url(token, external=False)


def invoice_info(invoice: Invoice) -> dict:
    tz = invoice.account.timezone
    today = local_date(utcnow(), tz)
    status_id, status_value = STATUSES.get(invoice.status_on(today), STATUSES["unpaid"])
    return {
        # A JSON number, as documented; the Decimal is rounded to the currency first, so the
        # float's shortest representation prints exactly these digits.
        "value": float(round_currency(invoice.total_amount, invoice.currency)),
        "delivery_mode": invoice.account.delivery_mode,
        "date": _day_start(invoice.invoice_date, tz),
        "pay_date": _day_start(invoice.due_date, tz),
        "number": invoice.invoice_number,
        "path": _path(invoice),
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
        "invoices": [invoice_info(i) for i in result.invoices],
    }
    db.session.commit()
    return jsonify(body)
