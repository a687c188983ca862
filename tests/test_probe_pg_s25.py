"""Probe s25: a lab on a PostgreSQL server with several coders, each with a login of their own.

What a coder's login could do that it should not (reverse another coder's decisions by hand-written
SQL, retire or rename the team's codes, take a copy that silently lacks the others' work), and what
the owner and coders were told when something went wrong (a password half shown, a coder told to
restore a backup, another application's database called an SQLite file). Real server, real roles,
real CLI (Typer's runner, in process); skipped only when no server is configured for the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from codewell.values import Code, Response, Status
from pg_support import admin_sql, fresh_database, project_database, server_base
from tui_fixtures import CODEBOOK

# With the other server tests, one after another: some of those restart the server.
pytestmark = pytest.mark.postgresql
runner = CliRunner()
PASSWORDS = {"ana": "ana's pass:word@/%", "ben": "ben's pass:word@/%"}


def run(*args: object, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def lab(tmp_path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A project with an open set of three and work outside it: ana has coded it all, ben one;
    ana and ben log in with roles of their own (made by ``team add``)."""
    url = project_database(CODEBOOK)
    with Project.open(url) as project:
        project.add_responses([Response(f"R{i}", f"answer {i}", i) for i in range(1, 7)], "t")
        members = list(project.draw_set(3, name="irr", seed=3).ids)
        outside = [f"R{i}" for i in range(1, 7) if f"R{i}" not in members]
        for coder in ("ana", "ben"):
            project.join_set("irr", coder)
        for rid in members:
            project.record("ana", rid, "anxiety", "apply")
            project.set_status("ana", rid, Status.DONE)
        project.record("ana", outside[0], "adherence", "apply")
        project.record("ben", members[0], "understanding", "apply")
    roles = {}
    for coder, password in PASSWORDS.items():
        secret = tmp_path / f"{coder}.pw"
        secret.write_text(password + "\n", encoding="utf-8")
        added = run("team", "add", url, "--coder", coder, "--password-file", secret, "--json")
        assert added.exit_code == 0, added.output
        roles[coder] = json.loads(added.output)["role"]
    host, database = server_base().rsplit("@", 1)[1], url.rsplit("/", 1)[1]
    logins = {coder: f"postgresql://{role}@{host}/{database}" for coder, role in roles.items()}
    return {"url": url, "members": members, "outside": outside, "logins": logins, "database": database}


def as_coder(lab, coder: str) -> psycopg.Connection:  # type: ignore[no-untyped-def]
    return psycopg.connect(lab["logins"][coder], password=PASSWORDS[coder], autocommit=True)


@pytest.fixture
def password_of() -> Iterator[None]:
    """PGPASSWORD set for the test's duration (libpq reads it, as a coder's machine would)."""
    before = os.environ.get("PGPASSWORD")
    yield None
    if before is None:
        os.environ.pop("PGPASSWORD", None)
    else:
        os.environ["PGPASSWORD"] = before


def decision_id(lab, coder: str, rid: str, code: str) -> int:  # type: ignore[no-untyped-def]
    return admin_sql("SELECT d.id FROM decisions d JOIN coders c ON c.id = d.coder_id JOIN responses r "
                     f"ON r.pk = d.response_pk WHERE c.name = '{coder}' AND r.source_id = '{rid}' "
                     f"AND d.code_id = '{code}'", database=lab["database"])[0][0]


# -- a coder's login cannot reverse another coder's decision ---------------------------------------
def test_ben_cannot_undo_anas_decision_by_hand_and_her_own_undo_still_works(lab) -> None:
    """An undo naming ana's decision, inserted over ben's login, used to be stored: ana's coding
    outside the set was reversed in the log's eyes, ``codewell check`` then called the project
    damaged, and ana's own undo of it failed (a decision is reversed once)."""
    rid = lab["outside"][0]
    anas = decision_id(lab, "ana", rid, "adherence")
    with as_coder(lab, "ben") as ben:
        ben_id, pk = ben.execute("SELECT c.id, r.pk FROM coders c, responses r WHERE c.name = 'ben' "
                                 "AND r.source_id = %s", (rid,)).fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            ben.execute("INSERT INTO decisions (coder_id, response_pk, code_id, action, at, codebook_version, "
                        "from_suggestion, suggestions_on, note, uid, undoes) VALUES "
                        "(%s, %s, 'adherence', 'remove', now(), 1, false, false, '', 'ben-undoes-ana', %s)",
                        (ben_id, pk, anas))
    checked = run("check", lab["url"])
    assert checked.exit_code == 0, checked.output
    with Project.open(lab["url"]) as project:
        undone = project.undo("ana")
        assert undone is not None and undone.response_id == rid


