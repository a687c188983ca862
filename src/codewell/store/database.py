"""Opening, creating and working on project databases: units of work, waiting, integrity.

Every read and write happens in a unit of work (:meth:`Database.read`, :meth:`Database.write`):
one transaction that the store opens and closes, so a failure anywhere leaves the project exactly
as it was. SQLite writes take the write lock up front (``BEGIN IMMEDIATE``); a lock held by
another process is waited for, with backoff, and reported on the ``codewell.store`` logger so a
command can say it is waiting, never a dead "database is locked".

A file that is not a codewell project is inspected by reading alone before anything is written, so
pointing codewell at the wrong file cannot change it. New files are
created owner-only (0600): they hold sensitive free text.

A ``postgresql://`` URL opens the same schema on a server (:mod:`codewell.store.postgres` says how
the URL is read and shown). A connection lost mid-session (a restarted server) is waited for like a
lock and the unit of work run again: its events carry uids, so what was in flight lands once.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import DBAPIError

from codewell.errors import (
    CodewellError, DamagedProjectError, NotAProjectError, ProjectError, ProjectReadOnlyError,
    SchemaTooNewError,
)
from codewell import projectfiles
from codewell.store import migrations, schema
from codewell.store.backup import backup_sqlite, migration_backup_path
from codewell.store.faults import (
    BACKUP_HINT, busy, is_busy, is_disconnect, refuse_nul, translate, unavailable,
)
from codewell.store.structure import missing_columns, missing_keys, unreadable_codebook
from codewell.store.journal import foreign_journal
from codewell.store.postgres import is_url, mask, server_engine
from codewell.store.unit import Unit

#: How long a command waits for another process's write lock before giving up (seconds);
#: the environment variable CODEWELL_LOCK_WAIT overrides it (documented in the README).
DEFAULT_WAIT = 60.0
#: How long a read tries to reconnect to a lost server before saying so (writes wait like a lock).
READ_RECONNECT = 2.0
REQUIRED_TABLES = frozenset(schema.metadata.tables)
#: SQLite's quick_check reads the whole file: on every open up to this size (about 150,000
#: responses), above it only the cheap checks, and damage elsewhere is reported when touched.
QUICK_CHECK_LIMIT = 96 * 1024 * 1024
log = logging.getLogger("codewell.store")
#: What to do about a journal from another database beside the project.
JOURNAL_HINT = ("rename {wal} aside (mv {wal} {wal}.aside) if it was copied there, then run codewell check "
                "{project}; or restore your latest backup (codewell restore BACKUP {project})")
T = TypeVar("T")


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("CODEWELL_LOCK_WAIT", DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def now() -> datetime:
    return datetime.now(timezone.utc)


class Database:
    """One project's storage. Holds the engine and nothing read from it."""

    def __init__(self, engine: Engine, location: str, *, read_only: bool = False,
                 damage: str | None = None) -> None:
        self.wait = lock_wait()
        self.engine = engine
        self.location = mask(location)  # shown in messages: never a password
        self.url = location
        self.reached = False  # a server reached once and then lost is waited for, not refused
        self.read_only = read_only
        self.damage = damage
        self.notes: list[str] = []

    def close(self) -> None:
        self.engine.dispose()

    # -- units of work ---------------------------------------------------------------------
    def read(self, work: Callable[[Unit], T]) -> T:
        """Run ``work`` in a read transaction (one consistent snapshot)."""
        return self._run(work, write=False, wait=self.wait, on_wait=None)

    def write(self, work: Callable[[Unit], T], *, wait: float | None = None,
              on_wait: Callable[[], None] | None = None) -> T:
        """Run ``work`` in one write transaction: all of it commits, or none of it.

        ``work`` may run more than once (after a busy lock), so it must only touch the store.
        Waits up to ``wait`` seconds for another process's lock, calling ``on_wait`` once when
        the wait begins; then raises :class:`~codewell.errors.ProjectBusyError`.
        """
        if self.read_only:
            raise ProjectReadOnlyError(f"{self.location}: cannot write the project (read-only)",
                                       hint="check the file's and its folder's permissions, or copy it somewhere you can write")
        self.refuse_if_damaged()
        return self._run(work, write=True, wait=self.wait if wait is None else wait, on_wait=on_wait)

    def refuse_if_damaged(self) -> None:
        """Raise what a write would meet on a project that failed its open-time check."""
        if self.damage is not None:
            raise DamagedProjectError(f"{self.location}: the project file is damaged ({self.damage}); "
                                      "it is refused for writing", hint=BACKUP_HINT)

    def _run(self, work: Callable[[Unit], T], *, write: bool, wait: float,
             on_wait: Callable[[], None] | None) -> T:
        started = time.monotonic()
        deadline = started + wait
        delay, waiting = 0.02, False
        while True:
            try:
                with self.engine.connect() as conn:
                    conn.info["write"] = write
                    # A server waits for its write lock itself, in turn: briefly at first (so a
                    # wait is said within half a second), then up to 2 s a try.
                    conn.info["lock_wait"] = min(max(deadline - time.monotonic(), 0.05), 2.0 if waiting else 0.5)
                    with conn.begin():
                        result = work(Unit(conn))
                self.reached = True
                return result
            except DBAPIError as error:
                # A lost server connection after the server was reached once (a restart, a network
                # blip) is waited for like a lock; the unit runs again and its uids land it once.
                lost = self.reached and is_disconnect(error)
                if not lost and not is_busy(error):
                    raise translate(error, self.location) from None
                if lost and not write:  # a read is asked for by a screen: it does not sit waiting
                    deadline = min(deadline, started + READ_RECONNECT)
                if time.monotonic() + delay > deadline:
                    raise (unavailable(self.location) if lost else busy(self.location)) from None
                if not waiting:
                    waiting = True
                    log.warning("reconnecting to the project's server…" if lost
                                else "waiting for the project (held by another process)…")
                    if on_wait is not None:
                        on_wait()
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    # -- integrity -------------------------------------------------------------------------
    def check_integrity(self) -> str | None:
        """A reason the project is damaged, or None. Cheap structural checks, then SQLite's own."""
        try:
            with self.engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
                missing = sorted(REQUIRED_TABLES - tables)
                if missing:
                    return f"missing tables: {', '.join(missing)}"
                columns = missing_columns(conn)
                if columns:
                    return f"missing columns: {', '.join(columns)}"
                keys = missing_keys(conn)
                if keys:
                    return f"missing keys: {', '.join(keys)}"
                body = conn.execute(select(schema.codebook_versions.c.body)
                                    .order_by(schema.codebook_versions.c.version.desc()).limit(1)).scalar()
                if body is None:
                    return "no codebook stored"
                if unreadable_codebook(body) is not None:
                    return "the stored codebook cannot be read"
                if conn.dialect.name == "sqlite":
                    page_size = conn.exec_driver_sql("PRAGMA page_size").scalar() or 0
                    pages = conn.exec_driver_sql("PRAGMA page_count").scalar() or 0
                    if page_size * pages > QUICK_CHECK_LIMIT:
                        return None  # too big to read whole on every open: damage shows when touched
                    rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check(3)")]
                    if rows != ["ok"]:
                        problems = [line.strip() for row in rows for line in row.splitlines()
                                    if line.strip() and not line.startswith("***")]
                        return "integrity check: " + "; ".join(problems[:2])
        except DBAPIError as error:
            return str(error.orig).splitlines()[0] if error.orig is not None else str(error)
        return None

    def backup(self, out: Path) -> Path:
        if is_url(self.url):
            raise ProjectError("backup of a PostgreSQL project is the server's job",
                               hint="use pg_dump, or codewell migrate URL FILE.cw for a SQLite copy")
        return backup_sqlite(Path(self.location), out)


