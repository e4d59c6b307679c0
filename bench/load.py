"""Load test: gunicorn (gunicorn.conf.py, production settings) on PostgreSQL, driven by locust headless on loopback.

    PYTHONPATH=. python bench/load.py                      # 50 users for 60 s, think time 1-3 s
    PYTHONPATH=. python bench/load.py --think-time 0       # no think time: each user sends back to back
    PYTHONPATH=. python bench/load.py --users 10 --run-time 15 --invoices 2000

Creates a fresh database `bench_load_<pid>` beside --database-url, loads the bench data
(bench/_data.py) and renders real PDFs for the latest invoices of the two bench customers,
serves it with gunicorn on 127.0.0.1 only, runs bench/locustfile.py, prints p50/p95 per
request type, checks the server log for tracebacks and 5xx answers, stops the server and
drops the database. The exit code is 1 when any request failed.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bench._server import ROOT, free_port, production_env, start_gunicorn, stop_server, wait_until_serving
from bench._setup import arguments, fresh_database, machine, migrated_app

PASSWORD = "bench-password-1"
# All simulated users share 127.0.0.1: the per-address sign-in limits are raised for the run only.
PER_IP_LIMIT = "100000 per minute"
PDF_SINCE = date(2026, 10, 30)  # bench invoices are daily; the last three days get real PDFs


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means: use the in-memory store
        return False


def add_logins(db, count: int) -> dict[str, list[str]]:
    """One login per simulated user: signing out ends every session of that user (session version),
    so simulated users must not share one. Same password and hash as the bench users."""
    from portal.models import AdminUser, CustomerUser

    password_hash = db.session.scalar(select(CustomerUser.password_hash).where(CustomerUser.customer_id == 1))
    logins = {
        "heavy": [f"heavy-{n:02d}@bench.example" for n in range(count)],
        "light": [f"light-{n:02d}@bench.example" for n in range(count)],
        "admin": [f"admin-{n:02d}@bench.example" for n in range(count)],
    }
    db.session.execute(
        insert(CustomerUser),
        [
            {"email": email, "customer_id": 1 if who == "heavy" else 2, "password_hash": password_hash}
            for who in ("heavy", "light")
            for email in logins[who]
        ],
    )
    db.session.execute(
        insert(AdminUser), [{"email": email, "level": 5, "password_hash": password_hash} for email in logins["admin"]]
    )
    return logins


def prepare(app, args) -> dict:
    """Bench data, an API key and stored PDFs; returns what the locust users need to know."""
    from bench._data import populate
    from portal.auth.api_keys import create_api_key
    from portal.documents.service import render_invoice_document
    from portal.extensions import db
    from portal.models import Invoice

    with app.app_context():
        t0 = time.perf_counter()
        populate(
            db,
            customers=args.customers,
            accounts_per_customer=3,
            invoices=args.invoices,
            heavy_invoices=args.heavy_invoices,
            progress=lambda line: None,
        )
        _row, key = create_api_key(name="load test", scopes="read", level=3)
        logins = add_logins(db, args.users)
        db.session.commit()
        for table in ("invoices", "invoice_destinations", "invoice_networks", "invoice_service_data"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
        print(f"loaded {args.invoices:,} invoices of {args.customers} customers in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        with_pdf = db.session.scalars(
            select(Invoice).where(Invoice.customer_id.in_([1, 2]), Invoice.invoice_date >= PDF_SINCE)
        ).all()
        for invoice in with_pdf:
            if render_invoice_document(invoice) is None:
                raise SystemExit(f"PDF of invoice {invoice.id} failed: {invoice.pdf_error}")
            db.session.commit()
        print(f"rendered {len(with_pdf)} PDFs in {time.perf_counter() - t0:.1f} s")

        def customer_data(customer_id: int, emails: list[str]) -> dict:
            rows = db.session.execute(
                select(Invoice.uuid, Invoice.invoice_number, Invoice.account_id)
                .where(Invoice.customer_id == customer_id)
                .order_by(Invoice.invoice_date.desc())
                .limit(300)
            ).all()
            return {
                "emails": emails,
                "uuids": [str(r.uuid) for r in rows],
                "numbers": [r.invoice_number for r in rows[:50]],
                "accounts": sorted({r.account_id for r in rows}),
                "pdf_uuids": [str(i.uuid) for i in with_pdf if i.customer_id == customer_id],
            }

        all_ids = db.session.scalars(select(Invoice.id)).all()
        return {
            "password": PASSWORD,
            "invoices": args.invoices,
            "heavy": customer_data(1, logins["heavy"]),
            "light": customer_data(2, logins["light"]),
            "admin": {"emails": logins["admin"], "invoice_ids": all_ids[:: max(len(all_ids) // 500, 1)]},
            "pdf_invoice_ids": [i.id for i in with_pdf],
            "api_key": key,
            # The orgs API mints a download link per listed invoice (level 3 key): a window of PDF days.
            "orgs_v2": {"org": "telco", "account": 1, "start_date": PDF_SINCE.isoformat(), "end_date": "2026-11-01"},
        }


def stats_table(stats_csv: Path) -> tuple[list[str], int, int]:
    """Markdown rows (request type, count, failures, p50, p95, p99, max) and the totals."""
    lines, total, failures = [], 0, 0
    with stats_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] else "**all requests**"
            lines.append(
                f"| {name} | {int(row['Request Count']):,} | {row['Failure Count']} | {row['50%']} | "
                f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |"
            )
            if not row["Type"]:
                total, failures = int(row["Request Count"]), int(row["Failure Count"])
    return lines, total, failures


def yardstick_ratios(stats_csv: Path) -> str:
    """p50 and p95 of the portal's requests (all but the yardsticks) against the one-row yardstick's, and
    the throughput of each, from one run."""
    with stats_csv.open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle) if row["Type"]}
    yardstick = rows.get("yardstick: one row")
    if yardstick is None:
        return "the one-row yardstick was not asked during the run"
    portal = [row for name, row in rows.items() if not name.startswith("yardstick")]
    count = sum(int(row["Request Count"]) for row in portal)
    # Percentiles of the portal's requests together, weighted by each request type's count.
    p50 = sum(float(row["50%"]) * int(row["Request Count"]) for row in portal) / max(count, 1)
    p95 = sum(float(row["95%"]) * int(row["Request Count"]) for row in portal) / max(count, 1)
    rps = sum(float(row["Requests/s"]) for row in portal)
    return (
        f"portal requests: {count:,} ({rps:.1f}/s), count-weighted p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
        f"one-row yardstick: {int(yardstick['Request Count']):,} ({float(yardstick['Requests/s']):.1f}/s), "
        f"p50 {yardstick['50%']} ms, p95 {yardstick['95%']} ms; "
        f"ratios p50 {p50 / max(float(yardstick['50%']), 1):.1f}, p95 {p95 / max(float(yardstick['95%']), 1):.1f}"
    )


def server_problems(log: Path, access_log: Path) -> list[str]:
    problems = []
    if "Traceback" in log.read_text(errors="replace"):
        problems.append(f"tracebacks in {log}")
    errors = [line for line in access_log.read_text(errors="replace").splitlines() if '" 5' in line]
    if errors:
        problems.append(f"{len(errors)} 5xx answers, e.g. {errors[0]}")
    return problems


def main() -> None:
    args = arguments(
        __doc__,
        customers=200,
        invoices=20_000,
        heavy_invoices=3_000,
        keep=False,
        users=(int, 50, "concurrent users"),
        spawn_rate=(float, 10, "users started per second"),
        run_time=(int, 60, "seconds of load"),
        think_time=(str, "1-3", "seconds between a user's tasks, min-max (0: none)"),
        ratelimit_storage=(str, "redis://127.0.0.1:6379/15", "rate-limit store (memory:// if unreachable)"),
    )
    args.database = "postgresql"
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    # A database of this run's own: other runs may share the PostgreSQL server.
    name = f"load_{os.getpid()}"
    url = fresh_database(args, name)
    data = prepare(migrated_app(url), args)
    (work / "data.json").write_text(json.dumps(data))

    storage = args.ratelimit_storage if redis_reachable(args.ratelimit_storage) else "memory://"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(
        url,
        port,
        PORTAL_BASE_URL=base,
        PORTAL_RATELIMIT_STORAGE_URL=storage,
        PORTAL_INSTANCE_PATH=str(work / "instance"),
        PORTAL_OUTBOX_DIR=str(work / "outbox"),
        PORTAL_ACCESS_LOG=str(work / "access.log"),
        BENCH_PER_IP_LIMIT=PER_IP_LIMIT,
        # Redis is shared: this run's limit counters under a prefix of their own.
        BENCH_RATELIMIT_PREFIX=f"bench-load-{secrets.token_hex(6)}",
        BENCH_LOAD_DATA=str(work / "data.json"),
        BENCH_THINK_TIME=args.think_time,
        BENCH_YARDSTICK_USERS=str(max(1, args.users // 10)),
    )
    env.pop("PORTAL_QUEUE_URL", None)
    log = work / "gunicorn.log"
    server = start_gunicorn("bench.load_wsgi:app", env, log)
    try:
        wait_until_serving(base + "/login", server)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        locust = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.run_time}s",
                "--host",
                base,
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--stop-timeout",
                "15",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=args.run_time + 180,
        )
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()[0]
    finally:
        stop_server(server, timeout=45)
    if not args.keep:
        admin = create_engine(make_url(args.database_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)'))
        admin.dispose()

    rows, total, failures = stats_table(work / "locust_stats.csv")
    print(
        f"\nmachine: {machine()}; load average {load_before:.1f} before, {load_after:.1f} after; "
        f"rate limits stored in {storage}"
    )
    print(
        f"{args.users} users, think time {args.think_time} s, {args.run_time} s, {total:,} requests "
        f"({total / elapsed:.1f}/s), {failures} failed\n"
    )
    print("| request | count | failed | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print(yardstick_ratios(work / "locust_stats.csv"))
    failures_csv = work / "locust_failures.csv"
    if failures and failures_csv.exists():
        print("\nfailures:\n" + failures_csv.read_text())
    problems = server_problems(log, work / "access.log")
    for problem in problems:
        print(f"server: {problem}")
    print(f"\nlogs and CSV files: {work}")
    if locust.returncode not in (0, 1):
        print(locust.stderr[-3000:])
    sys.exit(1 if failures or problems or locust.returncode not in (0, 1) else 0)


if __name__ == "__main__":
    main()
