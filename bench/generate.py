"""Benchmark data at scale in one command: customers, accounts, approved invoices with detail rows, CDRs.

Creates a fresh migrated database, writes customers, accounts and approved invoices with their
destination, network and service rows (bench/_data.py `populate`: one heavy customer owns
`--heavy-invoices` of them), then `--cdrs` CDRs spread over every customer account (the heavy
customer's accounts get the same share of them as of the invoices), each inside the days its
account's invoices cover, so that a fill of those periods finds them. CDRs go through the CDR
importer's bulk insert (executemany on SQLite, COPY on PostgreSQL) in the order a live switch
writes them: by time, all accounts interleaved. PostgreSQL gets VACUUM ANALYZE at the end.

    PYTHONPATH=. python bench/generate.py --database sqlite --keep
    PYTHONPATH=. python bench/generate.py --database postgresql --keep \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]   # database bench_generate

Defaults are the sizes of issue 7: 1,000 customers, 3 accounts each, 100,000 invoices (10,000 of
the heavy customer), 1,000,000 CDRs. Without --keep the database is dropped after the summary.
"""

from __future__ import annotations

import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click
from sqlalchemy import func, select, text

from bench._data import populate
from bench._setup import UTC, arguments, drop_database, fresh_database, machine, migrated_app

PASSWORD = "bench-password-1"
LOGINS = ("admin@bench.example", "heavy@bench.example", "light@bench.example")
CHUNK = 50_000
# (dialled prefix, country, network kind, rate per minute): networks populate() creates.
DESTINATIONS = [
    ("49151", "DE", "mobile", "0.045"),
    ("4930", "DE", "fixed", "0.008"),
    ("447", "GB", "mobile", "0.032"),
    ("4420", "GB", "fixed", "0.006"),
    ("336", "FR", "mobile", "0.038"),
    ("331", "FR", "fixed", "0.007"),
    ("1212", "US", "fixed", "0.004"),
    ("316", "NL", "mobile", "0.041"),
    ("346", "ES", "mobile", "0.036"),
]


class Phases:
    """Wall and CPU seconds of each phase, in order."""

    def __init__(self):
        self.rows: list[tuple[str, float, float]] = []

    @contextmanager
    def __call__(self, name: str):
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.rows.append((name, time.perf_counter() - wall, time.process_time() - cpu))


def bar(label: str, length: int):
    return click.progressbar(length=length, label=label.ljust(24), show_pos=True, file=sys.stderr)


def write_invoices(db, args) -> None:
    with bar("invoices", max(args.invoices, args.heavy_invoices)) as progress:
        populate(
            db,
            customers=args.customers,
            accounts_per_customer=args.accounts_per_customer,
            invoices=args.invoices,
            heavy_invoices=args.heavy_invoices,
            seed=args.seed,
            progress=lambda _line: None,
            invoice_progress=lambda done, _total: progress.update(done - progress.pos),
        )


def heavy_customer_id(db) -> int:
    from portal.models import CustomerUser

    return db.session.scalar(select(CustomerUser.customer_id).where(CustomerUser.email == "heavy@bench.example"))


