"""suggest, evaluate, report, export and pii from the command line, on the sample study."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "image-sharing"
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def coded(coded_sample: str) -> str:
    return coded_sample


def test_suggest_json_for_uncoded_responses(coded: str) -> None:
    result = run("suggest", coded, "--coder", "ana", "--limit", "5", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["responses"]
    assert len(items) == 5 and items[0]["id"] == "IS096"  # ana finished IS001-IS095
    codes = [s["code"] for s in items[0]["suggestions"]]
    assert codes[:2] == ["understanding", "communication"]
    assert all(0 <= s["probability"] <= 1 for s in items[0]["suggestions"])


def test_suggest_needs_a_coder_when_several(coded: str) -> None:
    result = run("suggest", coded)
    assert result.exit_code == 2
    assert "choose one with --coder NAME" in result.stderr


def test_evaluate_train_test(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(SAMPLE / "labelled.csv", dtype=str, keep_default_na=False)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:170].to_csv(train, index=False)
    frame.iloc[170:340].to_csv(test, index=False)
    result = run("evaluate", train, test, "--codebook", CODEBOOK, "--codes", "understanding,anxiety", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["codes"]) == {"understanding", "anxiety"}
    assert {"precision", "recall", "f1", "kappa", "support"} <= set(data["codes"]["anxiety"])
    assert 0 <= data["macro_f1"] <= 1 and "cold_start" in data


def test_evaluate_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,response,understanding\n1,hello,2\n")
    result = run("evaluate", bad, "--cv", "2", "--codebook", CODEBOOK, "--codes", "understanding")
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output


def test_report_poster_format_and_plot(coded: str, tmp_path: Path) -> None:
    result = run("report", coded, "--coder", "ana", "--plot", tmp_path / "chart.png")
    assert result.exit_code == 0, result.output
    assert "Understanding 63.7% (n=107)" in result.stdout
    assert "excluded: 26 non-answers" in result.stdout
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(run("report", coded, "--coder", "ana", "--format", "json").stdout)
    assert data


def test_export_formats_and_qdpx_round_trip(coded: str, tmp_path: Path, codebook) -> None:
    for name in ("wide.csv", "data.xlsx", "data.parquet", "book.qdc", "all.qdpx"):
        result = run("export", coded, "-o", tmp_path / name, "--coder", "ana" if "qd" not in name else "all")
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    with Project.create(tmp_path / "other.cw", codebook) as other:
        report = other.import_responses(tmp_path / "all.qdpx")
        assert report.added == 500
        assert other.codings("ana") == {k: v for k, v in Project.open(coded).codings("ana").items()}


def test_export_unknown_coder_and_format(coded: str, tmp_path: Path) -> None:
    result = run("export", coded, "-o", tmp_path / "x.csv", "--coder", "anna")
    assert result.exit_code == 2 and "did you mean 'ana'?" in result.stderr
    result = run("export", coded, "-o", tmp_path / "x.txt")
    assert result.exit_code == 2 and "cannot tell the format" in result.stderr


def test_pii_lists_identifiers(tmp_path: Path, codebook) -> None:
    data = tmp_path / "r.csv"
    data.write_text("id,response\n1,Email me at jo.bloggs@example.org please\n2,Nothing here\n")
    with Project.create(tmp_path / "p.cw", codebook) as project:
        project.import_responses(data)
    result = run("pii", tmp_path / "p.cw", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["found"]
    assert [item["id"] for item in found] == ["1"]