# -- a coder's login adds codes; only the owner renames, edits, merges or retires them ------------
def test_ben_adds_a_code_but_cannot_retire_rename_or_merge_the_teams_codes(lab, password_of) -> None:
    """README: a coder's role "adds codes"; the owner changes everything. Ben's login retired and
    renamed codes for the whole team mid-set (his merge failed half-way on a raw policy error)."""
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    ben = lab["logins"]["ben"]
    for args in (("retire", ben, "adherence", "--reason", "ben's call"),
                 ("rename", ben, "anxiety", "--label", "Worry"),
                 ("rename", ben, "anxiety", "worry"),
                 ("edit", ben, "anxiety", "--definition", "Any worry at all."),
                 ("merge", ben, "adherence", "communication")):
        refused = run("codebook", *args)
        assert refused.exit_code == 3, (args, refused.output)
        assert refused.output.splitlines()[-1] == (
            f"Error: {ben}: this login may add codes but not rename, edit, merge or retire them "
            "(ask the project's owner to change the codebook)"), (args, refused.output)
        assert "Traceback" not in refused.output and "error ignored" not in refused.output
    with Project.open(ben, viewer="ben") as project:
        version = project.add_code(Code(id="cost", label="Cost", group="risk"))
        assert "cost" in project.codebook.ids
    with Project.open(lab["url"]) as project:
        assert [note for *_, note in project.codebook_history()] == ["created", "added cost"]
        assert project.codebook.ids == (*CODEBOOK.ids, "cost")
    with as_coder(lab, "ben") as conn:  # nor by hand: a code row the version's codebook does not list
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO codes (version, position, code_id, label, code_group) "
                         "VALUES (%s, 99, 'sneaky', 'Sneaky', 'risk')", (version,))


# -- a copy is whole or not made ------------------------------------------------------------------
def test_migrate_over_a_coders_login_is_refused_rather_than_a_copy_missing_the_others_work(
        lab, tmp_path, password_of) -> None:
    """Ben's login reads only part of the project, so its "copy" held his work and none of ana's
    on the set, and was announced as copied; README offers migrate as the way to back up."""
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    target = tmp_path / "copy.cw"
    refused = run("migrate", lab["logins"]["ben"], target)
    assert refused.exit_code == 3, refused.output
    assert refused.output.strip() == (
        f"Error: {lab['logins']['ben']}: this login reads only part of the project (row-level security "
        "hides other coders' work from it), so a copy would not be whole; nothing was copied "
        "(migrate with the owner's login, the role that ran init or migrate)")
    assert not target.exists()
    copied = run("migrate", lab["url"], target)
    assert copied.exit_code == 0, copied.output
    with Project.open(target) as project:
        assert set(project.codings("ana")) == {*lab["members"], lab["outside"][0]}


# -- a password is never shown, even written into the URL raw ------------------------------------
@pytest.mark.parametrize("written, shown", [
    ("postgresql://ben:s3cr@t/pw@db.lab.example:5432/study",
     "postgresql://ben:***@db.lab.example:5432/study"),
    ("postgresql://ben:a@b@db.lab.example/study?sslmode=require",
     "postgresql://ben:***@db.lab.example/study?sslmode=require"),
    ("postgresql://ben@db.lab.example/study?sslpassword=keyphrase&password=pw",
     "postgresql://ben@db.lab.example/study?sslpassword=***&password=***"),
])
def test_a_password_holding_at_or_slash_is_masked_whole(written: str, shown: str) -> None:
    """``s3cr@t/pw`` typed raw (not percent-encoded) was shown as ``ben:***@t/pw@…``: half of it."""
    from codewell.store.postgres import mask

    assert mask(written) == shown


