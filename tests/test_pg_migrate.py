"""codewell migrate: a project moved SQLite -> PostgreSQL -> SQLite loses nothing. Checked the way
a user would: the decision log (ids, uids, undoes, probabilities, times), every table row for row,
and the exported datasets, byte for byte; then the copy goes on working (new keys do not collide)."""

from __future__ import annotations

import sqlite3
from datetime import timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from codewell.values import Code, Response, Status
from pg_support import fresh_database
from tui_fixtures import CODEBOOK

runner = CliRunner()


def run(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A project with everything a project can hold: two codebook versions, suggestions accepted,
    undos, statuses, memos, suggestions shown, a reliability set two coders joined, odd text."""
    path = tmp_path / "study.cw"
    with Project.create(path, CODEBOOK) as project:
        project.add_responses([
            Response("R1", "Seeing the scan helped — a lot. «Très bien»", 2, {"site": "Leeds", "role": "=1+1"}),
            Response("R2", "It worried me\r\nat home, alone.", 3, {"site": "York", "role": "nurse"}),
            Response("R3", "", 4, {"site": "York", "role": ""}),
            Response("R4", "😀 emoji and \"quotes\", commas", 5, {"site": "Hull", "role": "GP"}),
            Response("R5", "Follow-up felt easier.", 6, {"site": "Hull", "role": "GP"})], "survey.csv")
        project.add_code(Code(id="cost", label="Cost", group="risk"))
        project.record("ana", "R1", "understanding", "apply", probability=0.91, from_suggestion=True,
                       suggestions_on=True)
        project.record("ana", "R2", "anxiety", "apply")
        project.record("ana", "R2", "cost", "apply")
        project.undo("ana")
        project.record("ben", "R1", "communication", "apply")
        project.record("ben", "R4", "anxiety", "apply")
        project.record("ben", "R4", "anxiety", "remove")
        for coder, rid, status in (("ana", "R1", Status.DONE), ("ana", "R2", Status.DONE),
                                   ("ben", "R1", Status.DONE), ("ben", "R4", Status.SKIPPED)):
            project.set_status(coder, rid, status)
        project.set_memo("ana", "R2", "Worry, or just logistics?\nAsk ben.")
        project.record_shown("ana", "R1", [("understanding", 0.91, True), ("anxiety", 0.12, False)])
        project.draw_set(3, name="irr", seed=5)
        project.join_set("irr", "ana")
        project.join_set("irr", "ben")
    return path


def _tables(location: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every row of every table, in key order, times as UTC instants (engines spell them apart)."""
    from codewell.store import schema  # the test reads the tables directly, as an auditor would

    def norm(value: object) -> object:
        if hasattr(value, "tzinfo") and hasattr(value, "isoformat"):
            return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)  # type: ignore[union-attr]
        return value

    from sqlalchemy import create_engine, select

    url = location if "://" not in location else location.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url if "://" in location else f"sqlite:///{location}")
    try:
        with engine.connect() as conn:
            found = {}
            for table in schema.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(select(table).order_by(*order)).all()
                found[table.name] = [tuple(norm(v) for v in row) for row in rows]
            return found
    finally:
        engine.dispose()


def _exports(location: str, folder: Path) -> dict[str, bytes]:
    out = {}
    folder.mkdir()
    for layout in ("wide", "long"):
        target = folder / f"{layout}.csv"
        result = run("export", location, "--format", "csv", "--layout", layout, "--coder", "all", "-o", target)
        assert result.exit_code == 0, result.output
        out[layout] = target.read_bytes()
    return out


def test_sqlite_to_postgresql_and_back_loses_nothing(study: Path, tmp_path: Path) -> None:
    server = fresh_database()
    back = tmp_path / "back.cw"
    there = run("migrate", study, server)
    assert there.exit_code == 0, there.output
    assert there.output.startswith(f"Copied {study} to {server}: 5 responses, 7 decisions, 2 codebook versions")
    assert run("migrate", server, back).exit_code == 0

    original = _tables(str(study))
    for copy in (server, str(back)):
        copied = _tables(copy)
        for name, rows in original.items():
            if name == "meta":  # the copy keeps the source's creation time and everything else
                rows = [r for r in rows if r[0] not in ("schema_version", "application")]
                copied_rows = [r for r in copied[name] if r[0] not in ("schema_version", "application")]
                assert copied_rows == rows
            else:
                assert copied[name] == rows, f"{name} differs in {copy}"
    with Project.open(study) as a, Project.open(server) as b, Project.open(back) as c:
        assert a.decisions() == b.decisions() == c.decisions()
        assert a.sets() == b.sets() == c.sets()
        assert a.codebook_history() == b.codebook_history() == c.codebook_history()
    exports = [_exports(str(study), tmp_path / "a"), _exports(server, tmp_path / "b"), _exports(str(back), tmp_path / "c")]
    assert exports[0] == exports[1] == exports[2]

    # The copies keep working: new events get new ids (the server's sequences moved past the copy).
    for location in (server, str(back)):
        with Project.open(location) as project:
            decision = project.record("ana", "R5", "adherence", "apply")
            assert decision.id == 8
            assert project.add_code(Code(id="privacy", label="Privacy")) == 3


def test_migrate_refuses_to_overwrite_and_leaves_nothing_behind(study: Path, tmp_path: Path) -> None:
    server = fresh_database()
    assert run("migrate", study, server).exit_code == 0
    again = run("migrate", study, server)
    assert again.exit_code == 3
    assert again.output.strip().startswith(f"Error: {server}: already holds a project")
    existing = tmp_path / "taken.cw"
    existing.write_bytes(b"x")
    onto_file = run("migrate", server, existing)
    assert onto_file.exit_code == 3
    assert existing.read_bytes() == b"x"
    missing = run("migrate", tmp_path / "nope.cw", tmp_path / "out.cw")
    assert missing.exit_code == 3 and not (tmp_path / "out.cw").exists()
    assert sqlite3.connect(study).execute("SELECT count(*) FROM decisions").fetchone()[0] == 7
