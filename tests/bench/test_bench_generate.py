"""The data generator runs end to end on tiny sizes and writes what it was asked for (nothing is timed here)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench._setup import drop_database
from tests.bench.scripts import run_bench

SIZES = (
    "--customers",
    "5",
    "--accounts-per-customer",
    "3",
    "--invoices",
    "50",
    "--heavy-invoices",
    "5",
    "--cdrs",
    "500",
)


def _generate(*arguments: str, is_postgresql: bool) -> str:
    return run_bench("generate.py", *arguments, "--tag", "test", is_postgresql=is_postgresql)


def _counts(out: str) -> dict[str, int]:
    rows = re.findall(r"^\| ([^|]+) \| ([\d,]+) \|$", out, re.M)
    return {name: int(number.replace(",", "")) for name, number in rows}


def _url(out: str) -> str:
    return re.search(r"^database URL: (\S+)", out, re.M).group(1)


def test_generator_writes_the_asked_sizes_with_cdrs_inside_their_accounts_invoice_periods(app, is_postgresql):
    out = _generate(*SIZES, "--keep", is_postgresql=is_postgresql)
    assert _counts(out) == {
        "customers": 5,
        "accounts": 15,
        "invoices": 50,
        "heavy customer's invoices": 5,
        "invoice destination rows": 250,
        "invoice network rows": 250,
        "invoice service rows": 50,
        "CDRs": 500,
        "heavy customer's CDRs": 50,
    }
    for phase in ("schema (migrations)", "customers, accounts, invoices", "CDRs", "total"):
        assert re.search(rf"^\| {re.escape(phase)} \| \d+\.\d \| \d+\.\d \|$", out, re.M), phase
    assert "admin@bench.example" in out and "heavy@bench.example" in out and "bench-password-1" in out
    url = _url(out)
    try:
        assert make_url(url).database.endswith("generate_test" + (".sqlite3" if not is_postgresql else ""))
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                # Every CDR lies in the days its customer account's invoices cover, where a fill looks for it.
                inside = conn.scalar(
                    text(
                        "SELECT count(*) FROM cdrs c JOIN (SELECT account_id, min(start_date) AS s, max(end_date) AS e "
                        "FROM invoices GROUP BY account_id) w ON w.account_id = c.customer_acc_id "
                        "WHERE c.time_start >= w.s AND c.time_start < w.e"
                    )
                )
                accounts_with_cdrs = conn.scalar(text("SELECT count(DISTINCT customer_acc_id) FROM cdrs"))
                # Written in time order, as a switch writes them: ids ascend with time.
                out_of_order = conn.scalar(
                    text("SELECT count(*) FROM cdrs a JOIN cdrs b ON b.id = a.id + 1 WHERE b.time_start < a.time_start")
                )
        finally:
            engine.dispose()
        assert (inside, accounts_with_cdrs, out_of_order) == (500, 15, 0)
    finally:
        drop_database(url)


def test_generator_drops_its_database_without_keep(app, is_postgresql):
    out = _generate(
        "--customers", "2", "--invoices", "4", "--heavy-invoices", "2", "--cdrs", "10", is_postgresql=is_postgresql
    )
    assert _counts(out)["CDRs"] == 10 and "(dropped; --keep keeps it)" in out
    url = make_url(_url(out))
    if is_postgresql:
        admin = create_engine(make_url(os.environ["PORTAL_TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                left = conn.scalar(
                    text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": url.database}
                )
        finally:
            admin.dispose()
        assert left == 0
    else:
        assert not Path(url.database).exists()
