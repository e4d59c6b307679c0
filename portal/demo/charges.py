"""Demo services and their transactions: monthly recurring charges, one-off charges and a refund."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from portal.demo.catalog import EUR_TO
from portal.extensions import db
from portal.imports.bulk import insert_transaction_rows
from portal.models import Account, Service

UTC = dt.timezone.utc
CENT = Decimal("0.01")

RECURRING = (
    ("Number range rental", Decimal("120")),
    ("SIP trunk capacity (30 channels)", Decimal("240")),
    ("Dedicated interconnect port", Decimal("450")),
)
ONE_OFF = (
    ("Interconnect setup fee", Decimal("750")),
    ("Number porting (25 numbers)", Decimal("125")),
    ("Route testing", Decimal("95")),
)


def _local_month_starts(timezone: str, first: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    tz = ZoneInfo(timezone)
    local = first.astimezone(tz)
    year, month = local.year, local.month
    starts = []
    while True:
        moment = dt.datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
        if moment >= end:
            return starts
        if moment >= first:
            starts.append(moment)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def create_charges(rng: random.Random, account: Account, first: dt.datetime, end: dt.datetime, *, refund: bool) -> int:
    """Services of an account and a year of their transactions; returns the number of transactions."""
    fx = EUR_TO[account.currency]
    name, base = rng.choice(RECURRING)
    monthly = (base * fx).quantize(CENT)
    recurring = Service(
        account_id=account.id,
        name=name,
        initial_price=monthly,
        renew_price=monthly,
        renew_period="monthly",
        created_at=first,
    )
    setup_name, setup_base = rng.choice(ONE_OFF)
    one_off = Service(
        account_id=account.id,
        name=setup_name,
        initial_price=(setup_base * fx).quantize(CENT),
        state="closed",
        created_at=first,
    )
    db.session.add_all([recurring, one_off])
    db.session.flush()

    rows = []
    for start in _local_month_starts(account.timezone, first, end):
        # Charged an hour into the month, so it lands inside that month's invoice.
        rows.append(
            _row(
                account,
                recurring.id,
                "recurring",
                monthly,
                start + dt.timedelta(hours=1),
                f"{name} {start.astimezone(ZoneInfo(account.timezone)):%B %Y}",
            )
        )
    setup_at = first + dt.timedelta(days=rng.randrange(3, 40), hours=10)
    rows.append(_row(account, one_off.id, "one-off", one_off.initial_price, setup_at, setup_name))
    if refund:
        # A credit for an outage: half a month of the recurring charge, a few months ago.
        credit_at = end - dt.timedelta(days=rng.randrange(70, 100), hours=-9)
        rows.append(
            _row(
                account,
                recurring.id,
                "refund",
                -(monthly / 2).quantize(CENT),
                credit_at,
                f"Credit note: service outage on {credit_at:%d %b %Y}",
            )
        )
    return insert_transaction_rows(rows)


def _row(account: Account, service_id: int, category: str, amount: Decimal, at: dt.datetime, text: str) -> dict:
    return {
        "account_id": account.id,
        "service_id": service_id,
        "category": category,
        "amount": amount,
        "created_at": at,
        "description": text,
    }
