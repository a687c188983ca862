"""docs/RELIABILITY.md stays true: every test it names exists, and every fault test is named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "RELIABILITY.md"
FAULT_FILES = ("test_fault_concurrency.py", "test_fault_files.py", "test_fault_kill.py", "test_tui_busy.py",
               "test_fault_exports.py", "test_fault_parsers.py", "test_pg_reconnect.py", "test_pg_connect.py", "test_pg_busy.py", "test_store_migrations.py")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}


def test_every_named_test_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert named
    for file, test in named:
        path = ROOT / file
        assert path.exists(), f"{file} is named in RELIABILITY.md but does not exist"
        if test:
            assert test in _tests_in(path), f"{file}::{test} is named in RELIABILITY.md but does not exist"


def test_every_fault_test_is_in_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in FAULT_FILES:
        for test in _tests_in(ROOT / "tests" / name):
            assert f"tests/{name}::{test}`" in text, f"tests/{name}::{test} is missing from RELIABILITY.md"
