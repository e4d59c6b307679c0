"""The load test runs end to end on tiny data on PostgreSQL, with its yardstick mix (figures in bench/README.md)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.bench.scripts import ROOT


@pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust is not installed (pip install .[bench])")
def test_load_test_serves_every_user_kind_without_an_error_next_to_the_yardstick_mix(app, is_postgresql):
    if not is_postgresql:
        pytest.skip("the load test runs on PostgreSQL")
    args = [sys.executable, str(ROOT / "bench" / "load.py"), "--database-url", os.environ["PORTAL_TEST_DATABASE_URL"]]
    args += ["--users", "12", "--run-time", "8", "--invoices", "300", "--customers", "6", "--heavy-invoices", "60"]
    args += ["--think-time", "0"]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=600, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    assert "| yardstick: one row | " in done.stdout and "ratios p50 " in done.stdout
    assert ", 0 failed" in done.stdout and "load average" in done.stdout
