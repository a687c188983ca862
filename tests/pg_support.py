"""The PostgreSQL server the tests use: a fresh database per test, cloned from template0.

``.ci/run`` starts a throwaway cluster and always sets ``CODEWELL_TEST_PG_URL`` (a superuser URL on
127.0.0.1), so CI never skips the PostgreSQL half. Without it (a developer's machine with no server)
those tests skip with that reason; start one with ``source .ci/postgres.sh && pg_start``.
"""

from __future__ import annotations

import os
import uuid

import pytest

ADMIN_URL = os.environ.get("CODEWELL_TEST_PG_URL", "")
SKIP_REASON = "no PostgreSQL server for this run (CODEWELL_TEST_PG_URL unset; .ci/run always starts one)"


def admin_url() -> str:
    if not ADMIN_URL:
        pytest.skip(SKIP_REASON)
    return ADMIN_URL


def server_base() -> str:
    """``postgresql://postgres@127.0.0.1:PORT`` (no database)."""
    return admin_url().rsplit("/", 1)[0]


def admin_sql(*statements: str, database: str | None = None) -> list[tuple]:  # type: ignore[type-arg]
    """Run statements as the server's superuser (autocommit); the last one's rows."""
    import psycopg

    url = admin_url() if database is None else f"{server_base()}/{database}"
    rows: list[tuple] = []  # type: ignore[type-arg]
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            cursor = conn.execute(statement)
            rows = cursor.fetchall() if cursor.description else []
    return rows


def fresh_database() -> str:
    """A new, empty database's URL (left for the throwaway cluster to remove with the run)."""
    name = f"cw_{uuid.uuid4().hex[:12]}"
    admin_sql(f"CREATE DATABASE {name} TEMPLATE template0")
    return f"{server_base()}/{name}"


_templates: dict[str, str] = {}


def project_database(codebook) -> str:  # type: ignore[no-untyped-def]
    """A new database holding a new project with ``codebook``: cloned from a template made once
    per test process (cloning is a file copy; building the schema each time costs as much again)."""
    from codewell.codebook import codebook_to_json
    from codewell.project import Project

    key = codebook_to_json(codebook)
    template = _templates.get(key)
    if template is None:
        template = f"cw_tpl_{uuid.uuid4().hex[:12]}"
        admin_sql(f"CREATE DATABASE {template} TEMPLATE template0")
        Project.create(f"{server_base()}/{template}", codebook).close()
        _templates[key] = template
    name = f"cw_{uuid.uuid4().hex[:12]}"
    admin_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return f"{server_base()}/{name}"


def server_ctl(action: str) -> None:
    """Stop (fast: sessions are cut as in a restart) or start the test server. Needs the cluster
    .ci/postgres.sh started (CODEWELL_TEST_PG_DIR); run as ``nobody`` when we are root."""
    import subprocess

    folder, binaries = os.environ.get("CODEWELL_TEST_PG_DIR"), os.environ.get("CODEWELL_TEST_PG_BIN")
    if not folder or not binaries:
        pytest.skip("the test server was not started by .ci/postgres.sh, so it cannot be restarted")
    command = [f"{binaries}/pg_ctl", "-D", f"{folder}/data", "-l", f"{folder}/server.log", "-w", "-t", "60", action]
    if action == "stop":
        command += ["-m", "fast"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "nobody", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=90)
