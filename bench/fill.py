"""Benchmark: filling a year-long invoice of one account among many versus the bare SQL GROUP BY it needs.

The CDRs are spread over `--accounts` accounts at random (default: one per 3,500 CDRs, so a year of one
account is ~3,500 CDRs, as in real use), so the fill reads a small share of a large table: its cost must
follow the account's CDRs, not the table's size. Every repetition fills a different account.

Reported: the fill; the bare GROUP BY (originated + terminated) as the planner plans it by default and
with parallel workers turned off (PostgreSQL: the plan it picks, and the fill's own setting
`portal.billing.fill._serial_plans`); target fill / bare <= 1.3.

    python bench/fill.py --database sqlite --cdrs 1000000
    python bench/fill.py --database postgresql --cdrs 1000000
    python bench/fill.py --cdrs 3000 --accounts 3 --repeat 1          # smoke run
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from bench._setup import UTC, arguments, bench_customer, bulk_cdrs, fresh_database, machine, migrated_app

BARE_GROUP_BY = """
SELECT dst_prefix, country_id, network_id, destination_rate, destination_reverse_billing, count(*),
       sum(CASE WHEN success THEN 1 ELSE 0 END), sum(duration), sum(customer_duration), sum(customer_price),
       min(time_start), max(time_start)
FROM cdrs WHERE customer_acc_id = :acc AND is_last_cdr AND time_start >= :start AND time_start < :end
GROUP BY dst_prefix, country_id, network_id, destination_rate, destination_reverse_billing
"""
BARE_GROUP_BY_VENDOR = """
SELECT dialpeer_prefix, country_id, network_id, dialpeer_rate, dialpeer_reverse_billing, count(*),
       sum(CASE WHEN success THEN 1 ELSE 0 END), sum(duration), sum(vendor_duration), sum(vendor_price),
       min(time_start), max(time_start)
FROM cdrs WHERE vendor_acc_id = :acc AND time_start >= :start AND time_start < :end
GROUP BY dialpeer_prefix, country_id, network_id, dialpeer_rate, dialpeer_reverse_billing
"""


def bare(db, params: dict, *, serial: bool) -> float:
    """Seconds for both GROUP BYs in one transaction; `serial`: with parallel workers turned off."""
    t0 = time.perf_counter()
    if serial:
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    db.session.execute(text(BARE_GROUP_BY), params).all()
    db.session.execute(text(BARE_GROUP_BY_VENDOR), params).all()
    elapsed = time.perf_counter() - t0
    db.session.rollback()
    return elapsed


def main() -> None:
    args = arguments(
        __doc__,
        accounts=(int, 0, "accounts the CDRs are spread over (0: one per 3,500 CDRs)"),
        cdrs=1_000_000,
        repeat=5,
        tag="",
    )
    accounts_count = args.accounts or max(args.cdrs // 3500, 1)
    url = fresh_database(args, "fill" + args.tag)
    app = migrated_app(url)
    from portal.billing import fill as fill_module
    from portal.billing.fill import fill_invoice
    from portal.billing.invoices import create_invoice, delete_invoice
    from portal.extensions import db
    from portal.models import Account, Cdr

    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    with app.app_context():
        customer, vendor = bench_customer(db, "Customer")
        db.session.commit()
        db.session.execute(
            insert(Account),
            [{"customer_id": customer.id, "name": f"Account {n}"} for n in range(accounts_count)],
        )
        db.session.commit()
        account_ids = db.session.scalars(select(Account.id).where(Account.id != vendor.id)).all()
        t0 = time.perf_counter()
        bulk_cdrs(db, customer_acc_id=account_ids, vendor_acc_id=vendor.id, count=args.cdrs, start=start, days=365)
        print(
            f"generated {args.cdrs:,} CDRs over {len(account_ids):,} accounts (~{args.cdrs // len(account_ids):,} "
            f"each) in {time.perf_counter() - t0:.1f} s"
        )
        postgresql = db.engine.dialect.name == "postgresql"
        if postgresql:
            db.session.execute(text("ANALYZE cdrs"))
            db.session.commit()
        rng = random.Random(2)
        loads = [os.getloadavg()[0]]
        bare_default, bare_serial, fills, fills_planned, sizes, plans = [], [], [], [], [], set()
        for round_no in range(args.repeat + 1):  # the first round warms up and is not counted
            if round_no == 1:
                for timings in (bare_default, bare_serial, fills, fills_planned, sizes):
                    timings.clear()
            account_id = rng.choice(account_ids)
            params = {"acc": account_id, "start": start, "end": end}
            if not postgresql:
                params = {k: (v.replace(tzinfo=None) if isinstance(v, datetime) else v) for k, v in params.items()}
            sizes.append(db.session.query(Cdr).filter(Cdr.customer_acc_id == account_id).count())
            db.session.rollback()
            if postgresql:
                plan = db.session.execute(text("EXPLAIN " + BARE_GROUP_BY), params).scalars().all()
                plans.add("parallel" if any("Gather" in line for line in plan) else "serial")
                db.session.rollback()
            bare_default.append(bare(db, params, serial=False))
            if postgresql:
                bare_serial.append(bare(db, params, serial=True))
            for serial_fill, timings in ((True, fills), (False, fills_planned)) if postgresql else ((True, fills),):
                invoice = create_invoice(
                    account_id=account_id, start_date=start, end_date=end, now=datetime(2027, 1, 2, tzinfo=UTC)
                )
                db.session.commit()
                t0 = time.perf_counter()
                if serial_fill:
                    fill_invoice(invoice)
                else:  # as before the fill turned parallel workers off: the planner's own choice
                    with patch.object(fill_module, "_serial_plans", lambda dialect: nullcontext()):
                        fill_invoice(invoice)
                db.session.commit()
                timings.append(time.perf_counter() - t0)
                delete_invoice(invoice)
                db.session.commit()
        loads.append(os.getloadavg()[0])
        median = statistics.median
        b, f = median(bare_default), median(fills)
        print(
            f"database: {db.engine.dialect.name}; machine: {machine()}; "
            f"load average (1 min): {loads[0]:.1f}, {loads[1]:.1f}"
        )
        print(f"{args.repeat} year-long fills of accounts with {min(sizes):,}-{max(sizes):,} CDRs")
        if postgresql:
            s = median(bare_serial)
            print(f"bare GROUP BY as planned ({', '.join(sorted(plans))} plan): median {b * 1000:.1f} ms")
            print(f"bare GROUP BY without parallel workers:   median {s * 1000:.1f} ms (default / serial {b / s:.2f})")
            b = s
        else:
            print(f"bare GROUP BY (originated + terminated):  median {b * 1000:.1f} ms")
        if postgresql:
            p = median(fills_planned)
            print(f"fill_invoice, parallel plans allowed:     median {p * 1000:.1f} ms (before / after {p / f:.2f})")
        print(f"fill_invoice:                             median {f * 1000:.1f} ms")
        print(f"ratio fill / bare: {f / b:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
