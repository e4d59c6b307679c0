"""Running a benchmark script the way the bench smoke tests do: on the test run's kind of database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run_bench(script: str, *arguments: str, is_postgresql: bool) -> str:
    """Run bench/<script> with `arguments` on PostgreSQL (the test server) or SQLite; its stdout, once it succeeded."""
    args = [sys.executable, str(ROOT / "bench" / script), *arguments]
    if is_postgresql:
        args += ["--database", "postgresql", "--database-url", os.environ["PORTAL_TEST_DATABASE_URL"]]
    else:
        args += ["--database", "sqlite"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    return done.stdout
