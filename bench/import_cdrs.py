"""Benchmark of `flask cdrs import`: generate a CDR CSV of N rows, import it into a fresh database, print rows/s.

    python bench/import_cdrs.py --rows 200000 --database sqlite
    python bench/import_cdrs.py --rows 200000 --database postgresql [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Run from the project root (or with the project on PYTHONPATH). The database is created for the
run and dropped afterwards (SQLite: a temporary file; PostgreSQL: a database named after the one
given, bench/_setup.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import arguments, drop_database, fresh_database, migrated_app

HEADER = [
    "time_start",
    "duration",
    "customer_duration",
    "vendor_duration",
    "success",
    "customer_account_id",
    "vendor_account_id",
    "customer_price",
    "vendor_price",
    "dst_prefix",
    "dialpeer_prefix",
    "country",
    "network",
    "destination_rate",
    "dialpeer_rate",
    "destination_reverse_billing",
    "dialpeer_reverse_billing",
    "src_number",
    "dst_number",
    "is_last_cdr",
]
# Destination prefix -> (country, rate per minute).
DESTINATIONS = {
    "49151": ("DE", "0.019500"),
    "4930": ("DE", "0.004500"),
    "4477": ("GB", "0.014000"),
    "4420": ("GB", "0.004000"),
    "336": ("FR", "0.018000"),
    "1212": ("US", "0.006000"),
}


def write_csv(path: Path, rows: int, customer_ids: list[int], vendor_ids: list[int], seed: int = 7) -> None:
    """A CDR file as a switch would export it: one row per attempt, every column filled."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for n in range(rows):
            prefix = rng.choice(list(DESTINATIONS))
            country, rate = DESTINATIONS[prefix]
            answered = rng.random() < 0.62
            duration = min(7200, int(rng.lognormvariate(4.06, 1.05))) if answered else 0
            price = (Decimal(rate) * duration / 60).quantize(Decimal("0.000001"))
            moment = start + dt.timedelta(seconds=n * 13 + rng.randrange(13))
            out.writerow(
                [
                    moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    duration,
                    duration,
                    duration,
                    "true" if answered else "false",
                    rng.choice(customer_ids),
                    rng.choice(vendor_ids),
                    price,
                    (price * Decimal("0.78")).quantize(Decimal("0.000001")),
                    prefix,
                    prefix,
                    country,
                    "",
                    rate,
                    "0.010000",
                    "false",
                    "false",
                    f"44{rng.randrange(10**9, 10**10)}",
                    f"{prefix}{rng.randrange(10**6, 10**7)}",
                    "true",
                ]
            )


def make_accounts():
    from portal.extensions import db
    from portal.models import Account, Country, Customer, Organization

    org = Organization(slug="bench", name="Bench")
    db.session.add(org)
    db.session.add_all([Country(iso2=iso, name=iso) for iso in ("DE", "GB", "FR", "US")])
    customer = Customer(organization=org, name="Bench customer")
    accounts = [Account(customer=customer, name=f"Bench {n}", currency="EUR") for n in range(8)]
    db.session.add_all(accounts)
    db.session.commit()
    ids = [a.id for a in accounts]
    return ids[:6], ids[6:]


def main() -> int:
    args = arguments(__doc__, rows=(int, 200_000, "CDR rows in the file"))

    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.imports.cdrs import import_cdrs
    from portal.models import Cdr

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        url = fresh_database(args, "import")
        app = migrated_app(url)
        try:
            with app.app_context():
                customers, vendors = make_accounts()
                path = tmp / "cdrs.csv"
                began = time.perf_counter()
                write_csv(path, args.rows, customers, vendors)
                generated = time.perf_counter() - began
                began, cpu_began = time.perf_counter(), time.process_time()
                result = import_cdrs(path)
                db.session.commit()
                elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
                stored = db.session.scalar(select(func.count()).select_from(Cdr))
                db.session.remove()
                db.engine.dispose()
        finally:
            drop_database(url)
    if stored != args.rows or result.imported != args.rows:
        print(f"FAILED: imported {result.imported}, stored {stored}, expected {args.rows}", file=sys.stderr)
        return 1
    # Wall time is what a user waits; CPU time of this process shows the importer's own cost
    # when other processes share the machine (PostgreSQL's own work is not in it).
    print(
        f"database={args.database} rows={args.rows:,} csv_written={generated:.2f}s import_wall={elapsed:.2f}s "
        f"import_cpu={cpu:.2f}s rate_wall={args.rows / elapsed:,.0f} rows/s "
        f"rate_cpu={args.rows / cpu:,.0f} rows/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