def _sqlite_engine(path: Path, *, read_only: bool, immutable: bool) -> Engine:
    # The driver's own transaction handling is turned off: we emit BEGIN ourselves so that a
    # write unit takes SQLite's write lock at its start (BEGIN IMMEDIATE) and waits for it there,
    # instead of failing half-way when a read lock cannot be upgraded.
    if read_only:
        query = "mode=ro&immutable=1" if immutable else "mode=ro"
        url = f"sqlite:///file:{path.resolve()}?{query}&uri=true"
    else:
        url = f"sqlite:///{path}"
    engine = create_engine(url)
    event.listen(engine, "before_cursor_execute", refuse_nul, retval=True)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # In WAL mode NORMAL still keeps every committed transaction across a crash of the
        # application (kill -9); only an OS crash or power cut can lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Short: the unit of work waits with backoff (and says so) rather than inside SQLite.
        cursor.execute("PRAGMA busy_timeout=100")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

    return engine


def _engine(location: str | Path, *, read_only: bool = False, immutable: bool = False) -> Engine:
    if is_url(location):
        return server_engine(str(location))
    return _sqlite_engine(Path(location), read_only=read_only, immutable=immutable)


def _check_readable(path: Path) -> None:
    """Refuse folders and unreadable files before SQLite sees them.

    The file is never opened here: closing any descriptor of a database file drops every POSIX
    lock this process holds on it, including SQLite's own, and another process could then
    checkpoint and delete the WAL under this process's open connections. Whether the bytes are
    SQLite at all is SQLite's to say ("file is not a database"), when it reads them.
    """
    if path.is_dir():
        raise NotAProjectError(f"{path}: is a folder, not a codewell project file")
    if not os.access(path, os.R_OK):
        raise ProjectError(f"{path}: cannot read the project file (permission denied)",
                           hint="check the file's permissions")
    if path.stat().st_size == 0:
        raise NotAProjectError(f"{path}: not a codewell project (the file is empty)")


