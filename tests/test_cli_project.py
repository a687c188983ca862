"""The project commands as a user types them: exit codes, the exact error line, files untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = str(ROOT / "codebooks" / "image-sharing.yaml")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "p.cw"
    assert run("init", path, "--codebook", CODEBOOK).exit_code == 0
    return path


def test_init_import_status_json(project_file: Path, small_csv: Path) -> None:
    result = run("import", project_file, small_csv)
    assert result.exit_code == 0, result.output
    assert "Imported 4 new responses" in result.stdout
    assert "using column 'response'" in result.stdout
    assert "Empty responses: r3" in result.stdout
    status = json.loads(run("status", project_file, "--json").stdout)
    assert status["responses"] == 4 and status["empty"] == 1
    assert status["codebook"]["version"] == 1
    assert status["codebook"]["codes"][:2] == ["understanding", "communication"]
    assert status["coders"] == {}


def test_reimport_is_idempotent(project_file: Path, small_csv: Path) -> None:
    run("import", project_file, small_csv)
    again = run("import", project_file, small_csv, "--json")
    assert json.loads(again.stdout)["added"] == 0
    assert json.loads(run("status", project_file, "--json").stdout)["responses"] == 4


def test_wrong_column_gets_did_you_mean_and_leaves_project_unchanged(project_file: Path, small_csv: Path) -> None:
    before = project_file.read_bytes()
    result = run("import", project_file, small_csv, "--text-column", "respnse")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "no column 'respnse'" in result.stderr and "did you mean 'response'?" in result.stderr
    assert "Traceback" not in result.output
    assert project_file.read_bytes() == before


def test_conflicting_reimport_is_refused(project_file: Path, small_csv: Path, tmp_path: Path) -> None:
    run("import", project_file, small_csv)
    changed = tmp_path / "changed.csv"
    changed.write_text(small_csv.read_text().replace("Could cause anxiety", "Might cause anxiety"))
    result = run("import", project_file, changed)
    assert result.exit_code == 2
    assert "1 response id(s) already in the project with different text: r2" in result.stderr


def test_opening_a_non_project_is_a_clear_error(tmp_path: Path) -> None:
    stranger = tmp_path / "notes.txt"
    stranger.write_text("hello")
    result = run("status", stranger)
    assert result.exit_code == 3
    assert result.stderr.strip() == f"Error: {stranger}: not a codewell project (not an SQLite database)"
    assert stranger.read_text() == "hello"


def test_init_with_a_bad_codebook_creates_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\ncodes:\n  - id: a\n    lable: A\n")
    result = run("init", tmp_path / "p.cw", "--codebook", bad)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {bad}, line 4: unknown key 'lable' in a code "
                                     "(did you mean 'label'?)")
    assert not (tmp_path / "p.cw").exists()


def test_codebook_show(project_file: Path) -> None:
    result = run("codebook", "show", project_file)
    assert result.exit_code == 0
    assert "4. Interpretation difficulty (interpretation_difficulty) [risk]" in result.stdout
    data = json.loads(run("codebook", "show", project_file, "--json").stdout)
    assert data["version"] == 1 and data["codes"][0]["id"] == "understanding"


def test_codings_import_marks_done_and_is_all_or_nothing(project_file: Path, small_csv: Path, tmp_path: Path) -> None:
    run("import", project_file, small_csv)
    codings = tmp_path / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,understanding\nr1,ana,communication\nr2,ana,anxiety\nr4,ana,\n")
    result = run("import", project_file, codings, "--codings")
    assert result.exit_code == 0, result.output
    status = json.loads(run("status", project_file, "--json").stdout)
    assert status["coders"]["ana"]["done"] == 3 and status["coders"]["ana"]["decisions"] == 3
    assert json.loads(run("import", project_file, codings, "--codings", "--json").stdout)["added"] == 0

    before = project_file.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,coder,code\nr1,ben,anxeity\nr99,ben,anxiety\n")
    result = run("import", project_file, bad, "--codings")
    assert result.exit_code == 2
    assert "r99" in result.stderr and "anxeity" in result.stderr
    assert project_file.read_bytes() == before


def test_every_command_has_help() -> None:
    for command in ("init", "import", "status", "codebook", "code", "demo"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_a_long_export_reads_back_as_codings(project_file: Path, small_csv: Path, tmp_path: Path) -> None:
    run("import", project_file, small_csv)
    codings = tmp_path / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,understanding\nr1,ana,communication\nr2,ana,anxiety\n")
    run("import", project_file, codings, "--codings")
    long = tmp_path / "long.csv"
    assert run("export", project_file, "-o", long, "--layout", "long", "--coder", "ana").exit_code == 0
    other = tmp_path / "other.cw"
    run("init", other, "--codebook", CODEBOOK)
    run("import", other, small_csv)
    result = run("import", other, long, "--codings")
    assert result.exit_code == 0, result.output
    from codewell.project import Project

    with Project.open(project_file) as a, Project.open(other) as b:
        assert a.codings("ana") == b.codings("ana")

    bad = tmp_path / "bad.csv"
    bad.write_text("id,coder,code,applied\nr1,ana,anxiety,maybe\n")
    result = run("import", other, bad, "--codings")
    assert result.exit_code == 2 and "'applied' must be 1 or 0" in result.stderr and "row 2" in result.stderr


def test_status_as_a_near_miss_of_a_coder_notes_the_typo(project_file: Path, small_csv: Path) -> None:
    """A coder yet to start may look at status as themselves; 'anna' beside a coder 'ana' is a typo
    that showed an empty view and said nothing."""
    from codewell.project import Project

    run("import", project_file, small_csv)
    with Project.open(project_file) as opened:
        opened.record("ana", "r1", "understanding", "apply")
    typo = run("status", project_file, "--coder", "anna")
    assert typo.exit_code == 0
    assert "Note: nobody named 'anna' has coded here yet (did you mean 'ana'?)" in typo.stderr
    assert "Note:" not in run("status", project_file, "--coder", "ben").stderr


def test_the_next_command_after_sample_can_be_pasted(project_file: Path, small_csv: Path) -> None:
    run("import", project_file, small_csv)
    drawn = run("sample", project_file, "--name", "pilot one", "--size", "2")
    assert drawn.exit_code == 0, drawn.output
    assert "--coder NAME --set 'pilot one'" in drawn.stdout
