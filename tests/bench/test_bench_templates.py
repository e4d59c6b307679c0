"""The template benchmark runs end to end on tiny data (the figures themselves are in bench/README.md)."""

from __future__ import annotations

import re

from tests.bench.scripts import run_bench


def test_template_benchmark_times_both_customer_pages_and_their_templates(app, is_postgresql):
    args = ("--invoices", "60", "--requests", "3", "--profile", "5")
    out = run_bench("templates.py", *args, is_postgresql=is_postgresql)
    for page in ("customer HTML list (25)", "customer HTML detail"):
        # request wall, request CPU, template wall, template CPU (p50 / p95 each), then the queries
        row = re.search(rf"^{re.escape(page)} +(?:[\d.]+ +/ +[\d.]+ +){{4}}(\d+) \(\d+\)$", out, re.M)
        assert row, out
        assert f"== {page}: 3 requests, by own time ==" in out
    assert "load average" in out
