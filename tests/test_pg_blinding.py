"""Blinding as a permission: a coder's own database login cannot read other coders' work on an
open reliability set (or anywhere, in blind mode), even by hand-written SQL, while the owner and
the consensus role read everything. Real server, real roles, real policies."""

from __future__ import annotations

import json

import psycopg
import pytest
import sqlalchemy
from sqlalchemy import event
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from codewell.store.migrations import migrate
from codewell.store.postgres import add_member, role_for
from codewell.store.schema import SCHEMA_VERSION
from codewell.values import Response, Status
from pg_support import project_database, server_base
from tui_fixtures import CODEBOOK

runner = CliRunner()
PASSWORD = "ben-s own pass'word"


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def team(tmp_path):  # type: ignore[no-untyped-def]
    """A project with an open set of three: ana has coded all of it, ben one; ben and consensus
    have logins of their own."""
    url = project_database(CODEBOOK)  # cloned from the per-process template: no schema build
    with Project.open(url) as project:
        project.add_responses([Response(f"R{i}", f"answer {i}", i) for i in range(1, 7)], "t")
        members = list(project.draw_set(3, name="irr", seed=3).ids)
        for coder in ("ana", "ben"):
            project.join_set("irr", coder)
        for rid in members:
            project.record("ana", rid, "anxiety", "apply")
            project.set_status("ana", rid, Status.DONE)
            project.set_memo("ana", rid, f"ana thinks {rid} is worried")
        project.record("ben", members[0], "understanding", "apply")
        project.set_status("ben", members[0], Status.DONE)
        project.set_memo("ben", members[0], "ben's note")
    secret = tmp_path / "ben.pw"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    added = run("team", "add", url, "--coder", "ben", "--password-file", secret, "--json")
    assert added.exit_code == 0, added.output
    role = json.loads(added.output)["role"]
    assert json.loads(added.output) == {"coder": "ben", "role": role}
    assert run("team", "add", url, "--coder", "consensus", "--password-file", secret).exit_code == 0
    outside = [f"R{i}" for i in range(1, 7) if f"R{i}" not in members]
    return {"url": url, "role": role, "members": members, "outside": outside, "secret": secret}


def as_role(team, role: str | None = None) -> psycopg.Connection:  # type: ignore[no-untyped-def]
    host = server_base().rsplit("@", 1)[1]
    return psycopg.connect(f"postgresql://{role or team['role']}@{host}/{team['url'].rsplit('/', 1)[1]}",
                           password=PASSWORD, autocommit=True)


def names(conn: psycopg.Connection, sql: str) -> set[str]:
    return {row[0] for row in conn.execute(sql).fetchall()}


def test_select_star_over_bens_connection_returns_only_bens_rows_while_the_set_is_open(team) -> None:
    with as_role(team) as ben:
        rows = ben.execute("SELECT * FROM decisions").fetchall()
        ben_id = ben.execute("SELECT id FROM coders WHERE name = 'ben'").fetchone()[0]
        assert rows and {row[1] for row in rows} == {ben_id}
        assert names(ben, "SELECT c.name FROM memos m JOIN coders c ON c.id = m.coder_id") == {"ben"}
        assert names(ben, "SELECT c.name FROM statuses s JOIN coders c ON c.id = s.coder_id") == {"ben"}
        # Asking for ana's rows by name changes nothing.
        assert ben.execute("SELECT count(*) FROM decisions d JOIN coders c ON c.id = d.coder_id "
                           "WHERE c.name = 'ana'").fetchone()[0] == 0
    with psycopg.connect(team["url"]) as owner:  # the owner reads everything
        assert names(owner, "SELECT c.name FROM decisions d JOIN coders c ON c.id = d.coder_id") == {"ana", "ben"}
    with as_role(team, team["role"].rsplit("_", 1)[0] + "_consensus") as consensus:
        assert names(consensus, "SELECT c.name FROM memos m JOIN coders c ON c.id = m.coder_id") == {"ana", "ben"}


def test_once_the_set_is_closed_ben_reads_the_others_work(team) -> None:
    with Project.open(team["url"]) as project:
        for rid in team["members"][1:]:
            project.set_status("ben", rid, Status.DONE)
    with as_role(team) as ben:
        assert names(ben, "SELECT c.name FROM decisions d JOIN coders c ON c.id = d.coder_id") == {"ana", "ben"}


