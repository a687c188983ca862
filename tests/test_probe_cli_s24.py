"""Hostile command-line probes of backup, restore and check (session 24): each case was found
wrong by hand, and each test asserts the exact message, the exit code, and that the project, the
backup and any folder named are left as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from faults import file_bytes

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
BACKUP = "study-backup-20260101-120000.cw"


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small coded project, built once for the module."""
    folder = tmp_path_factory.mktemp("s24")
    project = folder / "study.cw"
    data = folder / "data.csv"
    data.write_text("id,response,site\nr1,Worried about what they see,York\nr2,Helps them understand,Bath\n",
                    encoding="utf-8")
    codings = folder / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr2,ana,understanding\n", encoding="utf-8")
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data),
                 ("import", project, codings, "--codings")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    """The project and a backup of it (named as codewell names one) in a folder of their own."""
    from conftest import copy_project

    location = copy_project(template, tmp_path / "study.cw")
    copy_project(template, tmp_path / BACKUP)
    return location


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_restore_onto_a_folder_is_refused_and_the_folder_stays(study: Path) -> None:
    """The folder was renamed to 'results.set-aside-DATE' and the project written as 'results'."""
    folder = study.parent / "results"
    folder.mkdir()
    (folder / "table.csv").write_text("kept\n", encoding="utf-8")
    before = _listing(study.parent)
    result = run("restore", study.parent / BACKUP, folder)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {folder}: is a folder, not a project file "
                             f"(name the project file to restore, e.g. {folder / 'study.cw'})\n")
    assert folder.is_dir() and _listing(folder) == ["table.csv"]
    assert _listing(study.parent) == before


@pytest.mark.parametrize("target", [".", ""])
def test_restore_onto_the_current_folder_is_an_error_not_a_traceback(study: Path, target: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """'.' (and '', which is '.') raised ValueError: PosixPath('.') has an empty name."""
    monkeypatch.chdir(study.parent)
    before = _listing(study.parent)
    result = run("restore", BACKUP, target)
    assert result.exit_code == 2
    assert result.stderr == "Error: .: is a folder, not a project file (name the project file to restore, e.g. study.cw)\n"
    assert _listing(study.parent) == before


def test_a_folder_given_as_the_backup_is_called_a_folder(study: Path) -> None:
    """It was 'no such backup', which sends the user looking for a file that is there."""
    folder = study.parent / "backups"
    folder.mkdir()
    before = file_bytes(study)
    result = run("restore", folder, study)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {folder}: is a folder, not a backup file (name the file codewell backup wrote)\n"
    assert file_bytes(study) == before


def test_a_truncated_backup_is_named_as_damaged_not_as_a_hidden_file_and_free_space(study: Path) -> None:
    """A copy cut short (a download, a full USB stick) said 'Error: .study.cw.restore-PID.tmp: backup
    failed (database disk image is malformed) (check free space and permissions, then try again)'."""
    truncated = study.parent / "cut.cw"
    truncated.write_bytes((study.parent / BACKUP).read_bytes()[:20000])
    before = file_bytes(study)
    result = run("restore", truncated, study)
    assert result.exit_code == 3
    assert result.stderr == (f"Error: {truncated}: is damaged (database disk image is malformed); restoring it "
                             "would put the damage back (choose an earlier backup)\n")
    assert file_bytes(study) == before
    assert sorted(p.name for p in study.parent.iterdir() if p.name.startswith(".")) == []
    assert not list(study.parent.glob("study-before-restore-*"))


def test_restore_with_the_arguments_swapped_is_refused(study: Path) -> None:
    """'restore study.cw study-backup-...cw' put the project over the backup and said it had restored."""
    backup = study.parent / BACKUP
    with sqlite3.connect(study) as conn:  # the project has moved on since the backup
        conn.execute("UPDATE responses SET attributes = '{\"site\": \"Hull\"}' WHERE source_id = 'r1'")
    conn.close()
    before = (file_bytes(study), file_bytes(backup))
    result = run("restore", study, backup)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {backup}: is a backup (codewell named it), not the project to restore it "
                             f"over (the backup comes first: codewell restore {backup} {study})\n")
    assert (file_bytes(study), file_bytes(backup)) == before
    assert not list(study.parent.glob("*before-restore*"))
    # the right order still works, and the kept copy (a dated name too) undoes it
    result = run("restore", backup, study)
    assert result.exit_code == 0, result.output
    (kept,) = study.parent.glob("study-before-restore-*.cw")
    assert run("restore", kept, study).exit_code == 0


def test_backup_into_a_folder_says_it_is_a_folder(study: Path) -> None:
    """It said 'results: already exists; a backup never overwrites a file'."""
    folder = study.parent / "results"
    folder.mkdir()
    result = run("backup", study, folder)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {folder}: is a folder, not a file (give a file name inside it, "
                                    f"e.g. {folder / 'study-backup-'}")
    assert _listing(folder) == []


def test_repair_does_not_call_a_missing_rule_index_sound(study: Path) -> None:
    """With decisions_uid dropped, --repair printed 'rebuilds only the indexes, and they are sound'
    above a report listing that very index as missing."""
    with sqlite3.connect(study) as conn:
        conn.execute("DROP INDEX decisions_uid")
    conn.close()
    before = file_bytes(study)
    result = run("check", study, "--repair")
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[0] == ("Not repaired: --repair rebuilds only the search index and the indexes that keep the "
                        "project fast, and nothing listed below is one of them.")
    assert "  - no index decisions_uid" in lines
    assert file_bytes(study) == before


