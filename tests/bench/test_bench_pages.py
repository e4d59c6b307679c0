"""The page benchmark runs end to end on tiny data (the figures themselves are in bench/README.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = (
    "customer dashboard",
    "customer list (25, filtered)",
    "customer invoice detail",
    "admin list (default)",
    "admin list (filtered)",
    "JSON:API GET /invoices/{id}",
    "JSON:API GET /invoices",
)


def test_page_benchmark_measures_every_page_on_both_sizes(app, is_postgresql):
    args = [
        sys.executable,
        str(ROOT / "bench" / "pages.py"),
        "--small",
        "20",
        "--large",
        "60",
        "--requests",
        "2",
        "--customers",
        "3",
        "--small-cdrs",
        "300",
        "--large-cdrs",
        "900",
        "--tag",
        "test",
    ]
    if is_postgresql:
        args += ["--database", "postgresql", "--database-url", os.environ["PORTAL_TEST_DATABASE_URL"]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    assert f"database: {'postgresql' if is_postgresql else 'sqlite'}" in done.stdout
    assert "pages_small_test: 20 invoices, 300 CDRs" in done.stdout
    assert "pages_large_test: 60 invoices, 900 CDRs" in done.stdout
    for page in PAGES:
        line = next(line for line in done.stdout.splitlines() if line.startswith(page))
        # p50 and p95 at both sizes, the ratio, and the queries per page at both sizes.
        assert len(re.findall(r"\d+\.\d ms", line)) == 4, line
        assert re.search(r" \d+\.\d\d \d+ / \d+ \((constant|VARIES)\)", line), line
    assert "seed system: 8.9 ms" in done.stdout
