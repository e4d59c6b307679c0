"""The PDF and HTTP benchmarks run end to end on tiny data (figures are in bench/README.md; nothing is timed here)."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.scripts import run_bench


def test_pdf_benchmark_renders_each_size_with_the_page_counts_it_names(app, is_postgresql):
    out = run_bench("pdf.py", "--repeat", "1", "--renders", "2", "--warmup", "1", is_postgresql=is_postgresql)
    assert "| 2 pages | 5 | 2 |" in out
    assert "| 3 pages | 75 | 3 |" in out
    assert "| 200 destination rows | 200 |" in out
    assert "growth" in out and "over 2 renders" in out


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_http_benchmark_measures_every_target_under_gunicorn(app, is_postgresql):
    out = run_bench(
        "http_server.py",
        "--invoices",
        "30",
        "--duration",
        "1",
        "--rounds",
        "2",
        "--connections",
        "2",
        "--workers",
        "1",
        is_postgresql=is_postgresql,
    )
    for target in (
        "minimal route (one row)",
        "JSON:API invoice show",
        "JSON:API invoice list (50)",
        "stored PDF download",
    ):
        assert f"| {target} |" in out
    assert "ratio to minimal" in out and "server CPU ms/req" in out
    assert "2 rounds" in out and out.count("req/s") >= 2
