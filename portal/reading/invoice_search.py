"""Searching invoices across customers with the backend API's filters (admin list and backend API list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from portal.customers.scope import customer_invoice_conditions
from portal.foundations.errors import FieldError, ValidationFailed
from portal.foundations.ids import MAX_ROW_ID
from portal.foundations.permissions import Actor, require
from portal.models import (
    STATUS_FILTERS,
    TYPES,
    Account,
    Customer,
    Invoice,
    InvoiceState,
    payment_status_condition,
)
from portal.reading.invoice_list import InvoiceListQuery, read_cursor, read_invoice_list
from portal.reading.list_cursor import Cursor
from portal.reading.paging import InvoicePage

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50

# sort key -> column; a leading "-" sorts descending. The id breaks ties so pages are stable.
SORTS = {
    "id": Invoice.id,
    "invoiceNumber": Invoice.invoice_number,
    "invoiceDate": Invoice.invoice_date,
    "dueDate": Invoice.due_date,
    "startDate": Invoice.start_date,
    "created": Invoice.created_at,
    "total": Invoice.total_amount,
    "amount": Invoice.amount_total,
    "customer": Customer.name,
    "account": Account.name,
    "state": Invoice.state,
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass
class InvoiceFilters:
    """Parsed filters. `include_unsent` False means approved invoices only (the backend API default)."""

    invoice_number: str | None = None
    customer_id: int | None = None
    account_id: int | None = None
    state: str | None = None
    invoice_type: str | None = None
    unsent: bool = False
    include_unsent: bool = False
    undelivered: bool = False
    min_date: dt.date | None = None
    max_date: dt.date | None = None
    min_due_date: dt.date | None = None
    max_due_date: dt.date | None = None
    created_since: dt.datetime | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    # The admin page's own filters (not the backend API's): part of an invoice number, part of a customer's
    # name, and a payment status (portal.models.invoice.STATUS_FILTERS) on the day `today`.
    number_contains: str | None = None
    customer_name: str | None = None
    payment_status: str | None = None
    today: dt.date | None = None
    sort: str = "-id"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    # Keyset paging (the admin list): NULLs sort the same on every database, and the page may start
    # after (or end before) a cursor's row instead of at an offset. `page` is then only displayed.
    keyset: bool = False
    after: Cursor | None = None
    before: Cursor | None = None


def parse_invoice_filters(
    args, *, include_unsent_default: bool = False, keyset: bool = False, today: dt.date | None = None
) -> InvoiceFilters:
    """Read filters from a mapping of strings (query args) named like the backend API.

    Names: invoiceNumber, customer, account, state, type, unsent, includeUnsent, undelivered,
    minDate, maxDate, minDueDate, maxDueDate, createdSince, minAmount, maxAmount, sort, page, perPage.
    `include_unsent_default` True lists every state unless `includeUnsent=false` (the admin page).
    `keyset` True (the admin page) also reads the cursors `after` and `before` (portal.reading.list_cursor).
    `today` given (the admin page) also reads the page's own filters: `number` (part of an invoice number),
    `customerName` (part of a customer's name) and `paymentStatus` (one of STATUS_FILTERS on that day).

    Raises ValidationFailed naming every bad filter (dates in the wrong order included).
    """
    errors: list[FieldError] = []
    get = lambda name: (args.get(name) or "").strip()  # noqa: E731 - a one-line helper used right below
    f = InvoiceFilters()
    f.invoice_number = get("invoiceNumber") or None
    f.customer_id = _int(get("customer"), "customer", errors)
    f.account_id = _int(get("account"), "account", errors)
    state = get("state")
    if state and state not in tuple(InvoiceState):
        errors.append(FieldError("state", f"must be one of {', '.join(InvoiceState)}"))
    f.state = state or None
    invoice_type = get("type")
    if invoice_type and invoice_type not in TYPES:
        errors.append(FieldError("type", f"must be one of {', '.join(TYPES)}"))
    f.invoice_type = invoice_type or None
    f.unsent = _bool(get("unsent"), "unsent", errors, False)
    f.include_unsent = _bool(get("includeUnsent"), "includeUnsent", errors, include_unsent_default)
    f.undelivered = _bool(get("undelivered"), "undelivered", errors, False)
    f.min_date = _date(get("minDate"), "minDate", errors)
    f.max_date = _date(get("maxDate"), "maxDate", errors)
    f.min_due_date = _date(get("minDueDate"), "minDueDate", errors)
    f.max_due_date = _date(get("maxDueDate"), "maxDueDate", errors)
    f.created_since = _moment(get("createdSince"), "createdSince", errors)
    f.min_amount = _decimal(get("minAmount"), "minAmount", errors)
    f.max_amount = _decimal(get("maxAmount"), "maxAmount", errors)
    for low, high, name in (
        (f.min_date, f.max_date, "maxDate"),
        (f.min_due_date, f.max_due_date, "maxDueDate"),
        (f.min_amount, f.max_amount, "maxAmount"),
    ):
        if low is not None and high is not None and high < low:
            errors.append(FieldError(name, "must not be before the minimum"))
    sort = get("sort") or "-id"
    if sort.lstrip("-") not in SORTS:
        errors.append(FieldError("sort", f"must be one of {', '.join(sorted(SORTS))} (prefix - for descending)"))
    f.sort = sort
    page = _int(get("page"), "page", errors)
    per_page = _int(get("perPage"), "perPage", errors)
    if page is not None and page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if per_page is not None and not 1 <= per_page <= MAX_PER_PAGE:
        errors.append(FieldError("perPage", f"must be between 1 and {MAX_PER_PAGE}"))
    f.page, f.per_page = page or 1, per_page or DEFAULT_PER_PAGE
    if today is not None:
        f.today = today
        f.number_contains = get("number") or None
        f.customer_name = get("customerName") or None
        status = get("paymentStatus")
        if status and status not in STATUS_FILTERS:
            errors.append(FieldError("paymentStatus", f"must be one of {', '.join(STATUS_FILTERS)}"))
        f.payment_status = status or None
    f.keyset = keyset
    if keyset:
        f.after, f.before = _cursor(get("after"), "after", sort, errors), _cursor(get("before"), "before", sort, errors)
        if f.after and f.before:
            errors.append(FieldError("before", "cannot be given with after"))
    if errors:
        raise ValidationFailed(errors)
    return f


def within(column, low, high) -> list:
    """The conditions keeping `column` between `low` and `high` (both included); a bound that is not set adds none."""
    conditions = []
    if low:
        conditions.append(column >= low)
    if high:
        conditions.append(column <= high)
    return conditions


def invoice_conditions(f: InvoiceFilters) -> list:
    """The WHERE clauses of the filters; they name invoice columns only, so they also work without joins."""
    conditions = []
    if f.invoice_number:
        conditions.append(Invoice.invoice_number == f.invoice_number)
    if f.number_contains:
        conditions.append(Invoice.invoice_number.icontains(f.number_contains, autoescape=True))
    if f.customer_name:
        matching = select(Customer.id).where(Customer.name.icontains(f.customer_name, autoescape=True))
        conditions.append(Invoice.customer_id.in_(matching))
    if f.payment_status and f.today is not None:
        conditions.append(payment_status_condition(f.payment_status, f.today))
    if f.customer_id is not None:
        conditions.append(Invoice.customer_id == f.customer_id)
    if f.account_id is not None:
        conditions.append(Invoice.account_id == f.account_id)
    if f.state:
        conditions.append(Invoice.state == f.state)
    elif f.unsent:
        conditions.append(Invoice.state != InvoiceState.APPROVED)
    elif not f.include_unsent:
        conditions.append(Invoice.state == InvoiceState.APPROVED)
    if f.invoice_type:
        conditions.append(Invoice.invoice_type == f.invoice_type)
    if f.undelivered:
        conditions += [
            Invoice.state == InvoiceState.APPROVED,
            Invoice.emailed_at.is_(None),
            Invoice.downloaded_at.is_(None),
            Invoice.printed_at.is_(None),
            Invoice.marked_delivered_at.is_(None),
        ]
    conditions += within(Invoice.invoice_date, f.min_date, f.max_date)
    conditions += within(Invoice.due_date, f.min_due_date, f.max_due_date)
    if f.created_since:
        conditions.append(Invoice.created_at >= f.created_since)
    # Amount: the raised total once approved, the running amount before.
    amount = Invoice.display_amount
    if f.min_amount is not None:
        conditions.append(amount >= f.min_amount)
    if f.max_amount is not None:
        conditions.append(amount <= f.max_amount)
    return conditions


def search_invoices(f: InvoiceFilters, *, actor: Actor | None = None, count_limit: int | None = None) -> InvoicePage:
    """One page of invoices matching the filters, sorted, with the total count (exact unless a
    `count_limit` bounds it: the HTML list passes COUNT_LIMIT, the APIs promise exact totals).

    With an `actor`, it must be allowed to read invoices (PermissionDenied otherwise), and a customer actor
    (a customer API key) sees only its own customer's raised invoices (portal.customers.scope).
    """
    return read_invoice_list(invoice_list_query(f, actor=actor, count_limit=count_limit))


def invoice_list_query(
    f: InvoiceFilters, *, actor: Actor | None = None, count_limit: int | None = None
) -> InvoiceListQuery:
    """The list query (portal.reading.invoice_list) of these filters, scoped to what `actor` may read."""
    scope = []
    if actor is not None:
        require(actor, "invoice.read")
        if actor.kind == "customer":
            scope = customer_invoice_conditions(actor.customer_id)
    key = f.sort.lstrip("-")
    return InvoiceListQuery(
        conditions=invoice_conditions(f),
        scope=scope,
        sort_key=key,
        sort_column=SORTS[key],
        descending=f.sort.startswith("-"),
        page=f.page,
        per_page=f.per_page,
        after=f.after if f.keyset else None,
        before=f.before if f.keyset else None,
        keyset=f.keyset,
        count_limit=count_limit,
        filters=f,
    )


def _cursor(value: str, name: str, sort: str, errors: list[FieldError]) -> Cursor | None:
    key = sort.lstrip("-")
    if key not in SORTS:
        return None
    return read_cursor(value, name, key, SORTS[key], errors)


def _parsed(value: str, name: str, errors: list[FieldError], parse, message: str):
    """`parse(value)`, or None for an empty value; a value it refuses (ValueError, InvalidOperation) adds
    `message` for `name`."""
    if not value:
        return None
    try:
        return parse(value)
    except (ValueError, InvalidOperation):
        errors.append(FieldError(name, message))
        return None


def _int(value: str, name: str, errors: list[FieldError]) -> int | None:
    number = _parsed(value, name, errors, int, "must be a whole number")
    if number is not None and abs(number) > MAX_ROW_ID:
        errors.append(FieldError(name, "is out of range"))
        return None
    return number


def _bool(value: str, name: str, errors: list[FieldError], default: bool) -> bool:
    if value == "":
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    errors.append(FieldError(name, "must be true or false"))
    return default


def _date(value: str, name: str, errors: list[FieldError]) -> dt.date | None:
    return _parsed(value, name, errors, lambda v: dt.date.fromisoformat(v[:10]), "must be a date (YYYY-MM-DD)")


def _moment(value: str, name: str, errors: list[FieldError]) -> dt.datetime | None:
    moment = _parsed(
        value,
        name,
        errors,
        lambda v: dt.datetime.fromisoformat(v.replace("Z", "+00:00")),
        "must be a date or an ISO-8601 time",
    )
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. 9999-12-31T00:00-23:00 lies past the last representable UTC moment
        errors.append(FieldError(name, "is out of range"))
        return None


def _finite_decimal(value: str) -> Decimal:
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidOperation
    return number


def _decimal(value: str, name: str, errors: list[FieldError]) -> Decimal | None:
    return _parsed(value, name, errors, _finite_decimal, "must be a number")
