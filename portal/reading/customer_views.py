"""Customer-facing invoice reads: the filtered, sorted, paged list, its CSV rows and the dashboard figures.

Every query here starts from `portal.customers.scope.customer_invoices` (own customer, allowed
accounts, approved only), so no filter, sort or export can reach anything outside that scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from portal.billing.usage import PeriodUsage, usage_so_far
from portal.customers.scope import CustomerScope
from portal.extensions import db
from portal.foundations.dates import local_midnight
from portal.foundations.errors import FieldError, ValidationFailed
from portal.foundations.money import money_sum, money_value, round_currency
from portal.foundations.streaming import stream_with_own_session
from portal.models import STATUS_FILTERS, UNPAID, Account, Invoice, PaymentStatus, payment_status_condition
from portal.reading import paging
from portal.reading.invoice_list import InvoiceListQuery, read_cursor, read_invoice_list
from portal.reading.invoice_search import within
from portal.reading.listed_invoice import ListedInvoice
from portal.reading.paging import InvoicePage

# Customers see raised invoices only, so every status filter but draft.
STATUSES = tuple(name for name in STATUS_FILTERS if name != PaymentStatus.DRAFT)
# sort name -> column; the id breaks ties.
SORT_COLUMNS = {"date": Invoice.invoice_date, "number": Invoice.invoice_number, "amount": Invoice.total_amount}
SORTS = tuple(SORT_COLUMNS)
DIRECTIONS = ("asc", "desc")
PAGE_SIZES = (10, 25, 50, 100)
MAX_PAGE_SIZE = max(PAGE_SIZES)
PRESETS = {
    "this_month": "This month",
    "last_month": "Last month",
    "last_3_months": "Last 3 months",
    "this_year": "This year",
    "last_year": "Last year",
}


@dataclass
class CustomerInvoiceFilters:
    """Validated filter values of the customer invoice list (all optional).

    `after` and `before` are the page links' cursors (portal.reading.list_cursor), as given.
    """

    account_id: int | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    invoice_date_from: dt.date | None = None
    invoice_date_to: dt.date | None = None
    due_date_from: dt.date | None = None
    due_date_to: dt.date | None = None
    status: str | None = None
    number: str | None = None
    sort: str = "date"
    direction: str = "desc"
    page: int = 1
    per_page: int = 25
    after: str | None = None
    before: str | None = None


def preset_window(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of a named period relative to `today` (both inclusive)."""
    first_of_month = today.replace(day=1)
    if preset == "this_month":
        return first_of_month, first_of_month + relativedelta(months=1, days=-1)
    if preset == "last_month":
        start = first_of_month - relativedelta(months=1)
        return start, first_of_month - dt.timedelta(days=1)
    if preset == "last_3_months":
        # This month so far and the two before it: the window ends today, never in the future.
        return first_of_month - relativedelta(months=2), today
    if preset == "this_year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValidationFailed.single("preset", "is not a known period")


def check_filters(scope: CustomerScope, filters: CustomerInvoiceFilters) -> None:
    """Reject filter values that make no sense or leave the customer's scope.

    Raises:
        ValidationFailed: one FieldError per bad field (`account`, `period-to`, `invoice-date-to`,
            `due-date-to`, `status`, `sort`, `direction`, `per-page`, `page`).
    """
    errors: list[FieldError] = []
    if filters.account_id is not None and filters.account_id not in {a.id for a in scope.accounts}:
        errors.append(FieldError("account", "is not one of your accounts"))
    for name in ("period", "invoice_date", "due_date"):
        start, end = getattr(filters, f"{name}_from"), getattr(filters, f"{name}_to")
        if start and end and end < start:
            errors.append(FieldError(f"{name.replace('_', '-')}-to", "must not be before the start date"))
    if filters.status is not None and filters.status not in STATUSES:
        errors.append(FieldError("status", "is not a known status"))
    if filters.sort not in SORTS:
        errors.append(FieldError("sort", "is not a known sort order"))
    if filters.direction not in DIRECTIONS:
        errors.append(FieldError("direction", "must be asc or desc"))
    if filters.per_page not in PAGE_SIZES:
        errors.append(FieldError("per-page", f"must be one of {', '.join(map(str, PAGE_SIZES))}"))
    if filters.page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if errors:
        raise ValidationFailed(errors)


