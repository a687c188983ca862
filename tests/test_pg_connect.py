"""Every command takes a postgresql:// URL; a password is never shown; a connection that cannot be
made is one line saying what to check; text one engine could store and the other not is refused on
both. Real server (tests/pg_support.py), real CLI (Typer's runner, in process)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from codewell.values import Response, Status
from pg_support import admin_sql, fresh_database, server_base
from tui_fixtures import CODEBOOK

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def url() -> str:
    location = fresh_database()
    with Project.create(location, CODEBOOK) as project:
        project.add_responses([Response("R001", "Seeing it helps.", 2), Response("R002", "It worries me.", 3)], "t")
        for coder in ("ana", "ben"):
            project.record(coder, "R001", "understanding", "apply")
            project.record(coder, "R002", "anxiety", "apply")
            project.set_status(coder, "R001", Status.DONE)
            project.set_status(coder, "R002", Status.DONE)
    return location


def _with_password(url: str, password: str) -> str:
    return url.replace("postgres@", f"postgres:{password}@", 1)


def test_status_agree_and_export_take_a_url(url: str, tmp_path) -> None:
    status = run("status", url, "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["coders"]["ana"]["done"] == 2
    agree = run("agree", url, "--coders", "ana,ben", "--json")
    assert agree.exit_code == 0, agree.output
    out = tmp_path / "coded.csv"
    export = run("export", url, "--format", "csv", "--coder", "all", "-o", out)
    assert export.exit_code == 0, export.output
    assert "R001" in out.read_text(encoding="utf-8")


def test_a_password_in_the_url_is_never_shown(url: str) -> None:
    # The superuser logs in without one here, so the URL works and shows what status prints.
    secret = _with_password(url, "hunter2")
    status = run("status", secret)
    assert status.exit_code == 0, status.output
    assert "hunter2" not in status.output
    assert status.output.splitlines()[0].startswith(_with_password(url, "***") + ": 2 responses")
    as_json = run("status", secret, "--json")
    assert json.loads(as_json.output)["project"] == _with_password(url, "***")
    missing = run("status", _with_password(url, "hunter2") + "_gone")
    assert "hunter2" not in missing.output and "postgres:***@" in missing.output


@pytest.mark.parametrize("case", ["refused", "no database", "no such user", "bad password", "sslmode",
                                  "tls required", "not postgres"])
def test_connection_failures_are_one_line_saying_what_to_check(url: str, case: str) -> None:
    base = server_base()
    port = base.rsplit(":", 1)[1]
    admin_sql("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cw_stranger') THEN "
              "CREATE ROLE cw_stranger LOGIN PASSWORD 'right'; END IF; END$$")
    target, expected = {
        "refused": ("postgresql://postgres@127.0.0.1:1/study",
                    "Error: postgresql://postgres@127.0.0.1:1/study: cannot reach the PostgreSQL server "
                    "(connection refused) (check the host and port, and that the server is running and "
                    "accepts TCP connections)"),
        "no database": (f"{base}/no_such_study",
                        f"Error: {base}/no_such_study: no database 'no_such_study' on the server (check the "
                        "database name, or create it (createdb NAME) and run codewell init)"),
        "no such user": (f"postgresql://nobody_here:pw@127.0.0.1:{port}/study",
                         f"Error: postgresql://nobody_here:***@127.0.0.1:{port}/study: the server refused the "
                         "login (authentication failed) (check the user name and the password in "
                         "PGPASSWORD, ~/.pgpass or the service file)"),
        "bad password": (f"postgresql://cw_stranger:wrong@127.0.0.1:{port}/study",
                         f"Error: postgresql://cw_stranger:***@127.0.0.1:{port}/study: the server refused the "
                         "login (authentication failed) (check the user name and the password in "
                         "PGPASSWORD, ~/.pgpass or the service file)"),
        "sslmode": (f"{url}?sslmode=sometimes",
                    f"Error: {url}?sslmode=sometimes: TLS connection problem: connection is bad: invalid "
                    "sslmode value: \"sometimes\" (check sslmode in the URL (disable, prefer, require, "
                    "verify-ca, verify-full) and the server's TLS set-up)"),
        "tls required": (f"{url}?sslmode=require", None),
        "not postgres": ("mysql://ana@127.0.0.1/study",
                         "Error: mysql://ana@127.0.0.1/study: codewell projects are files or postgresql:// "
                         "URLs, not mysql:// (write it as postgresql://USER@HOST:PORT/DATABASE (the password "
                         "in PGPASSWORD or ~/.pgpass))"),
    }[case]
    result = run("status", target)
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    if expected is None:  # the test server speaks no TLS
        assert lines[0].startswith(f"Error: {url}?sslmode=require: TLS connection problem: ")
        assert "SSL was required" in lines[0]
    else:
        assert lines[0] == expected
    assert "wrong" not in result.output and ":pw@" not in result.output


def test_the_password_comes_from_pgpass(url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin_sql("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cw_stranger') THEN "
              "CREATE ROLE cw_stranger LOGIN PASSWORD 'right'; END IF; END$$")
    database = url.rsplit("/", 1)[1]
    admin_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO cw_stranger", database=database)
    host_port = server_base().rsplit("@", 1)[1]
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{host_port.replace(':', ':', 1)}:*:cw_stranger:right\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    result = run("status", f"postgresql://cw_stranger@{host_port}/{database}")
    assert result.exit_code == 0, result.output
    assert "right" not in result.output


def test_nul_is_refused_the_same_way_on_both_engines(tmp_path) -> None:
    """PostgreSQL cannot store NUL and SQLite could: both refuse it, whichever path it comes by."""
    from codewell.errors import DataFileError
    from codewell.values import Code

    for location in (str(tmp_path / "study.cw"), fresh_database()):
        with Project.create(location, CODEBOOK) as project:
            project.add_responses([Response("R001", "fine", 2)], "t")
            attempts = [
                lambda: project.add_responses([Response("R002", "bro\x00ken", 3)], "t"),
                lambda: project.set_memo("ana", "R001", "memo\x00"),
                lambda: project.add_code(Code(id="cost", label="Co\x00st")),
            ]
            for attempt in attempts:
                with pytest.raises(DataFileError, match=r"holds a NUL character \(\\x00\), which a project "
                                                        "cannot store; nothing was saved"):
                    attempt()
            assert [r.id for r in project.responses()] == ["R001"]
            assert project.memos("ana") == {} and "cost" not in project.codebook.ids