def test_work_outside_sets_is_shared_until_the_project_goes_blind(team) -> None:
    with Project.open(team["url"]) as project:
        project.record("ana", team["outside"][0], "adherence", "apply")
    with as_role(team) as ben:
        assert ben.execute("SELECT count(*) FROM decisions WHERE code_id = 'adherence'").fetchone()[0] == 1
    assert run("team", "blind", team["url"]).exit_code == 0
    with as_role(team) as ben:
        assert ben.execute("SELECT count(*) FROM decisions WHERE code_id = 'adherence'").fetchone()[0] == 0
    listed = json.loads(run("team", "list", team["url"], "--json").output)
    assert listed["blind"] is True
    assert [(m["coder"], m["rights"]) for m in listed["members"]][1:] == [
        ("ben", "coder: reads their own work only"),
        ("consensus", "consensus: reads everything, writes as consensus")]
    assert run("team", "blind", team["url"], "--off").exit_code == 0
    with as_role(team) as ben:
        assert ben.execute("SELECT count(*) FROM decisions WHERE code_id = 'adherence'").fetchone()[0] == 1


def test_ben_cannot_write_as_ana_nor_rewrite_the_log(team) -> None:
    with as_role(team) as ben:
        ana = ben.execute("SELECT id FROM coders WHERE name = 'ana'").fetchone()[0]
        pk = ben.execute("SELECT pk FROM responses ORDER BY pk LIMIT 1").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            ben.execute("INSERT INTO decisions (coder_id, response_pk, code_id, action, at, codebook_version, "
                        "from_suggestion, suggestions_on, note, uid) VALUES "
                        f"({ana}, {pk}, 'anxiety', 'apply', now(), 1, false, false, '', 'x')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ben.execute("UPDATE decisions SET code_id = 'anxiety'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ben.execute("DELETE FROM decisions")
        assert ben.execute("DELETE FROM memos WHERE coder_id = %s", (ana,)).rowcount == 0
    with Project.open(team["url"]) as project:
        assert len(project.memos("ana")) == 3


def test_ben_codes_through_codewell_with_his_own_login(team) -> None:
    host = server_base().rsplit("@", 1)[1]
    ben_url = f"postgresql://{team['role']}@{host}/{team['url'].rsplit('/', 1)[1]}"
    env = {"PGPASSWORD": PASSWORD}
    status = run("status", ben_url, "--coder", "ben", "--json", env=env)
    assert status.exit_code == 0, status.output
    assert PASSWORD not in status.output
    summary = json.loads(status.output)
    assert summary["coders"]["ben"]["done"] == 1
    import os

    os.environ["PGPASSWORD"] = PASSWORD
    try:
        with Project.open(ben_url, viewer="ben") as project:
            project.record("ben", team["members"][1], "anxiety", "apply")
            project.set_status("ben", team["members"][1], Status.DONE)
            assert project.codings("ana") == {}  # the server hides them, as the facade would
            assert set(project.codings("ben")) == set(team["members"][:2])
    finally:
        del os.environ["PGPASSWORD"]


def test_team_commands_say_what_they_need(team, tmp_path) -> None:
    missing = run("team", "add", team["url"], "--coder", "cy")
    assert missing.exit_code == 2
    assert missing.output.strip() == (
        "Error: a new role for cy needs a password (put ben's password on the first line of a file only "
        "you can read, and pass --password-file FILE, or map an existing role with --role NAME)")
    unknown = run("team", "add", team["url"], "--coder", "cy", "--role", "no_such_role_here")
    assert unknown.exit_code == 3
    assert unknown.output.strip().startswith("Error: the server has no role 'no_such_role_here'")
    with Project.create(tmp_path / "study.cw", CODEBOOK):
        pass
    on_file = run("team", "add", tmp_path / "study.cw", "--coder", "ben", "--password-file", team["secret"])
    assert on_file.exit_code == 3
    assert on_file.output.strip() == (
        f"Error: {tmp_path / 'study.cw'}: a project file has no database roles; team works on a PostgreSQL "
        "project (on SQLite, blinding is enforced by codewell itself; move the project with: codewell "
        "migrate FILE postgresql://…)")


def test_the_server_is_sent_a_scram_verifier_never_the_plain_password(team) -> None:
    engine = sqlalchemy.create_engine(team["url"].replace("postgresql://", "postgresql+psycopg://", 1))
    sent: list[str] = []
    try:
        with engine.begin() as conn:
            event.listen(conn, "before_cursor_execute", lambda _c, _cur, sql, *_a: sent.append(sql))
            add_member(conn, "dee", role_for(team["url"].rsplit("/", 1)[1], "dee"), "dee's own secret",
                       existing=False)
    finally:
        engine.dispose()
    assert any("CREATE ROLE" in sql and "SCRAM-SHA-256$" in sql for sql in sent)
    assert not [sql for sql in sent if "dee's own secret" in sql or "dee''s own secret" in sql]
    with psycopg.connect(team["url"]) as owner:
        stored = owner.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                               (role_for(team["url"].rsplit("/", 1)[1], "dee"),)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$")


def test_a_password_outside_ascii_logs_in_as_typed(team, tmp_path) -> None:
    accented = "ﬁlm-pässwörd Ⅸ"  # a ligature and a numeral that SASLprep normalises
    secret = tmp_path / "cy.pw"
    secret.write_text(accented + "\n", encoding="utf-8")
    added = run("team", "add", team["url"], "--coder", "cy", "--password-file", secret, "--json")
    assert added.exit_code == 0, added.output
    host = server_base().rsplit("@", 1)[1]
    role = json.loads(added.output)["role"]
    with psycopg.connect(f"postgresql://{role}@{host}/{team['url'].rsplit('/', 1)[1]}",
                         password=accented, autocommit=True) as cy:
        assert cy.execute("SELECT current_user").fetchone()[0] == role


def test_a_table_the_owner_adds_later_is_readable_without_adding_the_coder_again(team) -> None:
    with psycopg.connect(team["url"], autocommit=True) as owner:
        owner.execute("CREATE TABLE later_notes (id serial PRIMARY KEY, note text)")
        owner.execute("INSERT INTO later_notes (note) VALUES ('from a later migration')")
    with as_role(team) as ben:
        assert names(ben, "SELECT note FROM later_notes") == {"from a later migration"}


def test_an_upgrade_covers_its_tables_before_a_coder_can_read_them(team) -> None:
    """A table a schema upgrade adds is readable by coders by default, so the upgrade itself
    installs its policies (shown here on memos, stripped of them as a new table would be)."""
    engine = sqlalchemy.create_engine(team["url"].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP POLICY codewell_read ON memos")
            conn.exec_driver_sql("ALTER TABLE memos DISABLE ROW LEVEL SECURITY")
        with as_role(team) as ben:
            assert "ana" in names(ben, "SELECT c.name FROM memos m JOIN coders c ON c.id = m.coder_id")
        with engine.begin() as conn:
            migrate(conn, SCHEMA_VERSION)
    finally:
        engine.dispose()
    with as_role(team) as ben:
        assert names(ben, "SELECT c.name FROM memos m JOIN coders c ON c.id = m.coder_id") == {"ben"}


def test_a_coder_learns_from_the_reference_but_only_the_owner_changes_it(team, tmp_path) -> None:
    """The reference is the owner's choice: a coder's training reads it over their own login,
    and a coder's attempt to replace or drop it is one clear error that changes nothing."""
    from codewell.suggest.service import training_request

    other = tmp_path / "other.csv"
    other.write_text("id,response,anxiety\nO1,She was terrified waiting.,1\nO2,It was a knee.,0\n",
                     encoding="utf-8")
    assert run("reference", team["url"], other).exit_code == 0
    host = server_base().rsplit("@", 1)[1]
    ben_url = f"postgresql://{team['role']}@{host}/{team['url'].rsplit('/', 1)[1]}"
    import os

    os.environ["PGPASSWORD"] = PASSWORD
    try:
        with Project.open(ben_url, viewer="ben") as project:
            assert training_request(project, "ben").reference.texts == (
                "She was terrified waiting.", "It was a knee.")
        for args in ((other,), ("--clear",)):
            refused = run("reference", ben_url, *args)
            assert refused.exit_code != 0 and "Traceback" not in refused.output, refused.output
            assert "permission" in refused.output.lower(), refused.output
    finally:
        del os.environ["PGPASSWORD"]
    with Project.open(team["url"]) as project:
        assert len(project.reference()) == 2
