"""``codewell suggest PROJECT -o FILE``: every uncoded response's probabilities, to CSV or Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "image-sharing"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def coded(sample_project) -> str:
    sample_project.import_codings(SAMPLE / "codings.csv")
    return sample_project.location


def test_csv_and_parquet_hold_what_suggest_prints(coded: str, tmp_path: Path) -> None:
    import pandas as pd

    shown = json.loads(run("suggest", coded, "--coder", "ana", "--limit", "40", "--json").stdout)
    for name in ("out.csv", "out.parquet"):
        out = tmp_path / name
        result = run("suggest", coded, "--coder", "ana", "--limit", "40", "-o", out)
        assert result.exit_code == 0, result.output
        assert "Wrote suggestions for 40 responses" in result.stderr
        table = pd.read_csv(out, keep_default_na=False) if name.endswith(".csv") else pd.read_parquet(out)
        assert list(table.columns)[:3] == ["id", "p_understanding", "p_communication"]
        assert list(table.columns)[-1] == "suggested" and len(table) == 40
        for item, row in zip(shown["responses"], table.itertuples(index=False), strict=True):
            assert row.id == item["id"]
            expected = [s["code"] for s in item["suggestions"] if s["suggested"]]
            assert (row.suggested.split(";") if row.suggested else []) == expected
            assert getattr(row, "p_anxiety") == pytest.approx(
                next(s["probability"] for s in item["suggestions"] if s["code"] == "anxiety"), abs=1e-4)


def test_an_unknown_output_format_is_refused_before_any_work(coded: str, tmp_path: Path) -> None:
    before = Path(coded).read_bytes()
    result = run("suggest", coded, "--coder", "ana", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'out.xlsx'}: suggestions are written as .csv or .parquet, not '.xlsx' "
        "(e.g. -o suggestions.csv)")
    assert not (tmp_path / "out.xlsx").exists() and Path(coded).read_bytes() == before