def _stored_version(db: Database) -> int:
    """The schema version of a codewell project, read without writing a byte.

    Read through the project's own engine, whose connections change nothing until asked to write
    (the WAL journal mode is set once, at creation, and stays in the file). A second, read-only
    connection would be worse than unnecessary: closing one in a process that also holds
    read-write connections can unlink the shared WAL index under them.
    """
    def read(unit: Unit) -> int:
        tables = set(inspect(unit.conn).get_table_names())
        if "meta" not in tables:
            raise NotAProjectError(f"{db.location}: not a codewell project (an SQLite file of something else)"
                                   if not is_url(db.location) else
                                   f"{db.location}: not a codewell project (no codewell tables)")
        rows = unit.meta()
        if rows.get("application") != schema.APPLICATION:
            raise NotAProjectError(f"{db.location}: not a codewell project (an SQLite file of something else)"
                                   if not is_url(db.location) else
                                   f"{db.location}: not a codewell project (another application's database)")
        if "schema_version" not in rows and "responses" in tables:
            # create_database writes the tables and the version in one transaction, so a project
            # with tables but no version was edited by hand; migrating "from 0" would fail anyway.
            raise DamagedProjectError(f"{db.location}: the project file is damaged (it has no schema version)",
                                      hint=BACKUP_HINT)
        return _parse_version(db.location, rows.get("schema_version"))

    return db.read(read)


def _parse_version(location: str, value: object) -> int:
    """The stored schema version; None (no row yet) is 0, a project still to be made."""
    if value is None:
        return 0
    try:
        version = int(str(value))
    except ValueError:
        raise DamagedProjectError(f"{location}: the project file is damaged (schema version {value!r} "
                                  "is not a number)", hint=BACKUP_HINT) from None
    if version < 1:  # "upgrading" from 0 or below would create the tables over the stored ones
        raise DamagedProjectError(f"{location}: the project file is damaged (schema version {value!r} "
                                  "is not one codewell writes)", hint=BACKUP_HINT)
    return version


def _check_version(location: str | Path, version: int) -> None:
    if version > schema.SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{location}: written by a newer codewell (project schema {version}, this codewell "
            f"reads up to {schema.SCHEMA_VERSION})",
            hint="upgrade codewell: pip install -U codewell",
        )


