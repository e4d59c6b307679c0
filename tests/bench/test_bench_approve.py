"""The approval benchmark runs end to end on tiny data with a real Redis queue (figures in bench/README.md)."""

from __future__ import annotations

import os

import pytest
import redis

from tests.bench.scripts import run_bench

QUEUE_URL = os.environ.get("PORTAL_BENCH_QUEUE_URL", "redis://127.0.0.1:6379/0")


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(QUEUE_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {QUEUE_URL}")
def test_approval_benchmark_times_single_and_bulk_approvals_and_counts_one_pdf_job_each(app, is_postgresql):
    out = run_bench("approve.py", "--invoices", "60", "--approvals", "4", "--bulk", "6", is_postgresql=is_postgresql)
    assert "| single approve | 4 | " in out
    assert "| bulk approve | 6 invoices | " in out and "same batch |" in out
    assert "| bulk job | 6 invoices | " in out
    assert "PDF jobs queued: 4 after the single approvals, 10 in all (expected 10); bulk jobs: 1;" in out
    assert "invoice numbers issued: 10, without a gap: yes" in out
    assert "load average" in out
