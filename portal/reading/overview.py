"""The admin dashboard: the clerk's work queue (to approve, to send, to chase) and the figures (invoices by
state, money owed per currency, the last billing run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from portal.billing.runs import recent_billing_runs
from portal.extensions import db
from portal.models import BillingRun, Invoice, InvoiceState, payment_status_condition


@dataclass
class CurrencyFigures:
    currency: str
    outstanding: Decimal = Decimal("0")
    outstanding_count: int = 0
    overdue: Decimal = Decimal("0")
    overdue_count: int = 0


@dataclass
class DashboardFigures:
    by_state: dict[str, int] = field(default_factory=dict)
    pending: int = 0
    per_currency: list[CurrencyFigures] = field(default_factory=list)
    last_run: BillingRun | None = None


def dashboard_figures(today: dt.date) -> DashboardFigures:
    """Counts by state, Pending count, and outstanding / overdue amounts of approved invoices per currency.

    An invoice is overdue when it is approved, still owes money and its due date is before `today`.
    Everything is aggregated in the database.
    """
    counts = dict(db.session.execute(select(Invoice.state, func.count()).group_by(Invoice.state)).all())
    figures = DashboardFigures(by_state={state: counts.get(state, 0) for state in InvoiceState})
    figures.pending = figures.by_state[InvoiceState.PENDING]
    overdue = Invoice.due_date < today
    rows = db.session.execute(
        select(
            Invoice.currency,
            func.sum(Invoice.outstanding),
            func.count(),
            func.sum(case((overdue, Invoice.outstanding), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(Invoice.state == InvoiceState.APPROVED, Invoice.outstanding > 0)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    figures.per_currency = [
        CurrencyFigures(currency, Decimal(total or 0), count, Decimal(late or 0), int(late_count or 0))
        for currency, total, count, late, late_count in rows
    ]
    figures.last_run = next(iter(recent_billing_runs(1)), None)
    return figures


@dataclass
class QueueEntry:
    """One invoice that waits for the clerk; `flag` says why it deserves a second look (an anomaly)."""

    invoice: Invoice
    flag: str | None = None


@dataclass
class WorkQueue:
    """What waits for the clerk, each list the first `limit` entries and each count the whole of it."""

    to_approve: list[QueueEntry] = field(default_factory=list)
    to_approve_count: int = 0
    to_send: list[Invoice] = field(default_factory=list)
    to_send_count: int = 0
    overdue: list[Invoice] = field(default_factory=list)
    overdue_count: int = 0


# Approved and never delivered in any way: what "Approved but not yet sent" means on the invoice list too.
NOT_DELIVERED = and_(
    Invoice.state == InvoiceState.APPROVED,
    Invoice.emailed_at.is_(None),
    Invoice.downloaded_at.is_(None),
    Invoice.printed_at.is_(None),
    Invoice.marked_delivered_at.is_(None),
)


def work_queue(today: dt.date, *, limit: int = 10) -> WorkQueue:
    """The clerk's work: Pending invoices to approve (oldest first, flagged when their billing run's anomaly
    report names them), approved invoices not yet delivered, and overdue invoices to chase (longest overdue
    first, the payment status `overdue` of portal.models.invoice on `today`)."""
    queue = WorkQueue()
    # The owners are read for the `limit` invoices of each list afterwards, by id: joined into the query,
    # PostgreSQL joined every matching invoice to its account and customer before keeping the first ten,
    # which grew with the number of customers (bench/customers.py).
    with_owner = (selectinload(Invoice.customer), selectinload(Invoice.account))

    def first(condition, order):
        return list(
            db.session.scalars(select(Invoice).options(*with_owner).where(condition).order_by(*order).limit(limit))
        )

    def count(condition) -> int:
        return db.session.scalar(select(func.count()).select_from(Invoice).where(condition)) or 0

    pending = Invoice.state == InvoiceState.PENDING
    to_approve = first(pending, (Invoice.created_at, Invoice.id))
    flags = _anomaly_flags({inv.billing_run_id for inv in to_approve if inv.billing_run_id})
    queue.to_approve = [QueueEntry(inv, flags.get(inv.id)) for inv in to_approve]
    queue.to_approve_count = count(pending)
    queue.to_send = first(NOT_DELIVERED, (Invoice.invoice_date, Invoice.id))
    queue.to_send_count = count(NOT_DELIVERED)
    overdue = payment_status_condition("overdue", today)
    queue.overdue = first(overdue, (Invoice.due_date, Invoice.id))
    queue.overdue_count = count(overdue)
    return queue


def _anomaly_flags(run_ids: set[int]) -> dict[int, str]:
    """Invoice id -> why its billing run's anomaly report named it ("total 1,234.00 against 300.00 on average")."""
    if not run_ids:
        return {}
    flags = {}
    for anomalies in db.session.scalars(select(BillingRun.anomalies).where(BillingRun.id.in_(run_ids))):
        for anomaly in anomalies or []:
            change = anomaly.get("change_percent")
            flags[anomaly["invoice_id"]] = (
                f"total {anomaly['total']} {anomaly['currency']} against {anomaly['average']} on average"
                + (f" ({'+' if not str(change).startswith('-') else ''}{change} %)" if change is not None else "")
            )
    return flags
