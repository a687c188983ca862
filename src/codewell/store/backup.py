"""Online backups of a SQLite project: consistent while others keep coding.

SQLite's backup API copies a transaction-consistent snapshot page by page, taking only short read
locks, so a backup never stops a coder. The copy is written to a temporary file beside the target,
made owner-only (0600, like the project) and renamed into place, so a failed backup leaves nothing.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from codewell.errors import OutputError, ProjectError
from codewell.projectfiles import JOURNALS, is_database


def default_backup_path(project: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return project.with_name(f"{project.stem}-backup-{stamp}{project.suffix or '.cw'}")


def migration_backup_path(project: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return project.with_name(f"{project.name}.schema{version}-{stamp}.bak")


def backup_sqlite(project: Path, out: Path, *, source: sqlite3.Connection | None = None) -> Path:
    """Copy ``project`` to ``out`` (which must not exist yet); returns ``out``. ``source``: a
    connection that already holds the project (a restore keeping it as it was) to copy through."""
    out = Path(out)
    if out.exists():
        raise OutputError(f"{out}: already exists; a backup never overwrites a file",
                           hint="choose another name, or leave OUT out for a dated one")
    if not out.parent.is_dir():
        raise OutputError(f"{out}: folder {out.parent} does not exist")
    if out.resolve() == project.resolve():
        raise OutputError(f"{out}: is the project itself")
    if out.name.endswith(JOURNALS) and is_database(out):
        # SQLite would take the copy for the database's journal: rolled back into it, or deleted
        raise OutputError(f"{out}: is the name of a journal file of the database beside it, which SQLite "
                           "would take the copy for and delete", hint="choose another name, or leave OUT out for a dated one")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as error:
        raise ProjectError(f"{out}: cannot write the backup ({error.strerror})",
                           hint="choose a folder you can write") from None
    try:
        os.close(fd)
        os.chmod(temporary, 0o600)
        # A read-write connection that only reads: a read-only one closed in a process that has
        # the project open could unlink the shared WAL index under its other connections.
        reading = sqlite3.connect(project) if source is None else source
        try:
            target = sqlite3.connect(temporary)
            try:
                reading.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
        finally:
            if source is None:
                reading.close()
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except (sqlite3.Error, OSError) as error:
        Path(temporary).unlink(missing_ok=True)
        raise ProjectError(f"{out}: backup failed ({error})",
                           hint="check free space and permissions, then try again") from None
    except BaseException:  # Ctrl-C: no half-written copy is left behind either
        Path(temporary).unlink(missing_ok=True)
        raise
    return out
