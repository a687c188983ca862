"""``codewell suggest PROJECT -o FILE``: every uncoded response's probabilities, to CSV or Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.errors import CodewellError

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def coded(coded_sample: str) -> str:
    return coded_sample


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


def test_parquet_holds_every_unfinished_response_as_the_model_scores_it(coded: str, tmp_path: Path) -> None:
    """The whole project through the real command (workers and all), against the straightforward
    path: the same model's probabilities for the same responses, in import order."""
    import pandas as pd

    from codewell.project import Project

    out = tmp_path / "out.parquet"
    result = run("suggest", coded, "--coder", "ana", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    with Project.open(coded) as project:
        model, todo = project.suggestion_plan("ana")
        finished = project.finished("ana")
    probabilities, thresholds = model.probabilities([r.text for r in todo])
    assert list(table["id"]) == [r.id for r in todo] and not finished & set(table["id"])
    assert f"Wrote suggestions for {len(todo)} responses" in result.stderr
    assert table[[f"p_{c}" for c in model.codebook.ids]].to_numpy() == pytest.approx(
        probabilities.round(4), abs=1e-12)
    expected = [";".join(c for c, p, t in zip(model.codebook.ids, row, thresholds, strict=True)
                         if p >= t and p > 0) for row in probabilities]
    assert list(table["suggested"]) == expected


def test_a_failure_midway_leaves_no_file_and_the_old_one_whole(tmp_path: Path) -> None:
    import numpy as np

    from codewell.cli.suggest_cmds import write_scored
    from codewell.suggest.batch import ScoredChunk
    from codewell.values import Response

    out = tmp_path / "out.csv"
    out.write_text("an earlier good file\n", encoding="utf-8")

    def chunks():
        yield ScoredChunk([Response("r1", "text", row=1)], np.array([[0.9, 0.1]]), np.array([[True, False]]))
        raise OSError(28, "No space left on device")

    with pytest.raises(CodewellError) as raised:
        write_scored(out, ["a", "b"], chunks())
    assert str(raised.value) == (f"cannot write {out}: the disk is full (or a file-size limit was hit); "
                                 "nothing was written (free some space or write elsewhere)")
    assert out.read_text(encoding="utf-8") == "an earlier good file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.parametrize(("name", "message"), [
    ("missing/out.csv", "cannot write {out}: the folder {parent} does not exist "
                        "(create it first or choose another folder)"),
    ("folder.csv", "{out} is a folder, not a file (give a file name inside it, e.g. {out}/export.csv)"),
])
def test_an_unwritable_output_is_refused_before_any_work(coded: str, tmp_path: Path, name: str,
                                                         message: str) -> None:
    (tmp_path / "folder.csv").mkdir()
    out = tmp_path / name
    before = Path(coded).read_bytes()
    result = run("suggest", coded, "--coder", "ana", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["Error: " + message.format(out=out, parent=out.parent)]
    assert Path(coded).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".cw" and "-wal" not in p.name
                  and "-shm" not in p.name) == ["folder.csv"]


def test_an_unknown_output_format_is_refused_before_any_work(coded: str, tmp_path: Path) -> None:
    before = Path(coded).read_bytes()
    result = run("suggest", coded, "--coder", "ana", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'out.xlsx'}: suggestions are written as .csv or .parquet, not '.xlsx' "
        "(e.g. -o suggestions.csv)")
    assert not (tmp_path / "out.xlsx").exists() and Path(coded).read_bytes() == before
