"""Benchmark: CSV export of one invoice's CDRs, peak memory of the exporting worker and time vs a bare cursor.

    python bench/streams.py --database sqlite --cdrs 1000000
    python bench/streams.py --database postgresql --cdrs 1000000

Each side runs in its own worker process (so its peak RSS is its own): `export` drives
`portal.documents.csv.iter_invoice_cdrs_csv` (what the customer route streams), `cursor` runs the
same query on a DB-API cursor (a server-side one on PostgreSQL) and writes the same text with the
csv module. Both hash their output; equal hashes prove the rows are the same. Targets: export peak
RSS < 200 MB, export time <= 2x the cursor's.
"""

from __future__ import annotations

import csv
import hashlib
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench._setup import COUNTRIES as ALL_COUNTRIES
from bench._setup import UTC, arguments, bench_customer, bulk_cdrs, fresh_database, machine, migrated_app
from portal.documents.csv import CDR_COLUMNS, cdr_line

TIMEZONE = "Europe/Berlin"
SAMPLE_EVERY = 100_000
# The export's two queries: the calls the account sent, then the calls it received as the vendor.
EXPORT_SQL = """
SELECT c.time_start, c.src_number, c.dst_number, c.{prefix}, co.name, n.name, c.duration,
       c.{billed}, c.{rate}, c.{price}, c.success
FROM cdrs c LEFT JOIN countries co ON co.id = c.country_id LEFT JOIN networks n ON n.id = c.network_id
WHERE {where} AND c.time_start >= :start AND c.time_start < :end
ORDER BY c.time_start, c.id
"""
DIRECTIONS = {
    direction: EXPORT_SQL.format(prefix=prefix, billed=billed, rate=rate, price=price, where=where)
    for direction, prefix, billed, rate, price, where in (
        (
            "originated",
            "dst_prefix",
            "customer_duration",
            "destination_rate",
            "customer_price",
            "c.customer_acc_id = :acc AND c.is_last_cdr",
        ),
        ("terminated", "dialpeer_prefix", "vendor_duration", "dialpeer_rate", "vendor_price", "c.vendor_acc_id = :acc"),
    )
}
# The countries the CDRs call (bench/_setup.py bulk_cdrs prefixes).
COUNTRIES = [c for c in ALL_COUNTRIES if c[0] in ("DE", "GB", "FR", "US", "IN", "TR")]


def rss_kib(field: str = "VmRSS") -> int:
    """This process's resident set (VmRSS) or its peak (VmHWM), in KiB, from /proc."""
    with open("/proc/self/status") as status:
        for entry in status:
            if entry.startswith(field + ":"):
                return int(entry.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Meter:
    """Hashes the output as it goes and samples the RSS every SAMPLE_EVERY lines."""

    def __init__(self):
        self.digest, self.lines, self.size, self.track = hashlib.sha256(), 0, 0, []

    def add(self, chunk: str) -> None:
        data = chunk.encode("utf-8")
        self.digest.update(data)
        self.size += len(data)
        before, self.lines = self.lines, self.lines + chunk.count("\n")
        if self.lines // SAMPLE_EVERY > before // SAMPLE_EVERY:
            self.track.append(rss_kib() // 1024)

    def write(self, chunk: str) -> None:
        """File-like: the csv module writes straight into the meter."""
        self.add(chunk)


def run_export(url: str, invoice_id: int) -> dict:
    """Worker: the portal's streamed export, as the customer route serves it (inside an app context)."""
    from portal import create_app
    from portal.documents.csv import iter_invoice_cdrs_csv
    from portal.extensions import db
    from portal.models import Invoice

    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url})
    meter = Meter()
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        start_rss = rss_kib() // 1024
        t0 = time.perf_counter()
        for chunk in iter_invoice_cdrs_csv(invoice):
            meter.add(chunk)
        seconds = time.perf_counter() - t0
    return _report(meter, seconds, start_rss)


def run_cursor(url: str, invoice_id: int) -> dict:
    """Worker: the same query on a bare DB-API cursor, the same text written with the csv module."""
    u = make_url(url)
    tz = ZoneInfo(TIMEZONE)
    meter = Meter()
    writer = csv.writer(meter, lineterminator="\r\n")
    header = CDR_COLUMNS  # the header of the portal's CDR CSV
    if u.get_backend_name() == "sqlite":
        import sqlite3

        conn = sqlite3.connect(u.database)
        acc, start, end, currency = conn.execute(
            "SELECT account_id, start_date, end_date, currency FROM invoices WHERE id = ?", (invoice_id,)
        ).fetchone()

        def query(sql):
            cursor = conn.cursor()
            cursor.execute(sql.replace(":acc", "?").replace(":start", "?").replace(":end", "?"), (acc, start, end))
            return cursor

        def when(value):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)

        def number(value):
            return f"{value:.6f}"
    else:
        import psycopg

        conn = psycopg.connect(
            host=u.host, port=u.port or 5432, user=u.username, password=u.password, dbname=u.database
        )
        acc, start, end, currency = conn.execute(
            "SELECT account_id, start_date, end_date, currency FROM invoices WHERE id = %s", (invoice_id,)
        ).fetchone()

        def query(sql):
            # A named cursor is a server-side cursor: rows arrive itersize at a time.
            cursor = conn.cursor(name="bench_export")
            cursor.itersize = 1000
            cursor.execute(
                sql.replace(":acc", "%(acc)s").replace(":start", "%(start)s").replace(":end", "%(end)s"),
                {"acc": acc, "start": start, "end": end},
            )
            return cursor

        def when(value):
            return value

        number = str
    start_rss = rss_kib() // 1024
    t0 = time.perf_counter()
    writer.writerow(header)
    for direction, sql in DIRECTIONS.items():
        cursor = query(sql)
        for time_start, src, dst, prefix, country, network, duration, billed, rate, price, success in cursor:
            # The same line as the portal's (one formatter); the bench compares the reading and streaming.
            row = (when(time_start), src, dst, prefix, country, network, duration, billed, number(rate), number(price))
            writer.writerow(cdr_line((*row, success), tz, direction, currency))
        cursor.close()
    seconds = time.perf_counter() - t0
    conn.close()
    return _report(meter, seconds, start_rss)


