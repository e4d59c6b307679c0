"""The lists-under-writes benchmark runs end to end on tiny data (figures in bench/README.md; nothing is timed here)."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.bench.scripts import run_bench


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_lists_under_writes_measures_both_servers_at_every_rate(app, is_postgresql):
    tiny = "--invoices 120 --rates 0,5 --duration 1 --rounds 1 --connections 2 --workers 1 --paths 50"
    out = run_bench("lists_under_writes.py", *tiny.split(), is_postgresql=is_postgresql)
    assert "random pages of 50 over 120 invoices" in out and "machine: " in out
    lines = {line.split(" (")[0]: line for line in out.splitlines() if line.startswith("| ")}
    for rate in ("0", "5"):
        line = lines[f"| {rate}"]
        # The rate done, req/s and p95 of both servers, the ratios per round, and the load.
        assert re.fullmatch(
            r"\| [\d.]+ \([\d.]+\)( \| [\d.]+){4} \| [\d.]+ \([\d., ]+\) \| [\d.]+ \| [\d., ]+ \|", line
        )
    assert lines["| 0"].startswith("| 0 (0.0)")
    assert not lines["| 5"].startswith("| 5 (0.0)")  # the writer committed
