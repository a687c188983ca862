"""Project files under faults: read-only, full disk, damaged by hand, locked by another process,
and upgraded from an older schema. Each case: one ``Error:`` line, a non-zero exit, the project
unchanged, no traceback (issue 9, cases 10, 11 and 15)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from conftest import CODEBOOK, SAMPLE
from codewell.values import Status
from faults import (HeldLock, codewell, codewell_on_read_only_mount, corrupt_responses_page, file_bytes,
                    table_rows)

DATA = Path(__file__).parent / "data"


def _one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample study as a project, built once; each test works on its own copy."""
    from codewell.codebook import load_codebook
    from codewell.project import Project

    path = tmp_path_factory.mktemp("template") / "study.cw"
    with Project.create(path, load_codebook(CODEBOOK)) as project:
        project.import_responses(SAMPLE / "responses.csv")
    return path


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "study.cw"
    conn = sqlite3.connect(template)
    target = sqlite3.connect(path)
    conn.backup(target)
    target.close()
    conn.close()
    os.chmod(path, 0o600)
    return path


# -- read-only -------------------------------------------------------------------------------------
def test_a_read_only_project_reads_but_refuses_writes(study: Path) -> None:
    before = file_bytes(study)
    status = codewell_on_read_only_mount(study, "status", str(study), "--json")
    assert status.returncode == 0, status.stderr
    result = codewell_on_read_only_mount(study, "import", str(study), str(SAMPLE / "responses.csv"))
    assert result.returncode == 3
    assert "cannot write the project (read-only)" in _one_error_line(result)
    assert file_bytes(study) == before


def test_a_project_in_a_read_only_folder_is_still_a_project(study: Path) -> None:
    status = codewell_on_read_only_mount(study.parent, "status", str(study))
    assert status.returncode == 0, status.stderr
    assert "not a codewell project" not in status.stderr
    result = codewell_on_read_only_mount(study.parent, "import", str(study), str(SAMPLE / "responses.csv"))
    assert result.returncode == 3
    assert "read-only" in _one_error_line(result)


