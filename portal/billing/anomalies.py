"""The anomaly report of a billing run: invoices whose total moved far from the account's recent average."""

from __future__ import annotations

import statistics
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from portal.extensions import db
from portal.foundations.money import round_currency
from portal.models import Invoice

HISTORY = 3  # how many earlier periods make the baseline
MIN_CHANGE_PERCENT = Decimal("15")
DEVIATIONS = 2


def find_anomalies(run_id: int) -> list[dict]:
    """Flag the run's invoices whose total is unusual for their account.

    An invoice is flagged when its `amount_total` differs from the mean of the account's
    three previous invoices (the three latest ending at or before its start) by more than two
    (population) standard deviations of those three totals AND by at least 15% of that mean
    (any change from a zero mean counts, with `change_percent` null). Accounts with fewer
    than three earlier invoices have no baseline and are never flagged.

    Returns [{account_id, account, invoice_id, currency, total, average, change_percent}]
    with decimals as strings (total and average rounded to the currency, percent to 0.1).
    """
    invoices = db.session.scalars(
        select(Invoice)
        .options(joinedload(Invoice.account))
        .where(Invoice.billing_run_id == run_id)
        .order_by(Invoice.account_id, Invoice.start_date)
    ).all()
    histories = _histories(run_id)
    flagged = []
    for invoice in invoices:
        history = histories.get(invoice.id, [])
        if len(history) < HISTORY:
            continue
        totals = [Decimal(v) for v in history]
        total = Decimal(invoice.amount_total)
        average = sum(totals) / len(totals)
        deviation = statistics.pstdev(totals)
        distance = abs(total - average)
        if distance <= DEVIATIONS * deviation:
            continue
        if average == 0:
            change = None
        else:
            change = (total - average) / abs(average) * 100
            if abs(change) < MIN_CHANGE_PERCENT:
                continue
        flagged.append(
            {
                "account_id": invoice.account_id,
                "account": invoice.account.name,
                "invoice_id": invoice.id,
                "currency": invoice.currency,
                "total": str(round_currency(total, invoice.currency)),
                "average": str(round_currency(average, invoice.currency)),
                "change_percent": None if change is None else str(change.quantize(Decimal("0.1"))),
            }
        )
    return flagged


def _histories(run_id: int) -> dict[int, list]:
    """For each invoice of the run, the totals of its account's HISTORY latest invoices ending by its start.

    One query for the whole run (a window ranks each invoice's earlier invoices, newest first),
    instead of one per invoice: a run over thousands of accounts stays a single round trip.
    """
    current, earlier = aliased(Invoice), aliased(Invoice)
    rank = (
        func.row_number()
        .over(partition_by=current.id, order_by=(earlier.end_date.desc(), earlier.id.desc()))
        .label("rank")
    )
    ranked = (
        select(current.id.label("invoice_id"), earlier.amount_total.label("total"), rank)
        .join(earlier, (earlier.account_id == current.account_id) & (earlier.end_date <= current.start_date))
        .where(current.billing_run_id == run_id)
        .subquery()
    )
    histories: dict[int, list] = {}
    for invoice_id, total in db.session.execute(
        select(ranked.c.invoice_id, ranked.c.total)
        .where(ranked.c.rank <= HISTORY)
        .order_by(ranked.c.invoice_id, ranked.c.rank)
    ):
        histories.setdefault(invoice_id, []).append(total)
    return histories
