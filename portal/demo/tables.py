"""The demo's reference tables (countries, networks, named customers, their accounts): CSV files in `data/`."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).with_name("data")


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of `data/<name>.csv`, in file order, as dicts keyed by the header."""
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))