def _report(meter: Meter, seconds: float, start_rss: int) -> dict:
    return {
        "lines": meter.lines,
        "bytes": meter.size,
        "sha256": meter.digest.hexdigest(),
        "seconds": seconds,
        "rss_before_mb": start_rss,
        "rss_track_mb": meter.track,
        "peak_rss_mb": rss_kib("VmHWM") // 1024,
    }


def worker(mode: str, url: str, invoice_id: int) -> dict:
    """Run one side in a child process; its JSON report plus the kernel's peak RSS of the children."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--url", url, "--invoice-id", str(invoice_id)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} worker failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["children_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return report


def build(args) -> tuple[str, int]:
    """A fresh database with N CDRs of one account (with numbers, countries, networks) and its invoice."""
    url = fresh_database(args, "streams" + args.tag)
    app = migrated_app(url)
    from portal.billing.invoices import create_invoice
    from portal.extensions import db
    from portal.models import Account, Country, Network

    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    with app.app_context():
        customer, vendor = bench_customer(db, "Heavy customer")
        account = Account(customer=customer, name="Heavy", timezone=TIMEZONE)
        db.session.add(account)
        for iso2, name, _ in COUNTRIES:
            country = Country(iso2=iso2, name=name)
            db.session.add(country)
            db.session.flush()
            db.session.add(Network(name=f"{name} mobile", network_type="mobile", country_id=country.id))
        db.session.commit()
        t0 = time.perf_counter()
        bulk_cdrs(db, customer_acc_id=account.id, vendor_acc_id=vendor.id, count=args.cdrs, start=start, days=365)
        # Calls to each country code get their country, network and numbers (the joins are real work).
        for country in db.session.query(Country).all():
            network_id = db.session.scalar(text("SELECT id FROM networks WHERE country_id = :c"), {"c": country.id})
            code = next(c for iso2, _, c in COUNTRIES if iso2 == country.iso2)
            db.session.execute(
                text(
                    "UPDATE cdrs SET country_id = :c, network_id = :n, src_number = '4930' || CAST(id AS TEXT),"
                    " dst_number = dst_prefix || CAST(id AS TEXT) WHERE dst_prefix LIKE :p"
                ),
                {"c": country.id, "n": network_id, "p": code + "%"},
            )
        db.session.commit()
        print(f"generated {args.cdrs:,} CDRs in {time.perf_counter() - t0:.1f} s", flush=True)
        invoice = create_invoice(
            account_id=account.id, start_date=start, end_date=end, now=datetime(2027, 1, 2, tzinfo=UTC)
        )
        db.session.commit()
        invoice_id = invoice.id
        db.engine.dispose()
    if args.database == "postgresql":
        from sqlalchemy import create_engine

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE cdrs"))
        engine.dispose()
    return url, invoice_id


def main() -> None:
    args = arguments(
        __doc__,
        worker=(str, "", "internal: run one side (export | cursor) and print its JSON report"),
        url=(str, "", "internal: the worker's database URL"),
        invoice_id=(int, 0, "internal: the worker's invoice id"),
        cdrs=1_000_000,
        tag="",
    )
    if args.worker:
        side = {"export": run_export, "cursor": run_cursor}[args.worker]
        print(json.dumps(side(args.url, args.invoice_id)))
        return
    url, invoice_id = build(args)
    print(f"benchmark database {make_url(url).render_as_string(hide_password=True)}, invoice {invoice_id}", flush=True)
    cursor = worker("cursor", url, invoice_id)
    export = worker("export", url, invoice_id)
    same = cursor["sha256"] == export["sha256"] and cursor["lines"] == export["lines"]
    print(f"database: {args.database}; machine: {machine()}")
    for name, r in (("cursor + csv", cursor), ("portal export", export)):
        print(
            f"{name:14} lines {r['lines']:,}  {r['bytes'] / 1e6:.1f} MB  {r['seconds']:.2f} s  "
            f"rss before {r['rss_before_mb']} MB, peak (VmHWM) {r['peak_rss_mb']} MB, "
            f"every {SAMPLE_EVERY:,} lines {r['rss_track_mb']}"
        )
    print(f"same output: {same}")
    print(
        f"export peak RSS: {export['peak_rss_mb']} MB (target < 200 MB); "
        f"kernel max RSS of the workers: {export['children_maxrss_mb']} MB"
    )
    print(f"ratio export / cursor: {export['seconds'] / cursor['seconds']:.2f} (target <= 2)")
    if not same:
        raise SystemExit("the export and the cursor wrote different rows")


if __name__ == "__main__":
    main()
