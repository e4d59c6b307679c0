"""A real `flask billing run` process killed (SIGKILL) as soon as it has committed its first invoices."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Invoice
from tests.factories import AccountFactory, CdrFactory

ROOT = Path(__file__).resolve().parents[2]
RUN_AT = "2026-05-06T03:00:00Z"
ACCOUNTS = 24
INVOICES_PER_ACCOUNT = 5  # daily periods 1-2 May ... 5-6 May, due at 6 May 02:00 with the default grace


def count_invoices() -> int:
    return db.session.scalar(select(func.count(Invoice.id)))


def daily_accounts_with_five_days_of_calls(at) -> list:
    """ACCOUNTS daily-billed accounts, each with one call on each of 1-5 May (committed)."""
    accounts = [
        AccountFactory(invoice_period="Daily", next_invoice_at=at(2026, 5, 2), next_invoice_type="Auto Full")
        for _ in range(ACCOUNTS)
    ]
    for account in accounts:
        for day in range(1, 6):
            CdrFactory(customer_acc_id=account.id, time_start=at(2026, 5, day, 12), customer_price=Decimal("1"))
    db.session.commit()
    return accounts


def run_billing_and_kill_it(database_url: str, tmp_path: Path) -> str:
    """Start `flask billing run` in its own process, kill it once an invoice is committed; return its log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATABASE_URL=database_url, PORTAL_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    log = tmp_path / "run.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "portal", "billing", "run", "--at", RUN_AT],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    try:
        while count_invoices() == 0 and process.poll() is None and time.monotonic() < deadline:
            db.session.commit()  # end the read so the next poll sees new commits
            time.sleep(0.005)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    db.session.commit()
    return log.read_text()
