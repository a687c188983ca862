"""codewell restore: a backup back in place, the project as it was kept, never over a live one."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from faults import copy_project, corrupt_responses_page, file_bytes, start_python
from tui_fixtures import code_as, make_project


def codewell(*args: str):
    """The command in this process (a restore holds the project only while it runs)."""
    return CliRunner().invoke(app, list(args))


def _decisions(location: Path) -> int:
    with Project.open(location) as project:
        return sum(c["decisions"] for c in project.summary()["coders"].values())


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A project whose backup holds the responses only; the coders' work came after it."""
    location = make_project(tmp_path)
    (tmp_path / "responses.csv").unlink()
    with Project.open(location) as project:
        project.backup(tmp_path / "before-coding.cw")
    code_as(location, "ana", {"R001": ("understanding",), "R002": ("anxiety",), "R003": ()})
    return location


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_restore_brings_the_backup_back_and_keeps_the_project_to_undo_it(study: Path, tmp_path: Path) -> None:
    coded = _decisions(study)
    result = codewell("restore", str(tmp_path / "before-coding.cw"), str(study), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["responses"], report["decisions"], report["set_aside"]) == (20, {}, [])
    assert _decisions(study) == 0
    kept = Path(report["kept"])
    assert kept.name.startswith("study-before-restore-") and _decisions(kept) == coded
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    # The kept copy undoes the restore, and the project is still one the screen can write to.
    result = codewell("restore", str(kept), str(study))
    assert result.exit_code == 0, result.stderr
    assert f"Restored {study} from {kept}: 20 responses; decisions by coder: ana 2." in result.stdout
    assert _decisions(study) == coded
    with Project.open(study) as project:
        project.record("cleo", "R004", "anxiety", "apply")
    assert _leftovers(tmp_path) == []


def test_restore_is_refused_while_another_process_has_the_project_open(study: Path, tmp_path: Path) -> None:
    holder = start_python("""
        import sys, time
        from codewell.project import Project
        project = Project.open(sys.argv[1])
        project.summary()          # a coding screen sitting idle on the project
        print("open", flush=True)
        time.sleep(30)
    """, str(study))
    try:
        assert holder.stdout.readline().strip() == "open"
        before = file_bytes(study)
        result = codewell("restore", str(tmp_path / "before-coding.cw"), str(study))
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 3
    assert "is open in another process (a coding screen or a command)" in result.stderr
    assert "nothing was changed" in result.stderr
    assert file_bytes(study) == before
    assert not list(tmp_path.glob("study-before-restore-*")) and _leftovers(tmp_path) == []


def test_a_journal_left_from_another_database_is_set_aside_not_replayed(study: Path, tmp_path: Path) -> None:
    """The hazard of restoring by copying: a -wal beside the name is replayed into whatever file
    takes it. Here the project file is gone and another database's journal is left in its place."""
    other = tmp_path / "other.db"
    writer = sqlite3.connect(other)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x)")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    shutil.copy(f"{other}-wal", f"{study}-wal")  # copied while the writer still holds it open
    writer.close()
    study.unlink()
    result = codewell("restore", str(tmp_path / "before-coding.cw"), str(study))
    assert result.exit_code == 0, result.stderr
    assert "Set aside (renamed, not deleted):" in result.stdout and "study.cw.set-aside-" in result.stdout
    assert not Path(f"{study}-wal").exists() or _decisions(study) == 0
    result = codewell("check", str(study))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout and "20 responses" in result.stdout


