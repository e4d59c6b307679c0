"""The PDF and HTTP benchmarks run end to end on tiny data (figures are in bench/README.md; nothing is timed here)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _run(script: str, *arguments: str, is_postgresql: bool) -> str:
    args = [sys.executable, str(ROOT / "bench" / script), *arguments]
    if is_postgresql:
        args += ["--database", "postgresql", "--database-url", os.environ["PORTAL_TEST_DATABASE_URL"]]
    else:
        args += ["--database", "sqlite"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_pdf_benchmark_renders_each_size_with_the_page_counts_it_names(app, is_postgresql):
    out = _run("pdf.py", "--repeat", "1", "--renders", "2", "--warmup", "1", is_postgresql=is_postgresql)
    assert "| 1 page | 5 | 1 |" in out
    assert "| 3 pages | 75 | 3 |" in out
    assert "| 200 destination rows | 200 |" in out
    assert "growth" in out and "over 2 renders" in out


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_http_benchmark_measures_every_target_under_gunicorn(app, is_postgresql):
    out = _run("http_server.py", "--invoices", "30", "--duration", "1", "--connections", "2", "--workers", "1",
               is_postgresql=is_postgresql)
    for target in ("minimal route (one row)", "JSON:API invoice show", "JSON:API invoice list (50)",
                   "stored PDF download"):
        assert f"| {target} |" in out
    assert "ratio to minimal" in out and "server CPU ms/req" in out
