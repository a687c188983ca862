"""Documentation keeps up: every command has help and a README entry; the quick start is two lines."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, ...]]:
    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if isinstance(command, click.Group):
            found += [(name, sub) for sub in command.commands]
        else:
            found.append((name,))
    return found


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help_and_a_readme_entry(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert f"codewell {' '.join(command)}" in README


def test_quick_start_is_the_two_ci_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(quick) == 2
    assert quick[0].endswith("codewell demo")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 -m pip install -q -e . && codewell demo" in ci
    test_line = quick[1].replace("pip install", "python3 -m pip install -q")
    assert test_line in ci, test_line


def test_every_json_key_scripts_rely_on_is_documented() -> None:
    for key in ("responses", "empty", "codebook", "coders", "macro_f1", "micro_f1", "cold_start",
                "simulation", "krippendorff_alpha", "gwet_ac1", "brennan_prediger"):
        assert re.search(rf'"{key}"', README), key
