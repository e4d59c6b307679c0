"""Shared set-up for benchmarks: an app on a chosen database, migrated, and fast bulk data helpers."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

UTC = timezone.utc
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# Options several benchmarks take: name -> (type, meaning). A benchmark gives only its default
# (`arguments(__doc__, invoices=20_000)`); an option of its own, or one it reads its own way, comes as
# (type, default, meaning).
OPTIONS = {
    "invoices": (int, "invoices in the database (in each, where a benchmark builds two)"),
    "customers": (int, "customers"),
    "accounts_per_customer": (int, "accounts of each customer"),
    "heavy_invoices": (int, "invoices of the heavy customer (customer 1)"),
    "accounts": (int, "accounts"),
    "cdrs": (int, "CDRs"),
    "requests": (int, "timed requests per page and database (per client)"),
    "repeat": (int, "timed repetitions (median reported)"),
    "tag": (str, "suffix of the benchmark database names, so that two runs on one server never collide"),
    "keep": (bool, "keep the database afterwards (otherwise it is dropped)"),
    "queue_url": (str, "Redis for the queue (PORTAL_BENCH_QUEUE_URL)"),
    "duration": (int, "seconds per wrk run"),
    "connections": (int, "wrk connections"),
    "threads": (int, "wrk threads"),
    "workers": (int, "gunicorn workers (0: gunicorn.conf.py's default, 2 x CPUs + 1)"),
    "server_threads": (int, "threads per gunicorn worker (0: gunicorn.conf.py's default)"),
}
# (ISO code, name, calling code) of the countries benchmark data uses.
COUNTRIES = [
    ("DE", "Germany", "49"),
    ("GB", "United Kingdom", "44"),
    ("FR", "France", "33"),
    ("US", "United States", "1"),
    ("NL", "Netherlands", "31"),
    ("ES", "Spain", "34"),
    ("IN", "India", "91"),
    ("TR", "Turkey", "90"),
]
QUEUE_URL = os.environ.get("PORTAL_BENCH_QUEUE_URL", "redis://127.0.0.1:6379/0")


def arguments(description: str, *, default_database: str = "sqlite", **extra) -> argparse.Namespace:
    """The command line of a benchmark: --database and --database-url, and `extra` options, each a
    default of one of OPTIONS or (type, default, meaning)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default=default_database)
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server URL (a benchmark database is created beside it)",
        default=os.environ.get("PORTAL_BENCH_DATABASE_URL", PG_URL),
    )
    for name, given in extra.items():
        kind, default, help_text = given if isinstance(given, tuple) else (OPTIONS[name][0], given, OPTIONS[name][1])
        if kind is bool:  # a flag: present or not
            parser.add_argument(f"--{name.replace('_', '-')}", action="store_true", default=default, help=help_text)
        else:
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default, help=help_text)
    return parser.parse_args()


def postgresql_database_name(asked_from: str | None, name: str) -> str:
    """The benchmark database `name`, named after the database it was asked from, so that runs
    given different databases (parallel checkouts, say) never share one."""
    return f"bench_{name}" if asked_from in (None, "postgres") else f"bench_{asked_from}_{name}"


def fresh_database(args, name: str) -> str:
    """A new empty database for one benchmark run."""
    if args.database == "sqlite":
        path = os.path.join(tempfile.mkdtemp(prefix="bench-"), f"{name}.sqlite3")
        return f"sqlite:///{path}"
    url = make_url(args.database_url)
    return recreate_postgresql_database(url, postgresql_database_name(url.database, name))


