"""The import benchmark runs end to end on tiny data (the figures themselves are in bench/README.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_benchmark_runs_on_a_tiny_file(app, is_postgresql):
    args = [sys.executable, str(ROOT / "bench" / "import_cdrs.py"), "--rows", "500"]
    if is_postgresql:
        args += ["--database", "postgresql", "--database-url", os.environ["PORTAL_TEST_DATABASE_URL"]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rows=500 " in done.stdout and "rows/s" in done.stdout
