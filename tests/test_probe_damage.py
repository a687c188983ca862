"""Projects damaged by hand and misused, found by a hostile probe: each case is one exact
``Error:`` line (or one exact ``check`` finding), exit 3 for an unusable project, no traceback, and
the damaged file byte for byte as it was after every command that only reads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from faults import copy_project, damage, file_bytes
from tui_fixtures import code_as, make_project

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty responses and two coders' codings, built once; each test damages its own copy."""
    path = make_project(tmp_path_factory.mktemp("template"))
    code_as(path, "ana", {"R001": ("understanding",), "R002": ("anxiety",)})
    code_as(path, "ben", {"R001": ("understanding",), "R002": ("understanding",)})
    return path


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    return copy_project(template, tmp_path / "study.cw")


def cw(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def error_line(result) -> str:  # type: ignore[no-untyped-def]
    """The one line a failed command printed (asserting there is exactly one, and no traceback)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


BACKUP = "(restore your latest backup (codewell restore BACKUP PROJECT), or copy the file and ask for help)"


# -- a table or column dropped or renamed ---------------------------------------------------------
@pytest.mark.parametrize(("sql", "missing"), [
    ("DROP TABLE decisions;", "no such table: decisions"),
    ("ALTER TABLE responses RENAME TO responses_old;", "no such table: responses"),
])
def test_a_dropped_table_is_named_as_damage_by_reading_commands(study: Path, tmp_path: Path, sql: str,
                                                               missing: str) -> None:
    damage(study, sql)
    before = file_bytes(study)
    out = tmp_path / "coded.csv"
    for command in (("status", study), ("export", study, "--coder", "ana", "-o", out),
                    ("agree", study, "--coders", "ana,ben")):
        result = cw(*command)
        assert result.exit_code == 3
        assert error_line(result) == f"Error: {study}: the project file is damaged ({missing}) {BACKUP}"
    assert not out.exists()
    assert file_bytes(study) == before


def test_a_dropped_column_is_found_at_open_and_by_check(study: Path, tmp_path: Path) -> None:
    """A renamed column once passed the open-time check, `check` stopped on a database error, and
    the coding screen crashed with a traceback on its first page of responses."""
    damage(study, "ALTER TABLE responses RENAME COLUMN text TO body; ALTER TABLE decisions DROP COLUMN note;")
    before = file_bytes(study)
    out = tmp_path / "coded.csv"
    result = cw("export", study, "--coder", "ana", "-o", out)
    assert result.exit_code == 3
    assert error_line(result) == f"Error: {study}: the project file is damaged (no such column: responses.text) {BACKUP}"
    result = cw("sample", study, "--size", "5")
    assert result.exit_code == 3
    assert error_line(result) == (f"Error: {study}: the project file is damaged (missing columns: responses.text, "
                                  f"decisions.note); it is refused for writing {BACKUP}")
    for screen in (("code", study, "--coder", "ana"), ("adjudicate", study, "--coders", "ana,ben")):
        result = cw(*screen)  # refused before the screen opens
        assert result.exit_code == 3
        assert "(missing columns: responses.text, decisions.note); it is refused for writing" in error_line(result)
    result = cw("check", study)
    assert result.exit_code == 3
    assert result.stdout.splitlines()[:6] == [
        "", "Columns missing from the file's tables: 2", "  - no column responses.text", "  - no column decisions.note",
        "  Expected: every column of a codewell project's tables.",
        "  To do: restore the project from your latest backup (codewell restore BACKUP PROJECT; on a server, "
        "its own restore); if you dropped or renamed a column by hand, undo that edit."]
    result = cw("check", study, "--repair")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0] == "Not repaired: the file itself is damaged, so nothing was written to it."
    assert not out.exists()
    assert file_bytes(study) == before


# -- the schema version -----------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["-1", "0"])
def test_a_schema_version_below_one_is_damage_not_an_upgrade(study: Path, version: str) -> None:
    """Version -1 or 0 was "upgraded": a backup copy left beside the project at every command, a
    note saying it was upgraded, then "UNIQUE constraint failed: meta.key"."""
    damage(study, f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version';")
    before = file_bytes(study)
    for command in ("status", "check", "backup"):
        result = cw(command, study)
        assert result.exit_code == 3
        assert error_line(result) == (f"Error: {study}: the project file is damaged (schema version '{version}' "
                                      f"is not one codewell writes) {BACKUP}")
    assert sorted(p.name for p in study.parent.iterdir()) == ["study.cw"]
    assert file_bytes(study) == before


def test_a_failed_upgrade_says_so_and_leaves_no_copy_behind(study: Path) -> None:
    """An older project whose rows an upgrade step cannot take (two events with one id, the
    unique index dropped by hand): the upgrade rolls back, no "upgraded" note, no stray copy."""
    damage(study, "DROP INDEX decisions_uid; UPDATE decisions SET uid = (SELECT uid FROM decisions WHERE id = 1) "
                  "WHERE id = 2; UPDATE meta SET value = '1' WHERE key = 'schema_version';")
    before = file_bytes(study)
    result = cw("status", study)
    assert result.exit_code == 3
    assert error_line(result) == (f"Error: {study}: cannot upgrade the project from schema 1 to 7 (database error: "
                                  f"UNIQUE constraint failed: decisions.uid); the file is unchanged {BACKUP}")
    assert sorted(p.name for p in study.parent.iterdir()) == ["study.cw"]
    assert file_bytes(study) == before


# -- the stored codebook ------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "found"), [
    ('[1, 2, 3]', "is not a codebook (TypeError: list indices must be integers or slices, not str)"),
    ('{"title": "x"}', "is not a codebook (KeyError: 'codes')"),
    ('{"title": "x", "codes": [{"id": "a"}]}',
     "is not a codebook (TypeError: Code.__init__() missing 1 required positional argument: 'label')"),
])
def test_a_codebook_that_is_json_but_not_a_codebook_is_found_by_check(study: Path, body: str, found: str) -> None:
    """Every command refused these ("the stored codebook cannot be read") while check said the
    project was sound, and writing commands were let through the open-time check."""
    damage(study, f"UPDATE codebook_versions SET body = '{body}';")
    before = file_bytes(study)
    result = cw("check", study)
    assert result.exit_code == 3
    assert result.stdout.splitlines()[:3] == ["", "The stored codebook: 1", f"  - the latest codebook version {found}"]
    result = cw("backup", study, study.parent / "copy.cw")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == ("Note: the project failed its integrity check (the stored codebook "
                                              "cannot be read); the copy holds what could be read.")
    assert file_bytes(study) == before


# -- a response's attributes ----------------------------------------------------------------------------
@pytest.mark.parametrize("stored", ['{"profession": {"nested": "x"}}', '{"age": 5}', '{"profession": null}'])
def test_attributes_that_are_not_text_are_damage_not_a_traceback(study: Path, tmp_path: Path, stored: str) -> None:
    """A JSON object whose values are not text passed check and crashed export with KeyError: 0."""
    damage(study, f"UPDATE responses SET attributes = '{stored}' WHERE pk = 3;")
    before = file_bytes(study)
    out = tmp_path / "coded.csv"
    result = cw("export", study, "--coder", "ana", "-o", out)
    assert result.exit_code == 3
    assert error_line(result) == ("Error: the project file is damaged (the attributes of response 'R003' are not a "
                                  f"JSON object of text values) {BACKUP}")
    result = cw("check", study)
    assert result.exit_code == 3
    assert result.stdout.splitlines()[1:3] == ["Response attributes that are not a JSON object of text values: 1",
                                               f"  - response R003: attributes {stored!r}"]
    assert not out.exists()
    assert file_bytes(study) == before


# -- rows that must be unique ---------------------------------------------------------------------------
def test_a_table_rebuilt_without_its_unique_rule_is_found_by_check(study: Path) -> None:
    """A DB browser's "modify table" rebuilds a table without its constraints; two coders named
    ana then each took some of ana's work, and check said the project was sound."""
    damage(study, "PRAGMA foreign_keys = OFF; CREATE TABLE old AS SELECT * FROM coders; DROP TABLE coders; "
                  "CREATE TABLE coders (id INTEGER PRIMARY KEY, name VARCHAR(128), created_at DATETIME); "
                  "INSERT INTO coders SELECT * FROM old; DROP TABLE old; "
                  "INSERT INTO coders (name, created_at) VALUES ('ana', '2025-01-01 00:00:00');")
    before = file_bytes(study)
    result = cw("check", study)
    assert result.exit_code == 3
    assert result.stdout.splitlines()[:5] == [
        "", "Rows that must be unique but are not (a table rebuilt by hand without its rule): 1",
        "  - coders: 2 rows share name=ana, which must be one row",
        "  Expected: one row per key (one coder per name, one response per id, one status per coder and response).",
        "  To do: restore the project from your latest backup (codewell restore BACKUP PROJECT; on a server, "
        "its own restore); if you edited the file by hand, undo that edit."]
    assert file_bytes(study) == before


# -- backups ---------------------------------------------------------------------------------------------
def test_a_backup_is_never_written_where_sqlite_would_take_it_for_a_journal(study: Path) -> None:
    """`backup study.cw study.cw-journal` wrote the copy there; the next command on the project
    took it for a hot journal of the database and deleted it, so the backup silently vanished."""
    before = file_bytes(study)
    out = study.parent / "study.cw-journal"
    result = cw("backup", study, out)
    assert result.exit_code == 2  # a bad output name is bad input, not an unusable project
    assert error_line(result) == (f"Error: {out}: is the name of a journal file of the database beside it, which SQLite "
                                  "would take the copy for and delete (choose another name, or leave OUT out for a "
                                  "dated one)")
    assert sorted(p.name for p in study.parent.iterdir()) == ["study.cw"]
    assert file_bytes(study) == before


def test_ctrl_c_during_a_backup_leaves_no_half_written_copy(tmp_path: Path) -> None:
    """Ctrl-C while the pages were being copied left the hidden temporary copy behind (only a
    database error or a full disk removed it)."""
    import signal

    from codewell.store.backup import backup_sqlite

    source = tmp_path / "big.cw"  # large enough that copying it outlasts the alarm below
    conn = sqlite3.connect(source)
    conn.execute("CREATE TABLE filler (data BLOB)")
    conn.executemany("INSERT INTO filler VALUES (zeroblob(1048576))", [()] * 48)
    conn.commit()
    conn.close()
    folder = tmp_path / "copies"
    folder.mkdir()

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.002)
        with pytest.raises(KeyboardInterrupt):
            backup_sqlite(source, folder / "copy.cw")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert list(folder.iterdir()) == []


# -- upgrading an older project -------------------------------------------------------------------------
def test_processes_opening_an_older_project_at_once_upgrade_and_copy_it_once(study: Path) -> None:
    """Commands opening a schema-6 project in the same second: one failed ("...bak: already
    exists; a backup never overwrites a file"), two said they upgraded it, and a copy taken after
    another's upgrade could replace the copy of the file as it was."""
    import subprocess
    import sys

    damage(study, "DROP TABLE reference_rows; UPDATE meta SET value = '6' WHERE key = 'schema_version';")
    commands = [subprocess.Popen([sys.executable, "-m", "codewell", "status", str(study)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(command.wait(timeout=120), command.communicate()[1]) for command in commands]
    assert [code for code, _ in results] == [0, 0, 0], results
    notes = [err for _, err in results if "upgraded the project from schema 6 to 7" in err]
    assert len(notes) == 1, results
    copies = [p for p in study.parent.iterdir() if p.name.startswith("study.cw.schema6-")]
    assert len(copies) == 1 and str(copies[0]) in notes[0]
    kept = sqlite3.connect(copies[0])
    assert kept.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("6",)
    kept.close()
