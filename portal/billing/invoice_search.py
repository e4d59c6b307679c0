"""Searching invoices with the backend API filters (raised by default, unsent, undelivered, dates, number)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from portal.billing.scoping import customer_invoices
from portal.errors import FieldError, ValidationFailed
from portal.extensions import db
from portal.models import Invoice
from portal.permissions import SYSTEM, Actor, require


@dataclass(frozen=True)
class InvoiceFilters:
    """The backend list filters. By default only raised (approved) invoices match.

    unsent: only invoices not raised yet (wins over include_unsent); include_unsent: raised and
    unsent; undelivered: not emailed, downloaded, printed or marked delivered. Dates are
    inclusive; created_since is an aware datetime compared with the creation time.
    """

    invoice_number: str | None = None
    unsent: bool = False
    include_unsent: bool = False
    undelivered: bool = False
    min_date: dt.date | None = None
    max_date: dt.date | None = None
    min_due_date: dt.date | None = None
    max_due_date: dt.date | None = None
    created_since: dt.datetime | None = None


def search_invoices(filters: InvoiceFilters, *, customer_id: int | None = None, actor: Actor = SYSTEM,
                    page: int = 1, per_page: int = 50) -> tuple[list[Invoice], int]:
    """One page of the invoices matching `filters`, oldest first (by id), and the total count.

    Args:
        customer_id: only this customer's invoices.
        actor: a customer actor only ever sees its own raised invoices (portal.billing.scoping).
        page, per_page: 1-based page number and page size.

    Raises:
        ValidationFailed: a minimum date after its maximum, or a page/page size below 1.
        PermissionDenied: the actor may not read invoices.
    """
    require(actor, "invoice.read")
    errors = []
    for low, high, low_name, high_name in (
        (filters.min_date, filters.max_date, "minDate", "maxDate"),
        (filters.min_due_date, filters.max_due_date, "minDueDate", "maxDueDate"),
    ):
        if low and high and low > high:
            errors.append(FieldError(low_name, f"must be on or before {high_name}"))
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if per_page < 1:
        errors.append(FieldError("perPage", "must be 1 or more"))
    if errors:
        raise ValidationFailed(errors)

    if actor.kind == "customer":
        stmt = customer_invoices(actor.customer_id)
    else:
        stmt = select(Invoice)
    conditions = []
    if customer_id is not None:
        conditions.append(Invoice.customer_id == customer_id)
    if filters.unsent:
        conditions.append(Invoice.state != "Approved")
    elif not filters.include_unsent:
        conditions.append(Invoice.state == "Approved")
    if filters.undelivered:
        conditions.extend([Invoice.emailed_at.is_(None), Invoice.downloaded_at.is_(None),
                           Invoice.printed_at.is_(None), Invoice.marked_delivered_at.is_(None)])
    if filters.invoice_number is not None:
        conditions.append(Invoice.invoice_number == filters.invoice_number)
    if filters.min_date:
        conditions.append(Invoice.invoice_date >= filters.min_date)
    if filters.max_date:
        conditions.append(Invoice.invoice_date <= filters.max_date)
    if filters.min_due_date:
        conditions.append(Invoice.due_date >= filters.min_due_date)
    if filters.max_due_date:
        conditions.append(Invoice.due_date <= filters.max_due_date)
    if filters.created_since:
        conditions.append(Invoice.created_at >= filters.created_since)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.order_by(Invoice.id).limit(per_page).offset((page - 1) * per_page))
    return list(rows), int(total or 0)