def cdr_plan(db, count: int) -> list[tuple[int, int, int, int]]:
    """(account id, CDRs, first second, seconds) per customer account: the heavy customer's accounts
    get its share of the invoices, the others the rest evenly; times within the account's invoices."""
    from portal.models import Account, Invoice

    heavy = heavy_customer_id(db)
    accounts = db.session.execute(select(Account.id, Account.customer_id).order_by(Account.id)).all()
    windows = {
        account_id: (start, end)
        for account_id, start, end in db.session.execute(
            select(Invoice.account_id, func.min(Invoice.start_date), func.max(Invoice.end_date)).group_by(
                Invoice.account_id
            )
        )
    }
    if windows:
        overall = (min(w[0] for w in windows.values()), max(w[1] for w in windows.values()))
    else:
        end = datetime(2026, 11, 1, tzinfo=UTC)
        overall = (end - timedelta(days=30), end)
    heavy_accounts = [a for a, customer in accounts if customer == heavy]
    other_accounts = [a for a, customer in accounts if customer != heavy]
    invoices = db.session.scalar(select(func.count()).select_from(Invoice))
    heavy_invoices = db.session.scalar(select(func.count()).where(Invoice.customer_id == heavy))
    heavy_share = heavy_invoices / invoices if invoices else len(heavy_accounts) / max(len(accounts), 1)
    heavy_cdrs = count if not other_accounts else round(count * heavy_share)
    plan = []
    for group, total in ((heavy_accounts, heavy_cdrs), (other_accounts, count - heavy_cdrs)):
        for i, account_id in enumerate(group):
            start, end = windows.get(account_id, overall)
            first = epoch(start)
            plan.append((account_id, total // len(group) + (i < total % len(group)), first, epoch(end) - first))
    return plan


def epoch(moment: datetime) -> int:
    """Seconds since 1970 of a timestamp read back aware, or naive UTC (an aggregate on SQLite)."""
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def write_cdrs(db, count: int, seed: int) -> None:
    """`count` CDRs by the plan of cdr_plan(), inserted in time order in chunks of CHUNK rows."""
    from portal.imports.bulk import CDR_TABLE, insert_columns
    from portal.models import Country, Network

    rng = random.Random(seed)
    countries = dict(db.session.execute(select(Country.iso2, Country.id)).all())
    networks = {
        (country, kind): network_id
        for country, kind, network_id in db.session.execute(
            select(Network.country_id, Network.network_type, Network.id)
        )
    }
    destinations = [
        (prefix, countries[iso2], networks[(countries[iso2], kind)], Decimal(rate))
        for prefix, iso2, kind, rate in DESTINATIONS
    ]
    # One sortable integer per CDR: start second << 32 | account id.
    keys = []
    for account_id, n, first, seconds in cdr_plan(db, count):
        randrange = rng.randrange
        keys.extend(((first + randrange(seconds)) << 32) | account_id for _ in range(n))
    keys.sort()
    prices: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    with bar("CDRs", len(keys)) as progress:
        for begin in range(0, len(keys), CHUNK):
            insert_columns(CDR_TABLE, cdr_columns(rng, keys[begin : begin + CHUNK], destinations, prices))
            db.session.commit()
            progress.update(min(CHUNK, len(keys) - begin))


def cdr_columns(rng, keys: list[int], destinations, prices) -> dict[str, list]:
    """The columns of one chunk of CDRs: durations long-tailed, 62 % answered, 5 % re-routed attempts."""
    columns: dict[str, list] = {
        name: []
        for name in (
            "time_start",
            "duration",
            "customer_duration",
            "vendor_duration",
            "success",
            "customer_acc_id",
            "customer_price",
            "vendor_price",
            "dst_prefix",
            "dialpeer_prefix",
            "country_id",
            "network_id",
            "destination_rate",
            "dialpeer_rate",
            "dst_number",
            "is_last_cdr",
        )
    }
    random_, randrange, expovariate = rng.random, rng.randrange, rng.expovariate
    fromtimestamp = datetime.fromtimestamp
    for key in keys:
        d = randrange(len(destinations))
        prefix, country_id, network_id, rate = destinations[d]
        duration = int(expovariate(1 / 150)) if random_() < 0.62 else 0
        minutes = -(-duration // 60)
        price = prices.get((d, minutes))
        if price is None:
            customer = (rate * minutes).quantize(Decimal("0.000001"))
            price = prices[(d, minutes)] = (customer, (customer * Decimal("0.8")).quantize(Decimal("0.000001")))
        columns["time_start"].append(fromtimestamp(key >> 32, UTC))
        columns["duration"].append(duration)
        columns["customer_duration"].append(minutes * 60)
        columns["vendor_duration"].append(minutes * 60)
        columns["success"].append(duration > 0)
        columns["customer_acc_id"].append(key & 0xFFFFFFFF)
        columns["customer_price"].append(price[0])
        columns["vendor_price"].append(price[1])
        columns["dst_prefix"].append(prefix)
        columns["dialpeer_prefix"].append(prefix)
        columns["country_id"].append(country_id)
        columns["network_id"].append(network_id)
        columns["destination_rate"].append(rate)
        columns["dialpeer_rate"].append(rate)
        columns["dst_number"].append(f"{prefix}{randrange(10**6, 10**7)}")
        columns["is_last_cdr"].append(random_() > 0.05)
    columns["destination_reverse_billing"] = columns["dialpeer_reverse_billing"] = [False] * len(keys)
    return columns


def finish_postgresql(db) -> None:
    """VACUUM ANALYZE (populate() has already moved the sequences past its explicit ids)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def counts(db) -> dict[str, int]:
    from portal.models import Account, Cdr, Customer, Invoice, InvoiceDestination, InvoiceNetwork, InvoiceServiceData

    heavy = heavy_customer_id(db)
    heavy_accounts = select(Account.id).where(Account.customer_id == heavy)
    number = lambda query: db.session.scalar(query)  # noqa: E731 - a one-line helper used right below
    return {
        "customers": number(select(func.count()).select_from(Customer)),
        "accounts": number(select(func.count()).select_from(Account)),
        "invoices": number(select(func.count()).select_from(Invoice)),
        "heavy customer's invoices": number(select(func.count()).where(Invoice.customer_id == heavy)),
        "invoice destination rows": number(select(func.count()).select_from(InvoiceDestination)),
        "invoice network rows": number(select(func.count()).select_from(InvoiceNetwork)),
        "invoice service rows": number(select(func.count()).select_from(InvoiceServiceData)),
        "CDRs": number(select(func.count()).select_from(Cdr)),
        "heavy customer's CDRs": number(select(func.count()).where(Cdr.customer_acc_id.in_(heavy_accounts))),
    }


def expected(args) -> dict[str, int]:
    invoices = max(args.invoices, args.heavy_invoices)
    return {
        "customers": args.customers,
        "accounts": args.customers * args.accounts_per_customer,
        "invoices": invoices,
        "heavy customer's invoices": args.heavy_invoices,
        "invoice destination rows": 5 * invoices,
        "invoice network rows": 5 * invoices,
        "invoice service rows": invoices,
        "CDRs": args.cdrs,
    }


def main() -> int:
    args = arguments(
        __doc__,
        seed=(int, 7, "same seed, same data"),
        **dict(customers=1000, accounts_per_customer=3, invoices=100_000, heavy_invoices=10_000, cdrs=1_000_000),
        **dict(tag="", keep=False),
    )
    if args.customers < 2 or args.accounts_per_customer < 1:
        raise SystemExit(
            "--customers must be at least 2 (the heavy and the light login's customers) and "
            "--accounts-per-customer at least 1"
        )
    load_before = os.getloadavg()[0]
    phases = Phases()
    with phases("schema (migrations)"):
        url = fresh_database(args, "generate" + (f"_{args.tag}" if args.tag else ""))
        app = migrated_app(url)
    from portal.extensions import db

    with app.app_context():
        with phases("customers, accounts, invoices"):
            write_invoices(db, args)
        with phases("CDRs"):
            write_cdrs(db, args.cdrs, args.seed)
        if db.engine.dialect.name == "postgresql":
            with phases("sequences, VACUUM ANALYZE"):
                finish_postgresql(db)
        with phases("counting"):
            found = counts(db)
        db.session.remove()
        db.engine.dispose()
    load_after = os.getloadavg()[0]

    print(
        f"database: {args.database}; machine: {machine()}; load average {load_before:.1f} before, "
        f"{load_after:.1f} after"
    )
    print("\n| rows | count |\n| --- | --- |")
    for name, number in found.items():
        print(f"| {name} | {number:,} |")
    print("\n| phase | wall s | CPU s (this process) |\n| --- | --- | --- |")
    for name, wall, cpu in phases.rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")
    print(f"| total | {sum(r[1] for r in phases.rows):.1f} | {sum(r[2] for r in phases.rows):.1f} |")
    print(f"\nlogins (password {PASSWORD}): {', '.join(LOGINS)}")
    if args.keep:
        print(f"database URL: {url}")
    else:
        drop_database(url)
        print(f"database URL: {url} (dropped; --keep keeps it)")
    wrong = {name: (found[name], number) for name, number in expected(args).items() if found[name] != number}
    for name, (got, wanted) in wrong.items():
        print(f"FAILED: {got:,} {name}, expected {wanted:,}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
