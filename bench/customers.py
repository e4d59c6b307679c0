"""Benchmark: admin and customer pages with few versus many customers (the invoice count stays the same).

Builds two databases side by side (default 1,000 and 20,000 customers of 3 accounts each, so 60,000
accounts in the large one, and 20,000 invoices in both), then requests each page in turn on both,
interleaved so machine noise hits both alike. Every request picks its customer, invoice or page at
random over the data; the yardstick is one invoice row read by primary key and encoded with orjson
in the same app (as bench/http_wsgi.py does). Target: p95(many) / p95(few) <= 1.2 on every page.

    python bench/customers.py                                  # PostgreSQL
    python bench/customers.py --database sqlite --few 1000 --many 20000 --requests 100
    python bench/customers.py --few 5 --many 12 --invoices 60 --requests 2      # smoke run
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text

from bench._data import populate
from bench._setup import arguments, fresh_database, machine, migrated_app
from bench.pages import percentile
from bench.yardsticks import add_yardsticks

TARGET = 1.2


class Site:
    """One populated database with its app, signed-in test clients and the measured pages."""

    def __init__(self, args, customers: int, name: str):
        from portal.extensions import db
        from portal.models import AdminUser, CustomerUser, Invoice

        self.customers = customers
        self.app = migrated_app(fresh_database(args, name))
        with self.app.app_context():
            t0 = time.perf_counter()
            populate(
                db,
                customers=customers,
                accounts_per_customer=3,
                invoices=args.invoices,
                heavy_invoices=max(1, args.invoices // 10),
                progress=lambda _: None,
            )
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            print(f"{name}: {customers:,} customers, {args.invoices:,} invoices in {time.perf_counter() - t0:.1f} s")
            heavy = db.session.scalar(select(CustomerUser).where(CustomerUser.email == "heavy@bench.example"))
            admin = db.session.scalar(select(AdminUser).where(AdminUser.email == "admin@bench.example"))
            self.heavy_uuids = [
                str(u) for u in db.session.scalars(select(Invoice.uuid).where(Invoice.customer_id == 1))
            ]
            self.invoices = args.invoices
            self.customer = self._signed_in(heavy.get_id())
            self.admin = self._signed_in(admin.get_id())
            db.session.remove()

        add_yardsticks(self.app)

    def _signed_in(self, user_id: str):
        client = self.app.test_client()
        with client.session_transaction() as session:  # what the login form stores after a sign-in
            session["_user_id"] = user_id
            session["_fresh"] = True
        return client

    def pages(self, rng: random.Random) -> dict:
        """Page name -> (client, URL), the random parts drawn anew on every call."""
        customer = rng.randint(1, self.customers)
        return {
            "one-row yardstick": (self.admin, f"/bench/one/{rng.randint(1, self.invoices)}"),
            "admin dashboard": (self.admin, "/admin/"),
            "admin invoice list": (self.admin, "/admin/invoices"),
            "admin invoice list, one customer": (self.admin, f"/admin/invoices?customer={customer}"),
            "admin invoice detail": (self.admin, f"/admin/invoices/{rng.randint(1, self.invoices)}"),
            "admin new invoice form": (self.admin, "/admin/invoices/new"),
            "admin customer list": (self.admin, "/admin/customers"),
            "admin customer detail": (self.admin, f"/admin/customers/{customer}"),
            "customer dashboard": (self.customer, "/portal/"),
            "customer invoice list": (self.customer, "/portal/invoices"),
            "customer invoice detail": (self.customer, f"/portal/invoices/{rng.choice(self.heavy_uuids)}"),
        }


def measure(sites: list[Site], requests: int, warmup: int = 2) -> dict:
    rng = random.Random(9)
    times: dict = {}
    for round_no in range(warmup + requests):
        for i, site in enumerate(sites):
            for page, (client, url) in site.pages(rng).items():
                t0 = time.perf_counter()
                answer = client.get(url)
                elapsed = time.perf_counter() - t0
                if answer.status_code != 200:
                    raise SystemExit(f"{url} answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
                if round_no >= warmup:
                    times.setdefault((page, i), []).append(elapsed * 1000)
    return times


def main() -> None:
    args = arguments(
        __doc__,
        default_database="postgresql",
        few=(int, 1_000, "customers in the small database"),
        many=(int, 20_000, "customers in the large database"),
        invoices=20_000,
        requests=50,
    )
    sites = [Site(args, args.few, "customers_few"), Site(args, args.many, "customers_many")]
    gc.freeze()  # as gunicorn.conf.py does once the app is loaded
    loads = [os.getloadavg()[0]]
    times = measure(sites, args.requests)
    loads.append(os.getloadavg()[0])
    print(f"database: {args.database}; machine: {machine()}; load average (1 min): {loads[0]:.1f}, {loads[1]:.1f}")
    print(
        f"{args.invoices:,} invoices in both; {args.few:,} customers ({3 * args.few:,} accounts) against "
        f"{args.many:,} ({3 * args.many:,} accounts); {args.requests} requests per page, random ids"
    )
    print(
        f"| page | p50 {args.few:,} | p50 {args.many:,} | p95 {args.few:,} | p95 {args.many:,} "
        f"| p95 ratio | p95 / yardstick p95 at {args.many:,} | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    yardstick = percentile(times["one-row yardstick", 1], 95)
    for page in sites[0].pages(random.Random(0)):
        few, many = times[page, 0], times[page, 1]
        ratio = percentile(many, 95) / percentile(few, 95)
        verdict = "" if page == "one-row yardstick" else f"<= {TARGET} {'ok' if ratio <= TARGET else 'MISSED'}"
        print(
            f"| {page} | {statistics.median(few):.1f} ms | {statistics.median(many):.1f} ms "
            f"| {percentile(few, 95):.1f} ms | {percentile(many, 95):.1f} ms | {ratio:.2f} "
            f"| {percentile(many, 95) / yardstick:.1f} | {verdict} |"
        )


if __name__ == "__main__":
    main()
