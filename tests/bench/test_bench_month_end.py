"""The month-end benchmark runs end to end on tiny data: Redis queue, a real worker, aiosmtpd (figures in
bench/README.md)."""

from __future__ import annotations

import pytest

from tests.bench.scripts import run_bench
from tests.bench.test_bench_approve import QUEUE_URL, redis_reachable


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {QUEUE_URL}")
def test_month_end_benchmark_mails_every_invoice_once_with_its_pdf(app, is_postgresql):
    out = run_bench("month_end.py", "--accounts", "3", "--workers", "1", is_postgresql=is_postgresql)
    line = next(line for line in out.splitlines() if line.startswith("| 1 | "))
    assert "| 3 / 3 | 0 |" in line, line
    # jobs: a PDF and an e-mail per invoice, and the one bulk approval batch
    assert "1 workers: deliveries {'sent': 3}, PDFs 3, jobs queued 7" in out
