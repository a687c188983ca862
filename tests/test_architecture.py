"""The boundaries of the design, checked on every module that exists (new ones included).

import-linter (run by CI) holds the same rules for the modules named in pyproject.toml; this test
reads every file under src/codewell, so a module added later cannot slip past by not being listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "codewell"
UI = ("textual", "typer", "click", "rich", "codewell.tui", "codewell.cli")


def _modules() -> list[tuple[str, set[str]]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("codewell", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
        found.append((name, imported))
    return found


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


MODULES = _modules()


@pytest.mark.parametrize(("module", "imported"), MODULES, ids=[m for m, _ in MODULES])
def test_boundaries(module: str, imported: set[str]) -> None:
    if not _under(module, "codewell.store"):
        assert not any(_under(i, "sqlalchemy") for i in imported), f"{module} imports SQLAlchemy"
    if not _under(module, "codewell.store", "codewell.project"):
        assert not any(_under(i, "codewell.store") for i in imported), f"{module} reaches into the store"
    if not _under(module, "codewell.tui", "codewell.cli", "codewell.__main__"):
        assert not any(_under(i, *UI) for i in imported), f"core module {module} imports UI"