# -- full disk ---------------------------------------------------------------------------------------
def test_init_on_a_full_disk_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "full.cw"
    result = codewell("init", str(path), "--codebook", str(CODEBOOK), file_limit=8192)
    assert result.returncode == 3
    line = _one_error_line(result)
    assert "disk" in line and "full" in line and "nothing was saved" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_import_on_a_full_disk_changes_nothing(study: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text("id,response\n" + "".join(f"x{i},{'words ' * 200}{i}\n" for i in range(3000)),
                   encoding="utf-8")
    before = table_rows(study, "responses")
    limit = os.path.getsize(study) + 200_000
    result = codewell("import", str(study), str(big), file_limit=limit)
    assert result.returncode == 3
    assert "nothing was saved" in _one_error_line(result)
    assert table_rows(study, "responses") == before
    assert codewell("status", str(study)).returncode == 0


# -- damaged by hand -----------------------------------------------------------------------------------
def _damage(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()


@pytest.mark.parametrize(("sql", "expected"), [
    ("UPDATE meta SET value = 'two' WHERE key = 'schema_version';", "schema version 'two' is not a number"),
    ("DROP TABLE memos;", "missing tables: memos"),
    ("UPDATE codebook_versions SET body = '{not json';", "the stored codebook cannot be read"),
    ("DELETE FROM codes; DELETE FROM codebook_versions;", "no codebook stored"),
])
def test_a_hand_damaged_project_is_one_clear_error(study: Path, sql: str, expected: str) -> None:
    _damage(study, sql)
    before = file_bytes(study)
    result = codewell("import", str(study), str(SAMPLE / "responses.csv"))
    assert result.returncode == 3
    line = _one_error_line(result)
    assert expected in line
    assert "backup" in line
    assert file_bytes(study) == before


@pytest.mark.parametrize(("sql", "command", "expected"), [
    ("UPDATE responses SET attributes = '{not json' WHERE pk = 4;", ("export", "--coder", "ana", "-o", "{out}"),
     "the attributes of response 'IS004' are not a JSON object"),
    ("UPDATE responses SET attributes = '[1, 2]' WHERE pk = 4;", ("export", "--coder", "ana", "-o", "{out}"),
     "the attributes of response 'IS004' are not a JSON object"),
    ("PRAGMA ignore_check_constraints = 1; UPDATE statuses SET status = 'weird';", ("agree", "--coders", "ana,ben"),
     "response 'IS001' has the status 'weird', which codewell never writes"),
    ("DELETE FROM meta WHERE key = 'schema_version';", ("export", "--coder", "ana", "-o", "{out}"),
     "it has no schema version"),
])
def test_a_hand_edited_row_is_one_clear_error_in_reading_commands(study: Path, tmp_path: Path, sql: str,
                                                                   command: tuple[str, ...], expected: str) -> None:
    """A row no longer holding what codewell wrote (a DB browser, a script) is named, never a
    traceback deep in an export; nothing is written."""
    from codewell.project import Project

    with Project.open(study) as project:  # two coders' work, so every command has something to read
        for coder in ("ana", "ben"):
            project.record(coder, "IS001", "anxiety", "apply")
            project.set_status(coder, "IS001", Status.DONE)
    _damage(study, sql)
    before = file_bytes(study)
    out = tmp_path / "coded.csv"
    result = codewell(command[0], str(study), *(part.format(out=out) for part in command[1:]))
    assert result.returncode == 3, result.stderr
    line = _one_error_line(result)
    assert expected in line and "damaged" in line and "backup" in line
    assert not out.exists()
    assert file_bytes(study) == before


def test_a_corrupted_page_is_refused_for_writing(study: Path, tmp_path: Path) -> None:
    corrupt_responses_page(study)
    before = file_bytes(study)
    small = tmp_path / "one.csv"
    small.write_text("id,response\nnew1,A new response\n", encoding="utf-8")
    result = codewell("import", str(study), str(small))
    assert result.returncode == 3
    assert "damaged" in _one_error_line(result)
    assert file_bytes(study) == before


# -- locked by another process --------------------------------------------------------------------------
def test_a_command_waits_for_a_lock_and_says_so(study: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    small = tmp_path / "one.csv"
    small.write_text("id,response\nnew1,A new response\n", encoding="utf-8")
    with HeldLock(study, seconds=60.0) as held:
        command = subprocess.Popen([sys.executable, "-m", "codewell", "import", str(study), str(small)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert command.stderr is not None
        first = command.stderr.readline()  # blocks until the command reports that it waits
        assert "codewell: waiting for the project (held by another process)" in first
        held.release()
        out, rest = command.communicate(timeout=120)
    assert command.returncode == 0, rest
    assert "Imported 1 new responses" in out
    assert "Traceback" not in rest
    assert len(table_rows(study, "responses")) == 501


def test_a_lock_held_too_long_is_one_error_and_nothing_written(study: Path, tmp_path: Path) -> None:
    small = tmp_path / "one.csv"
    small.write_text("id,response\nnew1,A new response\n", encoding="utf-8")
    before = table_rows(study, "responses")
    with HeldLock(study, seconds=30.0):
        result = codewell("import", str(study), str(small), env={"CODEWELL_LOCK_WAIT": "1"})
    assert result.returncode == 3
    assert "the project is busy" in result.stderr.splitlines()[-1]
    assert table_rows(study, "responses") == before


# -- backups and upgrades -----------------------------------------------------------------------------
def test_backup_is_a_consistent_owner_only_copy(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.cw"
    result = codewell("backup", str(study), str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert table_rows(out, "responses") == table_rows(study, "responses")
    again = codewell("backup", str(study), str(out))
    assert again.returncode == 2  # an output that exists is the user's to rename: bad input
    assert "already exists" in _one_error_line(again)


def test_backup_while_a_coder_holds_the_lock(study: Path, tmp_path: Path) -> None:
    with HeldLock(study, seconds=10.0):
        result = codewell("backup", str(study), str(tmp_path / "during.cw"))
    assert result.returncode == 0, result.stderr


# -- a reader that goes away ------------------------------------------------------------------------
def test_output_into_a_closed_pipe_ends_quietly(study: Path) -> None:
    """``codewell status PROJECT | head -0``: the reader is gone before anything is written. That
    is not a file problem, so there is no "Error: Broken pipe (check that the path exists ...)"
    line (there was), and the project is as it was."""
    import subprocess
    import sys

    before = file_bytes(study)
    process = subprocess.Popen([sys.executable, "-m", "codewell", "status", str(study)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=60) != 0
    assert error == ""
    assert file_bytes(study) == before
