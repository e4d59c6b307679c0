"""The fill, streams and billing-run benchmarks run end to end on tiny data (their figures are in bench/README.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench._setup import postgresql_database_name

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def bench(is_postgresql):
    """Run a benchmark script on the test's database kind; a PostgreSQL benchmark database is dropped after."""
    tag = f"_test{os.getpid()}"
    created = []

    def run(script: str, name: str, *args: str) -> str:
        command = [sys.executable, str(ROOT / "bench" / script), *args, "--tag", tag]
        if is_postgresql:
            command += ["--database", "postgresql", "--database-url", os.environ["PORTAL_TEST_DATABASE_URL"]]
            created.append(
                postgresql_database_name(make_url(os.environ["PORTAL_TEST_DATABASE_URL"]).database, f"{name}{tag}")
            )
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
        return done.stdout

    yield run
    if created:
        engine = create_engine(make_url(os.environ["PORTAL_TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_fill_benchmark_fills_accounts_among_many_and_compares_with_the_bare_group_by(bench, is_postgresql):
    out = bench("fill.py", "fill", "--cdrs", "300", "--accounts", "3", "--repeat", "2")
    assert "generated 300 CDRs over 3 accounts (~100 each)" in out and "ratio fill / bare:" in out
    assert "2 year-long fills of accounts with " in out and "load average" in out
    if is_postgresql:
        assert "bare GROUP BY without parallel workers:" in out and " plan): median " in out


def test_streams_benchmark_exports_the_same_rows_as_a_bare_cursor(bench):
    out = bench("streams.py", "streams", "--cdrs", "400")
    assert "same output: True" in out
    assert "export peak RSS:" in out and "ratio export / cursor:" in out
    cursor_line = next(line for line in out.splitlines() if line.startswith("cursor + csv"))
    export_line = next(line for line in out.splitlines() if line.startswith("portal export"))
    # Same number of lines on both sides, and more than the header: the invoice's calls were exported.
    assert cursor_line.split("lines ")[1].split()[0] == export_line.split("lines ")[1].split()[0] != "1"


def test_billing_run_benchmark_invoices_every_account(bench):
    out = bench("billing_run.py", "billing_run", "--accounts", "6")
    assert "accounts 6/6, invoices 6, failures 0, status done" in out
    assert "SQL statements per account:" in out
