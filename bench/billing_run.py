"""Benchmark: a billing run over N monthly accounts (a few CDRs and a transaction each): total and per-account time.

    python bench/billing_run.py --database sqlite --accounts 3000
    python bench/billing_run.py --database postgresql --accounts 3000

The accounts, CDRs and transactions are bulk-inserted; the run goes through
`portal.billing.runs.start_billing_run` and `execute_billing_run`, exactly as `flask billing run`
does. SQL statements are counted per account (constant = no N+1).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert

from bench._setup import UTC, arguments, fresh_database, insert_monthly_accounts, machine, migrated_app

PERIOD_END = datetime(2026, 2, 1, tzinfo=UTC)
RUN_AT = datetime(2026, 2, 10, tzinfo=UTC)
CDRS_PER_ACCOUNT = 4


def populate(db, accounts: int) -> None:
    """`accounts` monthly accounts (3 per customer) due at PERIOD_END, each with CDRs and a transaction in January."""
    from portal.models import Cdr, Customer, Organization, Transaction

    org = Organization(slug="bench", name="Bench")
    db.session.add(org)
    db.session.flush()
    customers = -(-accounts // 3)
    db.session.execute(
        insert(Customer),
        [{"id": c, "organization_id": org.id, "name": f"Customer {c}"} for c in range(1, customers + 1)],
    )
    insert_monthly_accounts(db, accounts, customer_of=lambda a: (a - 1) // 3 + 1, due=PERIOD_END)
    january = datetime(2026, 1, 1, tzinfo=UTC)
    cdrs = []
    for a in range(1, accounts + 1):
        for k in range(CDRS_PER_ACCOUNT):
            billed = 60 * (k + 1)
            cdrs.append(
                {
                    "time_start": january + timedelta(days=k * 7, seconds=a),
                    "duration": billed - 5,
                    "customer_duration": billed,
                    "vendor_duration": billed,
                    "success": k != 0,
                    "customer_acc_id": a,
                    "vendor_acc_id": None,
                    "customer_price": Decimal("0.045") * (k + 1),
                    "vendor_price": Decimal("0.03") * (k + 1),
                    "dst_prefix": "4915" if k % 2 else "4930",
                    "destination_rate": Decimal("0.045"),
                    "is_last_cdr": True,
                }
            )
    db.session.execute(insert(Cdr), cdrs)
    db.session.execute(
        insert(Transaction),
        [
            {
                "account_id": a,
                "category": "one-off",
                "amount": Decimal("12.50"),
                "description": "Setup fee",
                "created_at": january + timedelta(days=14),
            }
            for a in range(1, accounts + 1)
        ],
    )
    db.session.commit()


def main() -> None:
    args = arguments(
        __doc__,
        accounts=(int, 3000, "number of due accounts"),
        approve=(int, 0, "1: the run approves the invoices it creates"),
        tag="",
    )
    url = fresh_database(args, "billing_run" + args.tag)
    app = migrated_app(url)
    from portal.billing.runs import execute_billing_run, start_billing_run
    from portal.extensions import db
    from portal.models import Invoice

    with app.app_context():
        t0 = time.perf_counter()
        populate(db, args.accounts)
        print(f"generated {args.accounts:,} accounts in {time.perf_counter() - t0:.1f} s", flush=True)
        run = start_billing_run(run_at=RUN_AT, approve=bool(args.approve), now=RUN_AT + timedelta(hours=1))
        db.session.commit()

        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
        marks: list[tuple[float, int]] = []

        def progress(r) -> None:
            marks.append((time.perf_counter(), statements[0]))

        t0 = time.perf_counter()
        run = execute_billing_run(run.id, progress=progress)
        total = time.perf_counter() - t0
        end_statements = statements[0]
        invoices = db.session.query(Invoice).filter(Invoice.billing_run_id == run.id).count()
        steps = [b[0] - a[0] for a, b in zip(marks, marks[1:])]
        queries = [b[1] - a[1] for a, b in zip(marks, marks[1:])]
        finish = t0 + total - marks[-1][0]
        print(f"database: {db.engine.dialect.name}; machine: {machine()}")
        print(
            f"accounts {run.accounts_done:,}/{run.accounts_total:,}, invoices {invoices:,}, "
            f"failures {len(run.failures)}, status {run.status}, approve {bool(args.approve)}"
        )
        print(
            f"total {total:.1f} s; per account: mean {statistics.mean(steps) * 1000:.1f} ms, "
            f"median {statistics.median(steps) * 1000:.1f} ms, p95 "
            f"{sorted(steps)[int(len(steps) * 0.95)] * 1000:.1f} ms"
        )
        print(
            f"SQL statements per account: min {min(queries)}, max {max(queries)}; "
            f"anomaly report + finish: {finish * 1000:.0f} ms, {end_statements - marks[-1][1]} statements"
        )
        if run.status != "done" or run.failures or invoices != args.accounts:
            raise SystemExit("the billing run did not invoice every account")


if __name__ == "__main__":
    main()
