"""Benchmark: page latency (p50, p95) and SQL queries per page with a small versus a large invoice table.

Builds two databases side by side (default 1,000 and 100,000 invoices; the heavy customer owns 10 % of
them), then requests each page in turn on both, interleaved so machine noise hits both sizes alike.
`--small-cdrs` and `--large-cdrs` add CDRs of the year up to now spread over every account (the customer
dashboard reads the open period's CDRs of each of the customer's accounts). On PostgreSQL the server
generates invoices and CDRs itself (INSERT … SELECT), so that 500,000 invoices and 5M CDRs build in minutes.
Target: p95(large) / p95(small) <= 1.5 and the same number of queries per page at both sizes.

    python bench/pages.py --database sqlite
    python bench/pages.py --database postgresql --small 1000 --large 100000 --requests 200
    python bench/pages.py --database postgresql --small 100000 --large 500000 --small-cdrs 1000000 --large-cdrs 5000000
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select, text

from bench._data import populate, populate_in_database
from bench._setup import UTC, arguments, bulk_cdrs, fresh_database, machine, migrated_app
from bench.fill import cdrs_in_database

PASSWORD = "bench-password-1"
SEED_JSONAPI_SHOW_MS = 8.9  # the seed system's own server time for GET /api/rest/admin/invoices/{id}
RATIO_TARGET = 1.5


class Site:
    """One populated database with an app, signed-in clients and the URLs of the measured pages."""

    def __init__(self, args, invoices: int, cdrs: int, name: str):
        self.invoices, self.cdrs = invoices, cdrs
        self.app = migrated_app(fresh_database(args, name))
        from portal.extensions import db
        from portal.models import AdminUser, CustomerUser, Invoice

        customers = args.customers  # the same at both sizes: only the invoice count changes
        with self.app.app_context():
            t0 = time.perf_counter()
            # PostgreSQL generates the invoices itself (minutes through the driver at 500,000 and more).
            write = populate_in_database if db.engine.dialect.name == "postgresql" else populate
            write(
                db,
                customers=customers,
                accounts_per_customer=args.accounts_per_customer,
                invoices=invoices,
                heavy_invoices=max(1, invoices // 10),
                progress=lambda _: None,
            )
            if cdrs:
                add_cdrs(db, cdrs)
            if db.engine.dialect.name == "postgresql":
                # The steady state autovacuum keeps a live database in: statistics and a visibility map
                # (index-only scans); a freshly bulk-loaded table has neither.
                db.session.commit()
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            print(
                f"{name}: {invoices:,} invoices, {cdrs:,} CDRs, {customers:,} customers in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            heavy = db.session.scalar(select(CustomerUser).where(CustomerUser.email == "heavy@bench.example"))
            admin = db.session.scalar(select(AdminUser).where(AdminUser.email == "admin@bench.example"))
            # The heavy customer's invoice in the middle of its list: neither the first nor the last row.
            heavy_ids = db.session.scalars(
                select(Invoice.id).where(Invoice.customer_id == heavy.customer_id).order_by(Invoice.id)
            ).all()
            middle = db.session.get(Invoice, heavy_ids[len(heavy_ids) // 2])
            self.user_ids = heavy.get_id(), admin.get_id()
            self.invoice = str(middle.uuid), middle.id, heavy.customer_id
            self.engine = db.engine
        self.pages: dict = {}
        self.queries = 0
        event.listen(self.engine, "before_cursor_execute", self._count)

    def sign_in(self) -> None:
        """Sign in and name the pages; done just before measuring, since API tokens live 10 minutes."""
        customer_user_id, admin_user_id = self.user_ids
        invoice_uuid, invoice_id, customer_id = self.invoice
        self.customer = self._signed_in(customer_user_id)
        self.admin = self._signed_in(admin_user_id)
        self.api = self.app.test_client()
        answer = self.api.post(
            "/api/rest/admin/auth", json={"auth": {"username": "admin@bench.example", "password": PASSWORD}}
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)[:500]
        jwt = answer.get_json()["jwt"]
        api_headers = {"Authorization": f"Bearer {jwt}", "Accept": "application/vnd.api+json"}
        self.pages = {
            "customer dashboard": (self.customer, "/portal/", {}),
            "customer list (25, filtered)": (self.customer, "/portal/invoices?status=paid&per_page=25", {}),
            "customer invoice detail": (self.customer, f"/portal/invoices/{invoice_uuid}", {}),
            "admin list (default)": (self.admin, "/admin/invoices", {}),
            "admin list (filtered)": (self.admin, f"/admin/invoices?customer={customer_id}&state=Approved", {}),
            "JSON:API GET /invoices/{id}": (self.api, f"/api/rest/admin/invoices/{invoice_id}", api_headers),
            "JSON:API GET /invoices": (self.api, "/api/rest/admin/invoices", api_headers),
        }

    def _signed_in(self, user_id: str):
        # Flask-Login's own session keys: what the login form stores after a successful sign-in.
        client = self.app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        return client

    def _count(self, *_args) -> None:
        self.queries += 1

    def get(self, page: str) -> tuple[float, float, int]:
        """Request one page: (wall seconds, CPU seconds of this process, SQL statements); anything but 200 stops."""
        client, url, headers = self.pages[page]
        before = self.queries
        t0, c0 = time.perf_counter(), time.process_time()
        answer = client.get(url, headers=headers)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}: {answer.get_data(as_text=True)[:500]}")
        return elapsed, cpu, self.queries - before


def add_cdrs(db, count: int) -> None:
    """`count` CDRs of the year up to now over every account at random (no vendor side)."""
    from portal.models import Account

    db.session.commit()
    end = datetime.now(UTC)
    start = end - timedelta(days=365)
    accounts = db.session.scalars(select(Account.id).order_by(Account.id)).all()
    if db.engine.dialect.name == "postgresql":
        cdrs_in_database(db, accounts, None, count, start, end)
    else:
        bulk_cdrs(db, customer_acc_id=accounts, vendor_acc_id=None, count=count, start=start, days=365)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def measure(sites: list[Site], requests: int, warmup: int = 3) -> dict:
    """Per page and site: timings (s) and the set of query counts seen, requests interleaved across sites."""
    pages = list(sites[0].pages)
    results = {(page, i): {"times": [], "cpu": [], "queries": set()} for page in pages for i in range(len(sites))}
    for round_no in range(warmup + requests):
        for page in pages:
            for i, site in enumerate(sites):
                elapsed, cpu, queries = site.get(page)
                if round_no >= warmup:
                    results[page, i]["times"].append(elapsed)
                    results[page, i]["cpu"].append(cpu)
                    results[page, i]["queries"].add(queries)
    return results


def report(sites: list[Site], results: dict) -> list[dict]:
    rows = []
    for page in sites[0].pages:
        small, large = results[page, 0], results[page, 1]
        p95_small, p95_large = percentile(small["times"], 95), percentile(large["times"], 95)
        rows.append(
            {
                "page": page,
                "p50": [statistics.median(small["times"]) * 1000, statistics.median(large["times"]) * 1000],
                "p95": [p95_small * 1000, p95_large * 1000],
                "ratio": p95_large / p95_small,
                "cpu_p50": [statistics.median(small["cpu"]) * 1000, statistics.median(large["cpu"]) * 1000],
                "queries": [sorted(small["queries"]), sorted(large["queries"])],
            }
        )
    small_n, large_n = sites[0].invoices, sites[1].invoices
    print(f"database: {sites[0].engine.dialect.name}; machine: {machine()}")
    print(
        f"{'page':32} {'p50 ' + format(small_n, ','):>11} {'p50 ' + format(large_n, ','):>11} "
        f"{'p95 ' + format(small_n, ','):>11} {'p95 ' + format(large_n, ','):>11} {'ratio':>6} queries"
        f" (cpu p50 small/large ms)"
    )
    for row in rows:
        queries = " / ".join(",".join(map(str, q)) for q in row["queries"])
        verdict = "ok" if row["ratio"] <= RATIO_TARGET else "SLOW"
        constant = "constant" if row["queries"][0] == row["queries"][1] and len(row["queries"][0]) == 1 else "VARIES"
        print(
            f"{row['page']:32} {row['p50'][0]:8.1f} ms {row['p50'][1]:8.1f} ms {row['p95'][0]:8.1f} ms "
            f"{row['p95'][1]:8.1f} ms {row['ratio']:6.2f} {queries} ({constant}) {verdict}"
            f" (cpu {row['cpu_p50'][0]:.1f}/{row['cpu_p50'][1]:.1f})"
        )
    show = next(row for row in rows if row["page"].startswith("JSON:API GET /invoices/"))
    print(
        f"JSON:API single GET at {large_n:,}: p50 {show['p50'][1]:.1f} ms, CPU p50 {show['cpu_p50'][1]:.1f} ms "
        f"(seed system: {SEED_JSONAPI_SHOW_MS} ms)"
    )
    return rows


def main() -> None:
    args = arguments(
        __doc__,
        small=(int, 1_000, "invoices in the small database"),
        large=(int, 100_000, "invoices in the large database"),
        customers=(int, 1_000, "customers (fewer when there are few invoices)"),
        small_cdrs=(int, 0, "CDRs in the small database"),
        large_cdrs=(int, 0, "CDRs in the large database"),
        **dict(requests=100, accounts_per_customer=3, tag=""),
    )
    suffix = f"_{args.tag}" if args.tag else ""
    sites = [
        Site(args, args.small, args.small_cdrs, f"pages_small{suffix}"),
        Site(args, args.large, args.large_cdrs, f"pages_large{suffix}"),
    ]
    for site in sites:
        site.sign_in()
    # As gunicorn.conf.py does once the app is loaded: what exists now is never collected again,
    # so full garbage collections walk only what the requests create (else ~100 ms every ~30 requests).
    gc.freeze()
    report(sites, measure(sites, args.requests))


if __name__ == "__main__":
    main()
