"""The many-customers benchmark runs end to end on tiny data (figures in bench/README.md)."""

from __future__ import annotations

from tests.bench.scripts import run_bench


def test_customers_benchmark_measures_every_page_with_few_and_many_customers(app, is_postgresql):
    out = run_bench(
        "customers.py", "--few", "4", "--many", "9", "--invoices", "40", "--requests", "2", is_postgresql=is_postgresql
    )
    assert "4 customers (12 accounts) against 9 (27 accounts)" in out
    for page in (
        "one-row yardstick",
        "admin invoice list, one customer",
        "admin new invoice form",
        "customer dashboard",
    ):
        line = next(line for line in out.splitlines() if line.startswith(f"| {page} | "))
        assert line.count(" ms |") == 4, line
    assert out.count("<= 1.2 ") == 10 and "load average" in out