def open_database(location: str | Path, *, check: bool = True, upgrade: bool = True) -> Database:
    """Open an existing project, upgrading an older schema (after a backup) in one transaction.

    A file or folder this user cannot write opens read-only: reading commands work, writing ones
    say why they cannot. With ``check``, a damaged project opens for reading only. Without
    ``upgrade``, an older schema is refused instead (``codewell check`` writes nothing).
    """
    read_only = immutable = False
    if not is_url(location):
        path = Path(location)
        if not path.exists():
            raise ProjectError(f"{path}: no such project", hint=f"create it with: codewell init {path} --codebook FILE")
        _check_readable(path)
        stray = foreign_journal(path, QUICK_CHECK_LIMIT)
        if stray is not None:  # replaying it (any connection closing) would write it into the file
            raise DamagedProjectError(f"{path}: {stray}", hint=JOURNAL_HINT.format(wal=f"{path}-wal", project=path))
        immutable = not os.access(path.parent, os.W_OK)
        read_only = immutable or not os.access(path, os.W_OK)
    engine = _engine(location, read_only=read_only, immutable=immutable)
    if not is_url(location):
        projectfiles.remember(Path(location))
    db = Database(engine, str(location), read_only=read_only)
    try:
        version = _stored_version(db)
        _check_version(location, version)
        if version < schema.SCHEMA_VERSION:
            if not upgrade:
                raise ProjectError(f"{db.location}: written by an older codewell (project schema {version}), "
                                   "which this command does not upgrade",
                                   hint="any other command (codewell status, say) upgrades it after keeping a copy")
            if read_only:
                raise ProjectReadOnlyError(f"{location}: written by an older codewell and read-only, "
                                           "so it cannot be upgraded", hint="copy it somewhere you can write")
            kept: list[Path] = []
            try:
                db.write(lambda unit: _upgrade(unit, db.location, kept))
            except BaseException as error:  # rolled back: the project is as it was, so is its copy
                for copy in kept:
                    copy.unlink(missing_ok=True)
                if isinstance(error, ProjectError) and is_url(location) and "permission denied" in error.message:
                    raise ProjectError(  # a coder's login: the schema is the owner's
                        f"{db.location}: written by an older codewell (project schema {version}), which only "
                        "the project's owner can upgrade; nothing was changed",
                        hint="ask the owner to run codewell status with the owner's login once, then codewell "
                             "team add URL --coder NAME --role ROLE for each coder") from None
                if type(error) is ProjectError:  # rows an upgrade step cannot take (a hand edit)
                    raise DamagedProjectError(
                        f"{db.location}: cannot upgrade the project from schema {version} to "
                        f"{schema.SCHEMA_VERSION} ({error.message.removeprefix(db.location + ': ')}); "
                        "the file is unchanged", hint=BACKUP_HINT) from None
                raise
            if kept:  # said once it is true, never before a failed upgrade
                db.notes.append(f"upgraded the project from schema {version} to {schema.SCHEMA_VERSION}; "
                                f"the file as it was is kept in {kept[0]}")
                log.warning(db.notes[-1])
    except BaseException:
        engine.dispose()
        raise
    if check:
        db.damage = db.check_integrity()
    return db


def _upgrade(unit: Unit, location: str, kept: list[Path]) -> None:
    """Migrate inside the write, re-reading the version: another process may have done it first,
    and then nothing is copied or said. The copy of a file is taken here, under the write lock, so
    processes opening an older project at once neither copy it twice nor copy it half-upgraded."""
    version = _parse_version(location, unit.meta().get("schema_version"))
    _check_version(location, version)
    if version < schema.SCHEMA_VERSION:
        if not is_url(location) and not kept:  # once, even when a busy lock runs the unit again
            kept.append(backup_sqlite(Path(location), migration_backup_path(Path(location), version)))
        migrations.migrate(unit.conn, version)


def _refuse_used_database(unit: Unit, location: str) -> None:
    """A server project is a database of its own: a codewell project there already, or another
    application's tables (whose names could clash with ours), is left as it is."""
    found = inspect(unit.conn)
    tables = sorted(found.get_table_names())
    if "meta" in tables and {"key", "value"} <= {c["name"] for c in found.get_columns("meta")} \
            and unit.meta().get("application") == schema.APPLICATION:
        raise ProjectError(f"{location}: already holds a project",
                           hint="a server project is one database; create an empty one for it (createdb NAME)")
    if tables:
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        raise ProjectError(f"{location}: the database is not empty (it holds tables: {shown}); a project "
                           "needs a database of its own", hint="create an empty one: createdb NAME")


def create_database(location: str | Path, initial: Callable[[Unit], None] | None = None) -> Database:
    """A new project, with ``initial`` (e.g. its first codebook) written in the same transaction.

    Refuses to touch anything that already exists; a failure (a full disk) leaves no file behind.
    """
    if not is_url(location):
        path = Path(location)
        if path.exists():
            raise ProjectError(f"{path}: already exists", hint="choose a new file name, or open it instead")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except PermissionError:
            raise ProjectError(f"{path}: cannot create the project here (permission denied)",
                               hint="choose a folder you can write") from None
        os.close(fd)
    engine = _engine(location)
    if not is_url(location):
        projectfiles.remember(Path(location))
    db = Database(engine, str(location))

    def initialise(unit: Unit) -> None:
        if is_url(location):
            _refuse_used_database(unit, mask(location))
        migrations.migrate(unit.conn, 0)
        unit.conn.execute(schema.meta.insert().values(key="created_at", value=now().isoformat()))
        if initial is not None:
            initial(unit)

    try:
        if not is_url(location):  # set once, outside any transaction; it stays in the file
            raw = engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            finally:
                raw.close()
        db.write(initialise)
    except (CodewellError, OSError, DBAPIError):
        engine.dispose()
        if not is_url(location):
            for leftover in (Path(location), Path(f"{location}-wal"), Path(f"{location}-shm"),
                             Path(f"{location}-journal")):
                leftover.unlink(missing_ok=True)
        raise
    return db
