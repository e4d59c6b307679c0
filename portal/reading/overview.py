"""The figures of the admin dashboard: invoices by state, what waits for approval, money owed per currency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select

from portal.billing.runs import recent_billing_runs
from portal.extensions import db
from portal.models import BillingRun, Invoice, InvoiceState


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
