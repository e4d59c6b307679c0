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
    assert "automatic / computed widths" in out


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_http_benchmark_measures_every_target_against_its_yardstick_on_random_paths(app, is_postgresql):
    out = run_bench(
        "http_server.py",
        "--invoices",
        "120",
        "--pdfs",
        "5",
        "--duration",
        "1",
        "--rounds",
        "1",
        "--connections",
        "2",
        "--workers",
        "1",
        "--compare-caches",
        is_postgresql=is_postgresql,
    )
    for target in ("one-row yardstick", "fifty-row yardstick"):
        assert f"| {target} | " in out
    for target, yardstick in (
        ("JSON:API invoice show", "one-row"),
        ("JSON:API invoice list (50)", "fifty-row"),
        ("backend invoice list (50)", "fifty-row"),
        ("stored PDF download", "one-row"),
        ("customer HTML list (25)", "one-row"),
        ("customer HTML detail", "one-row"),
        ("JSON:API invoice list (50), count cache off", "fifty-row"),
    ):
        line = next(line for line in out.splitlines() if line.startswith(f"| {target} | "))
        assert f"of {yardstick} yardstick" in line, line
    assert "random access over 120 invoices" in out and "load average" in out and "gunicorn CPU ms/req" in out
