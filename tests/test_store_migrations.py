"""Projects written by every earlier schema open in this codewell: upgraded in one transaction,
after an automatic backup, with every decision, memo and codebook version intact.

Each ``tests/data/project_schemaN.sql`` is a project that the codewell of schema N wrote (dumped
with SQLite's ``.dump``), so the upgrade is tested from the tables as they really were.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from faults import codewell, table_rows

DATA = Path(__file__).parent / "data"
DUMPS = sorted(int(p.stem.removeprefix("project_schema")) for p in DATA.glob("project_schema*.sql"))


def _earlier() -> list[int]:
    from codewell.store.schema import SCHEMA_VERSION

    return [version for version in DUMPS if version < SCHEMA_VERSION]


EARLIER = _earlier()


def _project(tmp_path: Path, version: int) -> Path:
    path = tmp_path / "old.cw"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / f"project_schema{version}.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def test_every_earlier_schema_has_a_project_to_upgrade() -> None:
    from codewell.store.schema import SCHEMA_VERSION

    missing = set(range(1, SCHEMA_VERSION)) - set(DUMPS)
    assert not missing, f"dump a project of schema {sorted(missing)} into tests/data (see this file's docstring)"


@pytest.mark.parametrize("version", EARLIER)
def test_an_older_project_is_upgraded_after_a_backup(tmp_path: Path, version: int) -> None:
    from codewell.project import Project
    from codewell.store.schema import SCHEMA_VERSION

    path = _project(tmp_path, version)
    old_decisions = table_rows(path, "decisions")
    old_versions = table_rows(path, "codebook_versions")
    with Project.open(path) as project:
        assert any(f"upgraded the project from schema {version} to {SCHEMA_VERSION}" in n for n in project.notes)
        assert project.codings("ana") == {"r1": frozenset({"understanding"}), "r2": frozenset({"anxiety"})}
        assert project.memos("ana") == {"r2": "acknowledged risk"}
        decisions = project.decisions()
        assert len(decisions) == len(old_decisions)
        assert all(d.uid and len(d.uid) == 32 for d in decisions)
        assert len({d.uid for d in decisions}) == len(decisions)
        # schema 1 let a second session reverse the same event: kept, but no longer as an undo
        assert sum(1 for d in decisions if d.undoes is not None) == 1
        assert len(project.codebook_history()) == len(old_versions)
        project.record("ana", "r3", "anxiety", "apply")
        assert project.undo("ana").code == "anxiety"
    backups = list(tmp_path.glob(f"old.cw.schema{version}-*.bak"))
    assert len(backups) == 1
    assert table_rows(backups[0], "decisions") == old_decisions
    with Project.open(path) as again:  # a second open upgrades nothing and backs up nothing
        assert again.notes == ()
    assert len(list(tmp_path.glob("old.cw.schema*.bak"))) == 1


def test_schema_2_keeps_a_code_added_while_coding(tmp_path: Path) -> None:
    from codewell.project import Project

    with Project.open(_project(tmp_path, 2)) as project:
        assert "cost" in project.codebook.ids
        assert project.codings("ben") == {"r1": frozenset({"understanding", "cost"})}


def test_cli_on_an_older_project_says_it_upgraded(tmp_path: Path) -> None:
    from codewell.store.schema import SCHEMA_VERSION

    path = _project(tmp_path, 1)
    result = codewell("status", str(path))
    assert result.returncode == 0
    assert f"codewell: upgraded the project from schema 1 to {SCHEMA_VERSION}" in result.stderr


@pytest.mark.skipif(3 not in EARLIER, reason="schema 3 is the current schema: nothing to upgrade")
def test_schema_3_keeps_its_reliability_sets(tmp_path: Path) -> None:
    from codewell.project import Project

    with Project.open(_project(tmp_path, 3)) as project:
        (drawn,) = project.sets()
        assert drawn.name == "irr" and drawn.size == 2
