"""Static checks run with the tests: bandit (nothing unjustified in `portal/`), import-linter (the layers of
docs/architecture.md), ruff (lint and format)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> list[str]:
    """The command of a tool installed with the test extras (beside this Python, else on PATH)."""
    beside_python = Path(sys.executable).with_name(name)
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return [found]


def test_bandit_reports_no_unjustified_findings():
    result = subprocess.run(
        [*_tool("bandit"), "-q", "-r", "portal", "-c", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"bandit findings (fix them or add '# nosec <ID>' with a reason):\n{result.stdout}"
    assert "Issue:" not in result.stdout


def test_imports_keep_the_layers():
    result = subprocess.run(
        [*_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"import-linter contracts broken (docs/architecture.md):\n{result.stdout}"


RUFF_PATHS = ["portal", "tests", "bench", "migrations"]


def test_ruff_finds_nothing():
    result = subprocess.run(
        [*_tool("ruff"), "check", "--no-cache", *RUFF_PATHS], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"ruff check findings (fix them or add '# noqa: <code> - reason'):\n{result.stdout}"


def test_ruff_format_leaves_every_file_as_it_is():
    result = subprocess.run(
        [*_tool("ruff"), "format", "--check", "--no-cache", *RUFF_PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"files to format (run: ruff format {' '.join(RUFF_PATHS)}):\n{result.stdout}"


def test_flask_is_pinned_at_or_above_the_key_rotation_fix():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    [flask] = [d for d in project["dependencies"] if d.lower().startswith("flask>") or d.lower().startswith("flask=")]
    assert ">=3.1.1" in flask.replace(" ", "")
