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


def test_csv_holds_what_suggest_prints(coded: str, tmp_path: Path) -> None:
    import pandas as pd

    shown = json.loads(run("suggest", coded, "--coder", "ana", "--limit", "40", "--json").stdout)
    out = tmp_path / "out.csv"
    result = run("suggest", coded, "--coder", "ana", "--limit", "40", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Wrote suggestions for 40 responses" in result.stderr
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns)[:3] == ["id", "p_understanding", "p_communication"]
    assert list(table.columns)[-1] == "suggested" and len(table) == 40
    for item, row in zip(shown["responses"], table.itertuples(index=False), strict=True):
        assert row.id == item["id"]
        expected = [s["code"] for s in item["suggestions"] if s["suggested"]]
        assert (row.suggested.split(";") if row.suggested else []) == expected
        assert row.p_anxiety == pytest.approx(
            next(s["probability"] for s in item["suggestions"] if s["code"] == "anxiety"), abs=1e-4)


def test_parquet_is_written_in_chunks_and_matches_the_model(tmp_path: Path, codebook, monkeypatch) -> None:
    import pandas as pd

    from codewell.cli import suggest_cmds
    from codewell.suggest import FittedModel
    from codewell.values import Response

    monkeypatch.setattr(suggest_cmds, "CHUNK", 7)  # several chunks from a small file
    model = FittedModel(codebook)
    texts = ["They worry at home alone.", "It helps them understand.", "n/a", *(
        f"Response {i} about seeing the scan in clinic" for i in range(20))]
    responses = [Response(f"r{i}", t, row=i + 1) for i, t in enumerate(texts)]
    seen: list[int] = []
    out = tmp_path / "out.parquet"
    assert suggest_cmds.write_suggestions(out, model, responses, seen.append) == len(texts)
    assert seen == [7, 7, 7, 2]
    table = pd.read_parquet(out)
    probabilities, thresholds = model.probabilities(texts)
    assert list(table["id"]) == [r.id for r in responses]
    assert table[[f"p_{c}" for c in codebook.ids]].to_numpy() == pytest.approx(probabilities.round(4))
    assert table["suggested"][0] == ";".join(
        c for c, p, t in zip(codebook.ids, probabilities[0], thresholds, strict=True) if p >= t and p > 0)


def test_an_unknown_output_format_is_refused_before_any_work(coded: str, tmp_path: Path) -> None:
    before = Path(coded).read_bytes()
    result = run("suggest", coded, "--coder", "ana", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'out.xlsx'}: suggestions are written as .csv or .parquet, not '.xlsx' "
        "(e.g. -o suggestions.csv)")
    assert not (tmp_path / "out.xlsx").exists() and Path(coded).read_bytes() == before
