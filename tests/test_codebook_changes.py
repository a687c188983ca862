"""Codebook changes: pure functions first, then through the project, agree, exports and undo."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.codebook_changes import edit_code, merge_codes, rename_code, retire_code
from codewell.errors import CodebookError, UnknownNameError
from codewell.project import Project
from test_sets import finish, make_study
from tui_fixtures import CODEBOOK

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


# -- pure --------------------------------------------------------------------------------------
def test_rename_keeps_order_and_everything_else() -> None:
    change = rename_code(CODEBOOK, "ANXIETY", "worry", label="Worry")
    assert change.codebook.ids == ("understanding", "communication", "adherence",
                                   "interpretation_difficulty", "worry")
    worry = change.codebook.get("worry")
    assert worry.label == "Worry" and worry.definition == CODEBOOK.get("anxiety").definition
    assert change.moves == (("anxiety", "worry"),)
    assert rename_code(CODEBOOK, "anxiety", label="Distress").moves == ()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: rename_code(CODEBOOK, "anxeity", "worry"), "no code 'anxeity' in the codebook"),
    (lambda: rename_code(CODEBOOK, "anxiety", "understanding"), "new id: a code with id 'understanding' already exists"),
    (lambda: rename_code(CODEBOOK, "anxiety", "Worry Now"), "new id: code id 'Worry Now' must be snake_case"),
    (lambda: rename_code(CODEBOOK, "anxiety"), "renaming 'anxiety' changes nothing"),
    (lambda: merge_codes(CODEBOOK, "anxiety", "anxiety"), "cannot merge 'anxiety' into itself"),
    (lambda: edit_code(CODEBOOK, "anxiety", definition=CODEBOOK.get("anxiety").definition),
     "editing 'anxiety' changes nothing"),
])
def test_bad_changes_say_what_is_wrong(call, message: str) -> None:
    with pytest.raises((CodebookError, UnknownNameError)) as caught:
        call()
    assert caught.value.message.startswith(message)


def test_merge_and_retire_leave_the_code_out() -> None:
    merged = merge_codes(CODEBOOK, "anxiety", "interpretation_difficulty")
    assert "anxiety" not in merged.codebook.ids and merged.moves == (("anxiety", "interpretation_difficulty"),)
    retired = retire_code(CODEBOOK, "adherence")
    assert "adherence" not in retired.codebook.ids and retired.moves == ()
    edited = edit_code(CODEBOOK, "anxiety", include=["fear of bad news", " ", "panic"], examples=["I'd panic"])
    assert edited.codebook.get("anxiety").include == ("fear of bad news", "panic")
    assert edited.summary == "edited 'anxiety' (examples, include)"
    appended = edit_code(edited.codebook, "anxiety", include=["dread"], append=True)
    assert appended.codebook.get("anxiety").include == ("fear of bad news", "panic", "dread")


# -- through the project -------------------------------------------------------------------------
@pytest.fixture
def study(tmp_path: Path) -> Path:
    location = make_study(tmp_path, n=12)
    work = {f"R{i:03d}": ("anxiety",) if i % 3 else ("anxiety", "communication") for i in range(1, 11)}
    finish(location, "ana", work)
    finish(location, "ben", {**work, "R002": ("communication",)})
    return location


def agree(location: Path) -> dict:
    result = run("agree", location, "--coders", "ana,ben", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def wide(location: Path, out: Path) -> list[dict[str, str]]:
    result = run("export", location, "--format", "csv", "--coder", "ana", "-o", out)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_rename_merge_retire_survive_agree_exports_and_undo(study: Path, tmp_path: Path) -> None:
    before = agree(study)
    assert run("codebook", "rename", study, "anxiety", "worry", "--label", "Worry", "--reason", "plainer").exit_code == 0
    renamed = agree(study)
    assert renamed["codes"]["worry"]["krippendorff_alpha"] == before["codes"]["anxiety"]["krippendorff_alpha"]
    assert renamed["codebook_version"] == 2
    assert wide(study, tmp_path / "a.csv")[0]["worry"] == "1"

    assert run("codebook", "merge", study, "communication", "worry", "--reason", "one theme").exit_code == 0
    merged = agree(study)
    assert "communication" not in merged["codes"] and merged["codes"]["worry"]["table"][0][0] == 10
    assert run("codebook", "retire", study, "adherence", "--reason", "not seen").exit_code == 0
    rows = wide(study, tmp_path / "b.csv")
    assert "adherence" not in rows[0] and "communication" not in rows[0] and rows[0]["worry"] == "1"
    out = tmp_path / "x.qdpx"
    assert run("export", study, "--format", "qdpx", "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        project_xml = archive.read("project.qde").decode("utf-8")
    assert 'name="Worry"' in project_xml and 'name="Communication"' not in project_xml
    with Project.open(study) as project:  # the log was added to, never rewritten
        notes = {d.note for d in project.decisions("ana")}
        assert {"codebook v2: renamed 'anxiety' to 'worry', label 'Anxiety' to 'Worry'",
                "codebook v3: merged 'communication' into 'worry'"} <= notes
        history = [note for _, _, _, note in project.codebook_history()]
        assert history[1:] == ["renamed 'anxiety' to 'worry', label 'Anxiety' to 'Worry': plainer",
                               "merged 'communication' into 'worry': one theme", "retired 'adherence': not seen"]

    for _ in range(3):
        assert run("codebook", "undo", study).exit_code == 0
    restored = agree(study)
    assert restored["codes"] == before["codes"] and restored["overall"] == before["overall"]
    result = run("codebook", "undo", study)
    assert result.exit_code == 2
    assert result.stderr == ("Error: nothing left to undo: every change after codebook version 1 (created) is "
                             "undone already (codewell codebook show lists the versions)\n")


def test_bad_change_on_the_cli_is_one_line_and_changes_nothing(study: Path) -> None:
    before = study.read_bytes()
    result = run("codebook", "merge", study, "anxeity", "worry")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no code 'anxeity' in the codebook (did you mean 'anxiety'?)"
    assert study.read_bytes() == before