def test_a_raw_password_in_a_url_is_not_in_the_error(lab) -> None:
    host = server_base().rsplit("@", 1)[1]
    failed = run("status", f"postgresql://nobody_here:s3cr@t/pw@{host}/{lab['database']}")
    assert failed.exit_code == 3
    assert "s3cr" not in failed.output and "t/pw" not in failed.output, failed.output


# -- an older project opened first by a coder -----------------------------------------------------
def test_a_coder_opening_an_older_project_first_is_sent_to_the_owner_not_to_a_backup(lab, password_of) -> None:
    """A coder's role cannot change the schema; it was told the project was damaged and to restore
    its latest backup. README: the owner opens it first (codewell status URL upgrades it)."""
    from codewell.store.schema import SCHEMA_VERSION

    older = str(SCHEMA_VERSION - 1)
    admin_sql(f"UPDATE meta SET value = '{older}' WHERE key = 'schema_version'", database=lab["database"])
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    refused = run("status", lab["logins"]["ben"])
    assert refused.exit_code == 3
    assert refused.output.strip() == (
        f"Error: {lab['logins']['ben']}: written by an older codewell (project schema {older}), which only "
        "the project's owner can upgrade; nothing was changed (ask the owner to run codewell status "
        "with the owner's login once, then codewell team add URL --coder NAME --role ROLE for each coder)")
    assert admin_sql("SELECT value FROM meta WHERE key = 'schema_version'",
                     database=lab["database"]) == [(older,)]
    assert run("status", lab["url"]).exit_code == 0
    assert run("status", lab["logins"]["ben"]).exit_code == 0


# -- a database that is not a codewell project ----------------------------------------------------
def test_another_applications_database_is_named_as_such_and_left_as_it_was(tmp_path) -> None:
    """Its meta table made status say "an SQLite file of something else"; init and migrate into a
    database holding other tables failed on a raw foreign-key error."""
    url = fresh_database()
    database = url.rsplit("/", 1)[1]
    admin_sql("CREATE TABLE responses (id integer PRIMARY KEY, body text)",
              "INSERT INTO responses VALUES (1, 'keep me')", database=database)
    study = tmp_path / "study.cw"
    Project.create(study, CODEBOOK).close()
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml"
    for args in (("init", url, "--codebook", codebook), ("migrate", study, url)):
        refused = run(*args)
        assert refused.exit_code == 3, refused.output
        assert refused.output.strip() == (
            f"Error: {url}: the database is not empty (it holds tables: responses); a project needs a "
            "database of its own (create an empty one: createdb NAME)"), refused.output
    assert admin_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", database=database) == [
        ("responses",)]
    assert admin_sql("SELECT body FROM responses", database=database) == [("keep me",)]
    admin_sql("CREATE TABLE meta (key text, value text)", "INSERT INTO meta VALUES ('application', 'wiki')",
              database=database)
    other = run("status", url)
    assert other.exit_code == 3
    assert other.output.strip() == f"Error: {url}: not a codewell project (another application's database)"


# -- a coder whose login was switched off ---------------------------------------------------------
def test_a_switched_off_login_is_said_in_words(lab, password_of) -> None:
    """ALTER ROLE … NOLOGIN (a coder who left) gave "database error: connection failed: …"."""
    role = lab["logins"]["ben"].split("://", 1)[1].split("@", 1)[0]
    admin_sql(f"ALTER ROLE {role} NOLOGIN")
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    refused = run("status", lab["logins"]["ben"])
    assert refused.exit_code == 3
    assert refused.output.strip() == (
        f"Error: {lab['logins']['ben']}: the server does not let {role} log in (the login is switched off) "
        "(ask the project's owner: it is theirs to switch back on, ALTER ROLE NAME LOGIN)")
    listed = json.loads(run("team", "list", lab["url"], "--json").output)
    assert [(m["coder"], m["can_login"]) for m in listed["members"]][1:] == [("ana", True), ("ben", False)]
    admin_sql(f"DROP OWNED BY {role}", database=lab["database"])
    admin_sql(f"DROP ROLE {role}")  # dropped on the server: team list said only "login: no"
    listed = run("team", "list", lab["url"])
    ben_row = next(line for line in listed.output.splitlines() if line.split()[1:2] == ["ben"])
    assert ben_row.rstrip().endswith("role dropped on the server")
    members = json.loads(run("team", "list", lab["url"], "--json").output)["members"]
    assert [(m["coder"], m["role_exists"]) for m in members][1:] == [("ana", True), ("ben", False)]


