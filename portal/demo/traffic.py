"""A year of demo CDRs per account: long-tailed durations, 55-70 % answer rates, failed and re-routed attempts."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from portal.demo.catalog import EUR_TO, Destination
from portal.imports.bulk import insert_cdr_rows

MICRO = Decimal("0.000001")
UTC = dt.timezone.utc
# Share of calls per local hour: quiet at night, busy in office hours.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 18, 15, 16, 18, 18, 16, 13, 10, 8, 6, 4, 3, 2)
CUM_HOURS = list(itertools.accumulate(HOUR_WEIGHTS))
REROUTE_SHARE = 0.12  # calls whose first attempt failed on one vendor and was retried on another
MAX_DURATION = 7200


class TrafficAccount:
    """An account as the traffic generator sees it: id, currency, time zone, its own number range."""

    def __init__(self, account_id: int, currency: str, timezone: str, country_code: str):
        self.id = account_id
        self.currency = currency
        self.timezone = timezone
        self.country_code = country_code


def local_days(timezone: str, first: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """UTC instants of every local midnight whose day lies within [first, end)."""
    tz = ZoneInfo(timezone)
    day = first.astimezone(tz).date()
    days = []
    while True:
        moment = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(UTC)
        if moment >= end:
            return days
        if moment >= first:
            days.append(moment)
        day += dt.timedelta(days=1)


def generate_account_cdrs(
    rng: random.Random,
    account: TrafficAccount,
    calls: int,
    vendors: list[TrafficAccount],
    destinations: list[Destination],
    first: dt.datetime,
    end: dt.datetime,
) -> list[dict]:
    """The CDR rows of `calls` calls originated by `account` between `first` and `end`, sorted by time.

    Vendors (other accounts) terminate the calls and earn about 78 % of the selling rate.
    """
    days = local_days(account.timezone, first, end)
    vendors = [v for v in vendors if v.id != account.id] or [None]
    cum_weights = list(itertools.accumulate(d.weight for d in destinations))
    answer_rate = rng.uniform(0.55, 0.70)
    markup = Decimal(str(round(rng.uniform(0.92, 1.12), 3)))
    fx = EUR_TO[account.currency]
    rates = {d.prefix: (d.spec.rate_eur * markup * fx).quantize(MICRO) for d in destinations}
    # Median call about a minute, mean about 1.7 minutes, a few calls of an hour or more.
    mu, sigma = math.log(58), 1.05
    src_base = int(account.country_code) if account.country_code.isdigit() else 44
    rows: list[dict] = []
    picks = rng.choices(destinations, cum_weights=cum_weights, k=calls)
    for dest in picks:
        start = rng.choice(days) + dt.timedelta(hours=_hour(rng), seconds=rng.randrange(3600))
        if start >= end:
            start = end - dt.timedelta(seconds=rng.randrange(1, 3600))
        src = f"{src_base}{rng.randrange(10**8, 10**9)}"
        dst = dest.prefix + str(rng.randrange(10 ** (dest.spec.subscriber_digits - 1), 10**dest.spec.subscriber_digits))
        rate = rates[dest.prefix]
        attempt_vendors = (
            rng.sample(vendors, 2) if len(vendors) > 1 and rng.random() < REROUTE_SHARE else [rng.choice(vendors)]
        )
        for n, vendor in enumerate(attempt_vendors):
            last = n == len(attempt_vendors) - 1
            answered = last and rng.random() < answer_rate
            duration = min(MAX_DURATION, max(1, int(rng.lognormvariate(mu, sigma)))) if answered else 0
            vendor_rate = (
                (dest.spec.rate_eur * Decimal("0.78") * EUR_TO[vendor.currency]).quantize(MICRO)
                if vendor
                else Decimal(0)
            )
            rows.append(
                {
                    "time_start": start + dt.timedelta(seconds=n * 6),
                    "duration": duration,
                    "customer_duration": duration,
                    "vendor_duration": duration,
                    "success": answered,
                    "customer_acc_id": account.id,
                    "vendor_acc_id": vendor.id if vendor else None,
                    "customer_price": (rate * duration / 60).quantize(MICRO),
                    "vendor_price": (vendor_rate * duration / 60).quantize(MICRO),
                    "dst_prefix": dest.prefix,
                    "dialpeer_prefix": dest.prefix,
                    "country_id": dest.country_id,
                    "network_id": dest.network_id,
                    "destination_rate": rate,
                    "dialpeer_rate": vendor_rate,
                    "destination_reverse_billing": dest.spec.reverse_billed,
                    "dialpeer_reverse_billing": dest.spec.reverse_billed,
                    "src_number": src,
                    "dst_number": dst,
                    "is_last_cdr": last,
                }
            )
    rows.sort(key=lambda r: r["time_start"])
    return rows


def _hour(rng: random.Random) -> int:
    return rng.choices(range(24), cum_weights=CUM_HOURS)[0]


def insert_traffic(rows: list[dict]) -> int:
    return insert_cdr_rows(rows)
