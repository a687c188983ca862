"""Opening and creating project databases safely.

A file that is not a codewell project is inspected read-only (through SQLite's ``mode=ro``) before
anything is written, so pointing codewell at the wrong file cannot change it — not even its
journal mode. New files are created owner-only (0600): they hold sensitive free text.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select

from codewell.errors import NotAProjectError, ProjectError, SchemaTooNewError
from codewell.store import migrations, schema
from codewell.store.events import EventLog
from codewell.store.records import Records

SQLITE_HEADER = b"SQLite format 3\x00"


def now() -> datetime:
    return datetime.now(timezone.utc)


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


class Database(Records, EventLog):
    """One project's storage: the engine plus small caches of ids that never change."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location
        self._coder_ids: dict[str, int] = {}
        self._response_pks: dict[str, int] | None = None

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_engine(path: Path) -> Engine:
    # SQLAlchemy 2 pools file connections and allows them across threads (TUI workers).
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL still keeps every committed transaction across a crash of the
        # application (kill -9); only an OS crash or power cut can lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def _engine(location: str | Path) -> Engine:
    return create_engine(str(location)) if is_url(location) else _sqlite_engine(Path(location))


def _inspect_sqlite_readonly(path: Path) -> int:
    """The schema version of a codewell file, checked without writing a byte."""
    if path.is_dir():
        raise NotAProjectError(f"{path}: is a folder, not a codewell project file")
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != SQLITE_HEADER:
        raise NotAProjectError(f"{path}: not a codewell project (not an SQLite database)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise NotAProjectError(f"{path}: not a codewell project (an SQLite file of something else)") from None
    if rows.get("application") != schema.APPLICATION:
        raise NotAProjectError(f"{path}: not a codewell project (an SQLite file of something else)")
    return int(rows.get("schema_version", 0))


def _check_version(location: str | Path, version: int) -> None:
    if version > schema.SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{location}: written by a newer codewell (project schema {version}, this codewell "
            f"reads up to {schema.SCHEMA_VERSION})",
            hint="upgrade codewell: pip install -U codewell",
        )


def open_database(location: str | Path) -> Database:
    """Open an existing project, upgrading an older schema in one transaction."""
    if not is_url(location):
        path = Path(location)
        if not path.exists():
            raise ProjectError(f"{path}: no such project", hint=f"create it with: codewell init {path} --codebook FILE")
        _check_version(location, _inspect_sqlite_readonly(path))
    engine = _engine(location)
    with engine.begin() as conn:
        if is_url(location) and not inspect(conn).has_table("meta"):
            engine.dispose()
            raise NotAProjectError(f"{location}: not a codewell project (no codewell tables)")
        version = migrations.stored_version(conn)
        _check_version(location, version)
        if version < schema.SCHEMA_VERSION:
            migrations.migrate(conn, version)
    return Database(engine, str(location))


def create_database(location: str | Path) -> Database:
    """A new, empty project; refuses to touch anything that already exists."""
    if not is_url(location):
        path = Path(location)
        if path.exists():
            raise ProjectError(f"{path}: already exists", hint="choose a new file name, or open it instead")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    engine = _engine(location)
    try:
        with engine.begin() as conn:
            if is_url(location) and inspect(conn).has_table("meta"):
                raise ProjectError(f"{location}: already holds a project")
            migrations.migrate(conn, 0)
            conn.execute(schema.meta.insert().values(key="created_at", value=now().isoformat()))
    except Exception:
        engine.dispose()
        if not is_url(location):
            Path(location).unlink(missing_ok=True)
        raise
    return Database(engine, str(location))


def read_meta(db: Database) -> dict[str, str]:
    with db.engine.connect() as conn:
        return {k: v for k, v in conn.execute(select(schema.meta.c.key, schema.meta.c.value))}