# -- a coder joins sets as themselves only ---------------------------------------------------------
def test_ben_joins_a_set_himself_but_cannot_sign_ana_up_for_one(lab, password_of) -> None:
    """Joining ana to a set she never opened kept it open (and her work on it hidden from everyone's
    logins) until she finished it: a write as another coder, which a coder's role may not do."""
    with Project.open(lab["url"]) as project:
        project.draw_set(2, name="second", seed=9)
    with as_coder(lab, "ben") as conn:
        ana = conn.execute("SELECT id FROM coders WHERE name = 'ana'").fetchone()[0]
        second = conn.execute("SELECT id FROM reliability_sets WHERE name = 'second'").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO set_coders (set_id, coder_id, joined_at) VALUES (%s, %s, now())",
                         (second, ana))
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    with Project.open(lab["logins"]["ben"], viewer="ben") as project:
        project.join_set("second", "ben")
    assert admin_sql("SELECT c.name FROM set_coders s JOIN coders c ON c.id = s.coder_id "
                     f"WHERE s.set_id = {second}", database=lab["database"]) == [("ben",)]


def test_the_coding_screen_is_refused_as_another_coder_over_a_coders_login(lab, password_of) -> None:
    """`code URL --coder ana` over ben's login opened a screen that showed what ben may see and
    refused every key; it is refused before the screen. Ben's own coder, and the owner's login
    as anyone, pass that check (the screen itself needs a terminal, so no screen opens here)."""
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    refused = run("code", lab["logins"]["ben"], "--coder", "ana")
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines()[-1] == (
        "Error: this login codes as 'ben', not 'ana' (use --coder ben, or ana's own login "
        "(codewell team list))")
    with Project.open(lab["logins"]["ben"]) as project:
        project.refuse_another_login("ben")
    with Project.open(lab["url"]) as project:
        project.refuse_another_login("ana")


def test_team_remove_takes_a_coders_login_away_and_keeps_their_decisions(lab, tmp_path, password_of) -> None:
    """A coder who left the team kept their login: nothing but hand-written SQL took it away."""
    from codewell.errors import CodewellError

    url = lab["url"]
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    open_screen = Project.open(lab["logins"]["ben"])  # a session ben has open, as a screen would
    open_screen.record("ben", lab["outside"][1], "adherence", "apply")
    removed = run("team", "remove", url, "--coder", "ben")
    assert removed.exit_code == 0, removed.output
    with pytest.raises(CodewellError, match="refused"):
        open_screen.record("ben", lab["outside"][1], "anxiety", "apply")
    open_screen.close()
    assert removed.output.splitlines()[0].startswith("Took away ben's access: role cw_")
    listed = json.loads(run("team", "list", url, "--json").output)
    assert [m["coder"] for m in listed["members"]] == [None, "ana"]
    os.environ["PGPASSWORD"] = PASSWORDS["ben"]
    refused = run("status", lab["logins"]["ben"])
    assert refused.exit_code == 3 and "refused" in refused.output, refused.output
    with Project.open(url) as project:  # the owner still has ben's decision
        assert project.codings("ben") == {lab["members"][0]: frozenset({"understanding"}),
                                          lab["outside"][1]: frozenset({"adherence"})}
    again = run("team", "remove", url, "--coder", "ben")
    assert again.exit_code == 2
    assert again.output.strip() == "Error: coder 'ben' has no login to this project (coders with a login: ana)"
    secret = tmp_path / "ben.pw"
    secret.write_text(PASSWORDS["ben"] + "\n", encoding="utf-8")
    assert run("team", "add", url, "--coder", "ben", "--password-file", secret).exit_code == 0
    assert run("status", lab["logins"]["ben"]).exit_code == 0