def _period_overlap(scope: CustomerScope, filters: CustomerInvoiceFilters):
    """Invoices whose period overlaps the window, the window's days read in each account's time zone.

    Accounts are grouped by time zone so the condition has one branch per zone, not per account.
    """
    zones: dict[str, list[int]] = {}
    for account in scope.accounts:
        if filters.account_id is None or account.id == filters.account_id:
            zones.setdefault(account.timezone or "UTC", []).append(account.id)
    branches = []
    for tz, ids in zones.items():
        conditions = [Invoice.account_id.in_(ids)]
        if filters.period_from:
            conditions.append(Invoice.end_date > local_midnight(filters.period_from, tz))
        if filters.period_to:
            conditions.append(Invoice.start_date < local_midnight(filters.period_to + dt.timedelta(days=1), tz))
        branches.append(and_(*conditions))
    return or_(*branches) if branches else false()


def customer_conditions(scope: CustomerScope, filters: CustomerInvoiceFilters, today: dt.date) -> list:
    """The WHERE clauses of the filters (the scope's own come separately). Call check_filters() first."""
    conditions = []
    if filters.account_id is not None:
        conditions.append(Invoice.account_id == filters.account_id)
    if filters.period_from or filters.period_to:
        conditions.append(_period_overlap(scope, filters))
    conditions += within(Invoice.invoice_date, filters.invoice_date_from, filters.invoice_date_to)
    conditions += within(Invoice.due_date, filters.due_date_from, filters.due_date_to)
    if filters.status:
        conditions.append(payment_status_condition(filters.status, today))
    if filters.number:
        conditions.append(Invoice.invoice_number == filters.number.strip())
    return conditions


def customer_list_query(scope: CustomerScope, filters: CustomerInvoiceFilters, *, today: dt.date) -> InvoiceListQuery:
    """The list query (portal.reading.invoice_list) of the customer's filtered invoices: inside the
    scope, paged by keyset from a page link's cursor, counted up to COUNT_LIMIT.

    Raises:
        ValidationFailed: from check_filters(), or `after`/`before` that are not page links of this sort.
    """
    check_filters(scope, filters)
    errors: list[FieldError] = []
    column = SORT_COLUMNS[filters.sort]
    after = read_cursor(filters.after or "", "after", filters.sort, column, errors)
    before = read_cursor(filters.before or "", "before", filters.sort, column, errors)
    if after and before:
        errors.append(FieldError("before", "cannot be given with after"))
    if errors:
        raise ValidationFailed(errors)
    return InvoiceListQuery(
        conditions=customer_conditions(scope, filters, today),
        scope=scope.invoice_conditions(),
        sort_key=filters.sort,
        sort_column=column,
        descending=filters.direction == "desc",
        page=filters.page,
        per_page=filters.per_page,
        after=after,
        before=before,
        keyset=True,
        count_limit=paging.COUNT_LIMIT,
        filters=filters,
    )


# What the list page reads of each invoice: the columns its table shows, those Invoice.payment_status reads,
# and of the account its name and time zone, joined in the same statement, as rows (portal.reading.listed_invoice:
# no ORM objects). The sort columns (SORT_COLUMNS) are among them: the page links' cursors read them.
_LISTED_COLUMNS = (
    *("id", "uuid", "invoice_number", "reference", "account_id", "credited_invoice_id", "currency", "state"),
    *("start_date", "end_date", "invoice_date", "due_date", "total_amount", "paid_amount", "outstanding"),
)
LIST_ROWS = select(
    *(getattr(Invoice, name) for name in _LISTED_COLUMNS),
    Account.name.label("account_name"),
    Account.timezone.label("account_timezone"),
).join(Account, Account.id == Invoice.account_id)


def listed_customer_invoice(values: dict) -> ListedInvoice:
    """A row of LIST_ROWS (its values by column name), read as the list's template reads an invoice
    (`inv.account.name` included)."""
    return ListedInvoice(
        values, account=SimpleNamespace(name=values["account_name"], timezone=values["account_timezone"])
    )


def list_customer_invoices(scope: CustomerScope, filters: CustomerInvoiceFilters, *, today: dt.date) -> InvoicePage:
    """One page of the customer's filtered invoices: two queries (a count bounded at COUNT_LIMIT, the rows)
    whatever the page holds, and no OFFSET once the page was reached by Next or Previous. The rows are
    ListedInvoices of LIST_ROWS (the invoice's rules, its columns and its account's name and time zone).

    Raises:
        ValidationFailed: from customer_list_query().
    """
    return read_invoice_list(
        customer_list_query(scope, filters, today=today), rows=LIST_ROWS, make=listed_customer_invoice
    )


