"""Startup stays light: the CLI and the TUI load no spaCy, scikit-learn or pandas at import time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("spacy", "sklearn", "pandas", "matplotlib")


@pytest.mark.parametrize("module", ["codewell.cli.app", "codewell.tui.app", "codewell.project"])
def test_heavy_libraries_load_lazily(module: str) -> None:
    code = (f"import sys, json, {module}; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_core_modules_import_no_ui() -> None:
    code = ("import sys, json, codewell.project, codewell.agreement, codewell.suggest, codewell.report, "
            "codewell.io.export, codewell.io.refi_qda; "
            "print(json.dumps([m for m in ('textual', 'typer', 'click') if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
