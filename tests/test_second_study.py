"""The second study runs through the same commands with no code change: codes are data."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "codebooks" / "patient-feedback.yaml"
STUDY = ROOT / "samples" / "patient-feedback"
runner = CliRunner()


def run(*args: object):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_patient_feedback_end_to_end(tmp_path: Path) -> None:
    project = tmp_path / "fft.cw"
    run("init", project, "--codebook", BOOK)
    run("import", project, STUDY / "comments.csv")
    status = json.loads(run("status", project, "--json").stdout)
    assert status["responses"] >= 200 and "cleanliness" in status["codebook"]["codes"]
    items = json.loads(run("suggest", project, "--limit", "3", "--json").stdout)["responses"]
    assert {s["code"] for s in items[0]["suggestions"]} == set(status["codebook"]["codes"])

    # A coder's codings taken from the labelled file, then report and export as for the first study.
    import pandas as pd

    labelled = pd.read_csv(STUDY / "labelled.csv", dtype=str, keep_default_na=False).head(60)
    codes = [c for c in labelled.columns if c not in ("id", "response")]
    rows = [(r["id"], "ana", c) for _, r in labelled.iterrows() for c in codes if r[c] == "1"]
    rows += [(r["id"], "ana", "") for _, r in labelled.iterrows() if not any(r[c] == "1" for c in codes)]
    codings = tmp_path / "codings.csv"
    pd.DataFrame(rows, columns=["id", "coder", "code"]).to_csv(codings, index=False)
    run("import", project, codings, "--codings")
    report = json.loads(run("report", project, "--format", "json").stdout)
    assert report
    run("export", project, "-o", tmp_path / "fft.qdpx")
    run("export", project, "-o", tmp_path / "fft.xlsx")
