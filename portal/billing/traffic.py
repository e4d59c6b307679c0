"""The period's traffic and transactions of an account, aggregated in SQL: what an invoice fill reads.

`traffic_rows` groups the CDRs of [start, end) into destination rows with each call's billed seconds
rounded up to the account's billing increment; `transactions_filter` picks the transactions a period
bills. The fill (portal.billing.fill) stores what they give; the usage so far of an open period
(portal.billing.usage) reads the same, so the dashboard's figure is the one the invoice will show.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import and_, case, func, or_, select

from portal.extensions import db
from portal.foundations.money import ZERO, micro, money_sum, money_value
from portal.models import Account, Cdr, InvoiceDestination, Transaction

SECONDS_PER_MINUTE = 60
MAX_INCREMENT = 3600
_INCREMENT = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")


def parse_increment(text) -> tuple[int, int]:
    """(first, next) from "60/60" (blank: 1/1, the seconds as rated); ValueError says what is wrong."""
    text = "" if text is None else str(text)
    if not text.strip():
        return 1, 1
    match = _INCREMENT.match(text)
    if not match or not all(1 <= int(n) <= MAX_INCREMENT for n in match.groups()):
        raise ValueError(f"must be first/next seconds from 1 to {MAX_INCREMENT}, e.g. 60/60")
    return int(match[1]), int(match[2])


def increment_of(account: Account) -> tuple[int, int]:
    """(first, next) seconds of the account's billing increment: a call is billed at least `first`
    seconds, then in steps of `next`. 1/1 (the default) bills each call's seconds as the switch rated them."""
    return max(int(account.billing_increment_first or 1), 1), max(int(account.billing_increment_next or 1), 1)


def billed_seconds(rated, first: int, step: int):
    """SQL: the switch's billed seconds of a call rounded up to the increment (0 stays 0); 1/1 keeps them."""
    if (first, step) == (1, 1):
        return rated
    return case(
        (rated <= 0, 0),
        (rated <= first, first),
        else_=first + ((rated - first + (step - 1)) // step) * step,
    )


def traffic_rows(
    account: Account, start: dt.datetime, end: dt.datetime, direction: str, dialect: str, invoice_id: int | None = None
) -> list[InvoiceDestination]:
    """Unsaved destination rows of one direction: the account's CDRs of [start, end) grouped by
    (prefix, country, network, rate, reverse billing).

    Each call's billed seconds are rounded up to the account's increment; the seconds the rounding adds
    are charged at the row's rate per minute on top of the switch's price (nothing is added at 1/1).
    """
    c = Cdr
    if direction == "originated":
        prefix, rate, reverse = c.dst_prefix, c.destination_rate, c.destination_reverse_billing
        rated, price = c.customer_duration, c.customer_price
        where = and_(c.customer_acc_id == account.id, c.is_last_cdr.is_(True))
    else:
        prefix, rate, reverse = c.dialpeer_prefix, c.dialpeer_rate, c.dialpeer_reverse_billing
        rated, price = c.vendor_duration, c.vendor_price
        where = c.vendor_acc_id == account.id
    billed = billed_seconds(rated, *increment_of(account))
    stmt = (
        select(
            prefix.label("prefix"),
            c.country_id,
            c.network_id,
            rate.label("rate"),
            reverse.label("reverse"),
            func.count().label("calls"),
            func.sum(case((c.success, 1), else_=0)).label("ok"),
            func.sum(c.duration).label("duration"),
            func.sum(billed).label("billed"),
            func.sum(billed - rated).label("added"),
            money_sum(price, dialect).label("amount"),
            func.min(c.time_start).label("first"),
            func.max(c.time_start).label("last"),
        )
        .where(where, c.time_start >= start, c.time_start < end)
        .group_by(prefix, c.country_id, c.network_id, rate, reverse)
    )
    result = []
    # Few groups come back; ordering them here is cheaper than a second sort in the database.
    groups = sorted(
        db.session.execute(stmt),
        key=lambda r: (r.prefix or "", r.country_id or 0, r.network_id or 0, r.rate or 0, bool(r.reverse)),
    )
    for r in groups:
        # Originated: the customer spends unless the destination is reverse-billed;
        # terminated: the vendor earns unless the dialpeer is reverse-billed.
        spent = (not r.reverse) if direction == "originated" else bool(r.reverse)
        row_rate = micro(r.rate or 0)
        added = micro(row_rate * int(r.added or 0) / SECONDS_PER_MINUTE) if r.added else ZERO
        result.append(
            InvoiceDestination(
                invoice_id=invoice_id,
                direction=direction,
                dst_prefix=r.prefix,
                country_id=r.country_id,
                network_id=r.network_id,
                rate=row_rate,
                spent=spent,
                calls_count=int(r.calls),
                successful_calls_count=int(r.ok),
                calls_duration=int(r.duration),
                billing_duration=int(r.billed),
                amount=money_value(r.amount, dialect) + added,
                discount=ZERO,
                first_call_at=r.first,
                last_call_at=r.last,
            )
        )
    return result


def transactions_filter(account_id: int, start: dt.datetime, end: dt.datetime, invoice_id: int | None = None):
    """Transactions a period bills: claimed by its invoice (`invoice_id`), or unclaimed and dated in [start, end)."""
    t = Transaction
    in_window = and_(t.invoice_id.is_(None), t.created_at >= start, t.created_at < end)
    if invoice_id is None:
        return and_(t.account_id == account_id, in_window)
    return and_(t.account_id == account_id, or_(t.invoice_id == invoice_id, in_window))
