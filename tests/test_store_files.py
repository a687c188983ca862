"""Project files: owner-only, refuse strangers and the future, survive kill -9."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codewell.errors import NotAProjectError, ProjectError, SchemaTooNewError
from codewell.project import Project


def test_new_project_is_owner_only_and_wal(empty_project) -> None:
    path = Path(empty_project.location)
    assert (path.stat().st_mode & 0o777) == 0o600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_create_refuses_an_existing_file(tmp_path: Path, codebook) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("precious")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(target, codebook)
    assert target.read_text() == "precious"


def test_opening_a_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project") as caught:
        Project.open(tmp_path / "nope.cw")
    assert "codewell init" in caught.value.hint


@pytest.mark.parametrize("content", [b"just some text\n", b""])
def test_a_non_sqlite_file_is_not_touched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "data.cw"
    path.write_bytes(content)
    with pytest.raises(NotAProjectError, match="not a codewell project"):
        Project.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.cw"]


def test_another_sqlite_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (x)")
    before = path.read_bytes()
    with pytest.raises(NotAProjectError):
        Project.open(path)
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_newer_schema_is_refused_untouched(empty_project) -> None:
    path = Path(empty_project.location)
    empty_project.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer codewell"):
        Project.open(path)
    assert path.read_bytes() == before


def test_a_decision_survives_kill_9_right_after_the_call(empty_project) -> None:
    from codewell.values import Response

    empty_project.add_responses([Response("r1", "text", 2)], "test")
    path = empty_project.location
    empty_project.close()
    script = textwrap.dedent(f"""
        import os, sys
        from codewell.project import Project
        project = Project.open({path!r})
        project.record("ana", "r1", "anxiety", "apply")
        print("saved", flush=True)
        os.kill(os.getpid(), {int(signal.SIGKILL)})
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert result.stdout.strip() == "saved"
    with Project.open(path) as reopened:
        assert reopened.codings("ana") == {"r1": frozenset({"anxiety"})}