def test_undo_with_every_change_undone_says_nothing_is_left(study: Path) -> None:
    """After undoing the only change, undo said 'the latest codebook version (3) is not a change
    that can be undone (it was: undid v2 ...)', which reads as a fault rather than the end."""
    assert run("codebook", "rename", study, "anxiety", "worry").exit_code == 0
    assert run("codebook", "undo", study).exit_code == 0
    before = file_bytes(study)
    result = run("codebook", "undo", study)
    assert result.exit_code == 2
    assert result.stderr == ("Error: nothing left to undo: every change after codebook version 1 (created) is "
                             "undone already (codewell codebook show lists the versions)\n")
    assert file_bytes(study) == before
    result = run("codebook", "undo", study.parent / BACKUP)  # never changed: the first version is the floor
    assert result.stderr == ("Error: the latest codebook version (1) is not a change that can be undone "
                             "(it was: created)\n")


# -- a coder name that differs from a known one only in case ------------------------------------------
def test_a_coder_differing_only_in_case_is_refused_not_made_a_second_coder(study: Path, tmp_path: Path) -> None:
    """A codings file naming 'Ana' beside 'ana' made a second coder without a word: her decisions
    split in two, and agreement could be computed against herself. The coding screen too."""
    from codewell.errors import UnknownNameError
    from codewell.project import Project
    from codewell.tui.app import make_app

    codings = tmp_path / "more.csv"
    codings.write_text("id,coder,code\nr2,Ana,anxiety\n", encoding="utf-8")
    before = file_bytes(study)
    result = run("import", study, codings, "--codings")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: there is no coder 'Ana', but there is 'ana': coder names are matched "
                                     "exactly (did you mean 'ana'? A separate coder needs a name that differs by "
                                     "more than upper and lower case)")
    with pytest.raises(UnknownNameError, match="there is no coder 'ANA', but there is 'ana'"):
        make_app(str(study), "ANA")
    assert file_bytes(study) == before
    with Project.open(study) as project:
        assert project.coders() == ("ana",)
        project.record("ben", "r1", "anxiety", "apply")  # a new name is still a new coder
        assert project.coders() == ("ana", "ben")


def test_a_code_changed_away_says_which_version_changed_it(study: Path) -> None:
    """Retiring a code twice said "no code 'anxiety' in the codebook", as though it had never
    existed; the version that retired (or renamed) it is named instead."""
    assert run("codebook", "retire", study, "anxiety", "--reason", "not used").exit_code == 0
    assert run("codebook", "rename", study, "understanding", "insight").exit_code == 0
    before = file_bytes(study)
    hint = "(codewell codebook show lists the versions; codewell codebook undo reverses the latest change)"
    result = run("codebook", "retire", study, "anxiety")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: no code 'anxiety' in the codebook: codebook version 2 retired "
                                     f"'anxiety': not used {hint}")
    result = run("codebook", "merge", study, "understanding", "insight")
    assert result.stderr.strip() == ("Error: no code 'understanding' in the codebook: codebook version 3 renamed "
                                     f"'understanding' to 'insight' {hint}")
    result = run("codebook", "retire", study, "anxeity")  # never a code: as before
    assert result.stderr.strip().startswith("Error: no code 'anxeity' in the codebook")
    assert file_bytes(study) == before


def test_a_reason_over_several_lines_keeps_the_history_one_version_a_line(study: Path) -> None:
    result = run("codebook", "retire", study, "anxiety", "--reason", "first line\nsecond\tline ")
    assert result.stdout == "Codebook version 2: retired 'anxiety': first line second line\n"
    shown = run("codebook", "show", study).stdout.splitlines()
    assert shown[-1].endswith("  retired 'anxiety': first line second line")
    assert shown[-2].endswith("  created")


def test_a_zip_that_is_no_workbook_is_named_as_what_it_is(study: Path, tmp_path: Path) -> None:
    """A zipped export or a Word document was "not a readable Excel workbook (There is no item
    named '[Content_Types].xml' in the archive)"."""
    import zipfile

    zipped, document = tmp_path / "export.zip", tmp_path / "answers.docx"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("survey/responses.csv", "id,response\n1,hello\n")
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    before = file_bytes(study)
    result = run("import", study, zipped)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {zipped}: a zip archive (survey/responses.csv), not an Excel workbook "
                                     "(unzip it and import the survey export inside (CSV, TSV or .xlsx))")
    result = run("import", study, document)
    assert result.stderr.strip() == (f"Error: {document}: a Word document, not a survey export (export the "
                                     "responses as CSV UTF-8 or .xlsx and import that)")
    assert file_bytes(study) == before


@pytest.mark.parametrize(("first", "what"), [
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document, not a survey export"),
    (b"\x89PNG\r\n\x1a\nIHDR", "an image, not a survey export"),
    (b"{\\rtf1\\ansi hello}\n", "an RTF document, not a survey export"),
    (b"\x1f\x8b\x08\x00rest", "a gzip archive, not a survey export"),
])
def test_a_file_that_is_no_survey_export_is_named_as_what_it_is(study: Path, tmp_path: Path, first: bytes,
                                                                what: str) -> None:
    """A PDF's lines were imported as four responses; an image failed on "ids already in the
    project with different text". Small files and large ones (the block reader) alike."""
    before = file_bytes(study)
    for size in (1, 20_000):
        path = tmp_path / f"picked-{size}.dat"
        path.write_bytes(first + b"more words on a line\n" * size)
        result = run("import", study, path)
        assert result.exit_code == 2
        assert result.stderr.strip() == (f"Error: {path}: {what} (export the responses as CSV UTF-8 or .xlsx "
                                         "and import that)")
    assert file_bytes(study) == before
