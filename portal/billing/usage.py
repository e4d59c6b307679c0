"""An account's usage so far in its open billing period: what the next invoice would bill, read, not stored.

The figures come from the fill's own reads (portal.billing.traffic: the CDRs grouped and billed to the
increment, the transactions of the window) and its discount plans (portal.billing.discounts), summed
as the fill totals them, so the dashboard's "so far" is the net the invoice of that period will show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal.billing.discounts import apply_discounts
from portal.billing.periods import period_containing
from portal.billing.schedule import latest_invoice_end
from portal.billing.traffic import traffic_rows, transactions_filter
from portal.extensions import db
from portal.foundations.money import ZERO, money_sum, money_value, round_currency
from portal.models import Account, Transaction

# Accounts invoiced by hand have no invoice period: their open period is the calendar month.
MANUAL_PERIOD = "Monthly"


@dataclass(frozen=True)
class PeriodUsage:
    """The open period [start, end) of an account and what it holds so far.

    `calls` and `billed_seconds` are the originated calls and their billed seconds; `amount` is the
    net an invoice of the period would show now (traffic after discounts, less credited traffic,
    plus charges and credits), rounded to the currency.
    """

    account: Account
    start: dt.datetime
    end: dt.datetime
    calls: int
    billed_seconds: int
    amount: Decimal

    @property
    def currency(self) -> str:
        return self.account.currency


def open_period(account: Account, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period the account's next invoice bills: the invoice period holding `now`
    (the calendar month for manual invoicing), starting where the latest invoice ended if that is later.
    start == end when the period is already invoiced."""
    period = period_containing(account.invoice_period or MANUAL_PERIOD, now, account.timezone)
    start, end = period.start, period.end
    last_end = latest_invoice_end(account.id)
    if last_end is not None:
        last_end = last_end if last_end.tzinfo else last_end.replace(tzinfo=dt.timezone.utc)
        start = min(max(start, last_end), end)
    return start, end


def period_usage(account: Account, start: dt.datetime, end: dt.datetime) -> PeriodUsage:
    """What an invoice of [start, end) filled now would hold (no row is written)."""
    dialect = db.session.get_bind().dialect.name
    rows = [row for d in ("originated", "terminated") for row in traffic_rows(account, start, end, d, dialect)]
    apply_discounts([r for r in rows if r.direction == "originated"], account.discount_plans)
    traffic = sum((r.amount if r.spent else -r.amount for r in rows), ZERO)
    charges = db.session.scalar(
        select(money_sum(Transaction.amount, dialect)).where(transactions_filter(account.id, start, end))
    )
    originated = [r for r in rows if r.direction == "originated"]
    return PeriodUsage(
        account=account,
        start=start,
        end=end,
        calls=sum(r.calls_count for r in originated),
        billed_seconds=sum(r.billing_duration for r in originated),
        amount=round_currency(traffic + money_value(charges, dialect), account.currency),
    )


def usage_so_far(account: Account, now: dt.datetime) -> PeriodUsage:
    """The account's usage in its open billing period up to `now`."""
    start, end = open_period(account, now)
    return period_usage(account, start, end)
