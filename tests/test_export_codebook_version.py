"""An export names the codebook version it was made with (issue 10: after a rename or merge, the
analyst must know which codebook the columns mean)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.values import Code, Status


def test_export_says_which_codebook_version_it_used(sample_project, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rid = sample_project.responses()[0].id
    sample_project.add_code(Code(id="cost", label="Cost"))
    sample_project.record("ana", rid, "cost", "apply")
    sample_project.set_status("ana", rid, Status.DONE)
    location = sample_project.location
    sample_project.close()
    out = tmp_path / "coded.xlsx"
    result = CliRunner().invoke(app, ["export", location, "-o", str(out), "--coder", "ana"])
    assert result.exit_code == 0, result.output
    assert "codebook version 2" in result.output
    sheet = load_workbook(out, read_only=True)["codebook"]
    rows = list(sheet.values)
    assert rows[0][-1] == "codebook_version"
    assert {row[-1] for row in rows[1:]} == {2}
    csv_result = CliRunner().invoke(app, ["export", location, "-o", str(tmp_path / "coded.csv"), "--coder", "ana"])
    assert csv_result.exit_code == 0 and "codebook version 2" in csv_result.output
