"""portal.einvoice stands alone: it imports nothing of the portal outside its own package."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "portal" / "einvoice"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add("." * node.level + (node.module or ""))
    return modules


def test_einvoice_imports_only_itself_stdlib_and_its_libraries():
    outside = {
        f"{path.name}: {module}"
        for path in PACKAGE.glob("*.py")
        for module in imported_modules(path)
        if (module == "portal" or module.startswith(("portal.", ".."))) and not module.startswith("portal.einvoice")
    }
    assert outside == set()
