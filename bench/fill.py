"""Benchmark: filling one invoice over N CDRs versus the bare SQL GROUP BY the fill needs (target ratio ≤ 1.3).

python bench/fill.py --database sqlite --cdrs 1000000
python bench/fill.py --database postgresql --cdrs 1000000
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench._setup import UTC, arguments, bulk_cdrs, fresh_database, machine, migrated_app

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


def main() -> None:
    args = arguments(
        __doc__,
        cdrs=(int, 1_000_000, "number of CDRs"),
        repeat=(int, 5, "timed repetitions"),
        tag=(str, "", "suffix of the benchmark database name (parallel runs)"),
    )
    url = fresh_database(args, "fill" + args.tag)
    app = migrated_app(url)
    from portal.billing.fill import fill_invoice
    from portal.billing.invoices import create_invoice, delete_invoice
    from portal.extensions import db
    from portal.models import Account, Customer, Organization

    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    with app.app_context():
        org = Organization(slug="bench", name="Bench")
        customer = Customer(organization=org, name="Heavy customer")
        account, vendor = Account(customer=customer, name="Heavy"), Account(customer=customer, name="Vendor")
        db.session.add_all([org, customer, account, vendor])
        db.session.commit()
        t0 = time.perf_counter()
        bulk_cdrs(db, customer_acc_id=account.id, vendor_acc_id=vendor.id, count=args.cdrs, start=start, days=365)
        print(f"generated {args.cdrs:,} CDRs in {time.perf_counter() - t0:.1f} s")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE cdrs"))
            db.session.commit()
        params = {"acc": account.id, "start": start, "end": end}
        if db.engine.dialect.name == "sqlite":
            params = {k: (v.replace(tzinfo=None) if isinstance(v, datetime) else v) for k, v in params.items()}

        bare, fills = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            db.session.execute(text(BARE_GROUP_BY), params).all()
            db.session.execute(text(BARE_GROUP_BY_VENDOR), params).all()
            bare.append(time.perf_counter() - t0)
            db.session.rollback()

            invoice = create_invoice(
                account_id=account.id, start_date=start, end_date=end, now=datetime(2027, 1, 2, tzinfo=UTC)
            )
            db.session.commit()
            t0 = time.perf_counter()
            fill_invoice(invoice)
            db.session.commit()
            fills.append(time.perf_counter() - t0)
            delete_invoice(invoice)
            db.session.commit()
        b, f = statistics.median(bare), statistics.median(fills)
        print(f"database: {db.engine.dialect.name}; machine: {machine()}")
        print(f"bare GROUP BY (originated + terminated): median {b * 1000:.0f} ms")
        print(f"fill_invoice:                            median {f * 1000:.0f} ms")
        print(f"ratio fill / bare: {f / b:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