def recreate_postgresql_database(url, name: str) -> str:
    """Drop PostgreSQL database `name` if it exists and create it empty, on the server of `url` (a URL object,
    whose own database it connects to for this). Returns the new database's URL, password included."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a database made by fresh_database (SQLite: its file and folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(parsed.database + suffix):
                os.remove(parsed.database + suffix)
        with contextlib.suppress(OSError):  # the folder fresh_database made, if nothing else is in it
            os.rmdir(os.path.dirname(parsed.database))
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def migrated_app(database_url: str):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app(
        {
            "ENV_NAME": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "OUTBOX_DIR": tempfile.mkdtemp(prefix="bench-outbox-"),
        }
    )
    with app.app_context():
        upgrade()
    return app


def catch_up_sequences(session) -> None:
    """On PostgreSQL, move every id sequence past the highest id in its table: bulk inserts that give
    ids themselves leave the sequences behind, and the next row created the ordinary way would take
    an id already in use. Commits. (SQLite hands out max(id) + 1 by itself.)"""
    if session.get_bind().dialect.name != "postgresql":
        return
    columns = session.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
        )
    ).all()
    for table, column in columns:
        session.execute(
            text(
                f'SELECT setval(pg_get_serial_sequence(:table, :column), coalesce(max("{column}"), 0) + 1, false) '
                f'FROM "{table}"'
            ),
            {"table": f'"{table}"', "column": column},
        )
    session.commit()


def insert_monthly_accounts(db, count: int, *, customer_of, due: datetime) -> None:
    """Accounts 1..count (EUR, UTC, 19 % VAT, 30 days to pay) invoiced monthly, the next invoice due at
    `due`; `customer_of(account id)` names each one's customer."""
    from portal.models import Account

    row = {
        "currency": "EUR",
        "timezone": "UTC",
        "vat_rate": Decimal("19"),
        "payment_terms_days": 30,
        "invoice_period": "Monthly",
        "next_invoice_at": due,
        "next_invoice_type": "Auto Full",
    }
    db.session.execute(
        insert(Account),
        [
            {**row, "id": a, "uuid": uuid.uuid4(), "customer_id": customer_of(a), "name": f"Account {a}"}
            for a in range(1, count + 1)
        ],
    )


def bench_customer(db, name: str):
    """(customer, vendor account): organization "bench", a customer `name` and an account of it on the
    vendor side of the CDRs, added to the session (not flushed)."""
    from portal.models import Account, Customer, Organization

    customer = Customer(organization=Organization(slug="bench", name="Bench"), name=name)
    vendor = Account(customer=customer, name="Vendor")
    db.session.add_all([customer, vendor])
    return customer, vendor


def machine() -> str:
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
    )


def bulk_cdrs(
    db,
    *,
    customer_acc_id: int | list[int],
    vendor_acc_id: int | None,
    count: int,
    start: datetime,
    days: int,
    seed: int = 1,
    chunk: int = 20_000,
) -> None:
    """Insert `count` CDRs spread over `days` days with a realistic prefix and price mix; `customer_acc_id`
    a list: each CDR's account is drawn from it at random."""
    from portal.models import Cdr

    rng = random.Random(seed)
    prefixes = [
        ("4915", Decimal("0.0450")),
        ("4930", Decimal("0.0080")),
        ("447", Decimal("0.0320")),
        ("4420", Decimal("0.0060")),
        ("336", Decimal("0.0380")),
        ("331", Decimal("0.0070")),
        ("1212", Decimal("0.0040")),
        ("9198", Decimal("0.0150")),
        ("90532", Decimal("0.0700")),
    ]
    span = days * 86400
    accounts = customer_acc_id if isinstance(customer_acc_id, list) else [customer_acc_id]
    rows = []
    for i in range(count):
        prefix, rate = prefixes[rng.randrange(len(prefixes))]
        success = rng.random() < 0.62
        duration = int(rng.expovariate(1 / 150)) if success else 0
        billed = -(-duration // 60) * 60
        price = (rate * billed / 60).quantize(Decimal("0.000001"))
        rows.append(
            {
                "time_start": start + timedelta(seconds=rng.randrange(span)),
                "duration": duration,
                "customer_duration": billed,
                "vendor_duration": billed,
                "success": success,
                "customer_acc_id": accounts[rng.randrange(len(accounts))],
                "vendor_acc_id": vendor_acc_id,
                "customer_price": price,
                "vendor_price": (price * Decimal("0.8")).quantize(Decimal("0.000001")),
                "dst_prefix": prefix,
                "dialpeer_prefix": prefix,
                "destination_rate": rate,
                "dialpeer_rate": rate * Decimal("0.8"),
                "destination_reverse_billing": False,
                "dialpeer_reverse_billing": False,
                "is_last_cdr": rng.random() > 0.05,
            }
        )
        if len(rows) == chunk:
            db.session.execute(insert(Cdr), rows)
            rows = []
    if rows:
        db.session.execute(insert(Cdr), rows)
    db.session.commit()