def iter_customer_invoices(
    scope: CustomerScope, filters: CustomerInvoiceFilters, *, today: dt.date, batch: int = 500
) -> Iterator[Invoice]:
    """Every invoice of the filtered list (all pages) in list order, read in batches for a streamed export.

    The filters are checked and the query built now, in the caller's request; the rows are
    read later through a session of the stream's own (`portal.foundations.streaming`), one query with
    `yield_per` (a server-side cursor on PostgreSQL) that lives until the stream ends, so an
    export of any length keeps memory flat and arrives whole. Each invoice comes with its
    account. Close the iterator when done with it early.

    Raises:
        ValidationFailed: from customer_list_query(), before anything is read.
    """
    stmt = (
        customer_list_query(scope, filters, today=today)
        .statement()
        .execution_options(yield_per=batch, stream_results=True)
    )
    return stream_with_own_session(_stream_invoices, stmt)


def _stream_invoices(session: Session, stmt) -> Iterator[Invoice]:
    result = session.scalars(stmt)
    try:
        yield from result
    finally:
        result.close()


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    outstanding: Decimal
    overdue: Decimal
    open_count: int
    overdue_count: int


def outstanding_by_currency(
    scope: CustomerScope, *, today: dt.date, account_id: int | None = None
) -> list[CurrencyTotals]:
    """Outstanding and overdue sums per currency (never added across currencies), in one GROUP BY.

    "Outstanding" is the balance due of exactly the invoices the list's `unpaid` filter shows
    (`payment_status_condition(UNPAID, today)`): what the dashboard says is owed is that list's sum.
    """
    dialect = db.session.get_bind().dialect.name
    scoped = scope.invoices().where(payment_status_condition(UNPAID, today))
    if account_id is not None:
        scoped = scoped.where(Invoice.account_id == account_id)
    inv = scoped.subquery()
    overdue = inv.c.due_date < today
    stmt = (
        select(
            inv.c.currency,
            money_sum(inv.c.outstanding, dialect).label("outstanding"),
            money_sum(case((overdue, inv.c.outstanding), else_=0), dialect).label("overdue"),
            func.count().label("open_count"),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0).label("overdue_count"),
        )
        .group_by(inv.c.currency)
        .order_by(inv.c.currency)
    )
    return [
        CurrencyTotals(
            currency=row.currency,
            outstanding=round_currency(money_value(row.outstanding, dialect), row.currency),
            overdue=round_currency(money_value(row.overdue, dialect), row.currency),
            open_count=int(row.open_count),
            overdue_count=int(row.overdue_count),
        )
        for row in db.session.execute(stmt)
    ]


def latest_invoices(scope: CustomerScope, *, limit: int, account_id: int | None = None) -> list[Invoice]:
    """The customer's most recent invoices (latest period first)."""
    stmt = scope.invoices()
    if account_id is not None:
        stmt = stmt.where(Invoice.account_id == account_id)
    return list(db.session.scalars(stmt.order_by(Invoice.start_date.desc(), Invoice.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Dashboard:
    totals: list[CurrencyTotals]
    latest: list[Invoice]
    chart_invoices: list[Invoice]
    usage: list[PeriodUsage]


def customer_dashboard(
    scope: CustomerScope,
    *,
    today: dt.date,
    now: dt.datetime,
    account_id: int | None = None,
    latest: int = 5,
    chart: int = 12,
) -> Dashboard:
    """The dashboard figures: totals per currency, the latest invoices, those of the spend chart, and each
    account's usage so far in its open billing period (portal.billing.usage: what its next invoice would bill).

    `account_id` must be one of the scope's accounts (the switcher form checks it; anything else
    is treated as "all accounts", which is still inside the scope).
    """
    if account_id is not None and account_id not in {a.id for a in scope.accounts}:
        account_id = None
    recent = latest_invoices(scope, limit=max(latest, chart), account_id=account_id)
    accounts = [a for a in scope.accounts if account_id is None or a.id == account_id]
    return Dashboard(
        totals=outstanding_by_currency(scope, today=today, account_id=account_id),
        latest=recent[:latest],
        chart_invoices=list(reversed(recent[:chart])),
        usage=[usage_so_far(account, now) for account in accounts],
    )