def test_a_project_that_is_no_database_any_more_is_set_aside(study: Path, tmp_path: Path) -> None:
    study.write_bytes(b"this was overwritten by accident")
    result = codewell("restore", str(tmp_path / "before-coding.cw"), str(study), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["kept"] is None
    assert [Path(p).read_bytes() for p in report["set_aside"]] == [b"this was overwritten by accident"]
    assert _decisions(study) == 0


def test_an_older_backup_is_upgraded_on_the_way_in(tmp_path: Path) -> None:
    old = tmp_path / "old.cw"
    conn = sqlite3.connect(old)
    conn.executescript((Path(__file__).parent / "data" / "project_schema5.sql").read_text(encoding="utf-8"))
    conn.close()
    before = file_bytes(old)
    result = codewell("restore", str(old), str(tmp_path / "new.cw"))
    assert result.exit_code == 0, result.stderr
    assert "written by an older codewell; the restored project is upgraded" in result.stdout
    assert file_bytes(old) == before  # the backup itself is never changed
    assert codewell("check", str(tmp_path / "new.cw")).exit_code == 0
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("make", "code", "message"), [
    (lambda tmp: tmp / "missing.cw", 2, "missing.cw: no such backup"),
    (lambda tmp: _write(tmp / "notes.cw", b"id,response\n"), 2, "is not a codewell project file"),
    (lambda tmp: _write(tmp / "empty.cw", b""), 2, "is not a codewell project file"),
    (lambda tmp: _sqlite(tmp / "other.db"), 3, "other.db: not a codewell project (an SQLite file of something else)"),
])
def test_what_is_not_a_backup_is_refused_and_changes_nothing(study: Path, tmp_path: Path, make, code, message) -> None:
    backup = make(tmp_path)
    before = file_bytes(study)
    result = codewell("restore", str(backup), str(study))
    assert result.exit_code == code, result.stdout + result.stderr
    assert message in result.stderr
    assert file_bytes(study) == before
    assert not list(tmp_path.glob("study-before-restore-*")) and _leftovers(tmp_path) == []


def test_a_damaged_backup_is_refused_and_changes_nothing(study: Path, tmp_path: Path) -> None:
    damaged = copy_project(tmp_path / "before-coding.cw", tmp_path / "damaged.cw")
    corrupt_responses_page(damaged)
    before = file_bytes(study)
    result = codewell("restore", str(damaged), str(study))
    assert result.exit_code == 3
    assert "damaged.cw" in result.stderr and ".tmp" not in result.stderr
    assert file_bytes(study) == before and _leftovers(tmp_path) == []


def test_the_project_itself_a_missing_folder_and_a_server_are_refused(study: Path, tmp_path: Path) -> None:
    backup = str(tmp_path / "before-coding.cw")
    result = codewell("restore", str(study), str(study))
    assert result.exit_code == 2 and "is the project itself" in result.stderr
    result = codewell("restore", backup, str(tmp_path / "nowhere" / "study.cw"))
    assert result.exit_code == 2 and "folder" in result.stderr and "does not exist" in result.stderr
    result = codewell("restore", backup, "postgresql://coder@localhost/study")
    assert result.exit_code == 2 and "pg_restore" in result.stderr


def test_a_folder_that_cannot_be_written_is_named_and_nothing_changes(study: Path, tmp_path: Path) -> None:
    from faults import codewell_on_read_only_mount

    before = file_bytes(study)
    result = codewell_on_read_only_mount(tmp_path, "restore", str(tmp_path / "before-coding.cw"), str(study))
    assert result.returncode == 2, result.stderr
    assert f"its folder {tmp_path} cannot be written, so nothing can be restored there" in result.stderr
    assert file_bytes(study) == before and _leftovers(tmp_path) == []


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    return path


def test_a_backup_of_another_project_is_restored_with_a_note(study: Path, tmp_path: Path) -> None:
    """It went in without a word; the replaced project is kept either way, but a user who picked
    the wrong file should be told. A backup of the same project says nothing of the kind."""
    from codewell.store.restore import created_at

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = make_project(elsewhere, fresh=True)  # another project: a creation time of its own
    ours, theirs = created_at(study), created_at(other)
    assert ours and theirs and ours != theirs
    result = codewell("restore", str(other), str(study))
    assert result.exit_code == 0, result.stderr
    assert (f"Note: the backup is of another project (created {theirs[:16].replace('T', ' ')}) than the one it "
            f"replaced (created {ours[:16].replace('T', ' ')}).") in result.stdout.splitlines()
    assert created_at(study) == theirs
    result = codewell("restore", str(other), str(study), "--json")
    assert json.loads(result.stdout)["other_project"] is False
    result = codewell("restore", str(tmp_path / "before-coding.cw"), str(study), "--json")
    assert json.loads(result.stdout)["other_project"] is True  # our own backup, over the other project
