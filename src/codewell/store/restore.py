"""Putting a backup back in place of a project file, through SQLite and never over it.

Copying a backup over ``study.cw`` by hand leaves ``study.cw-wal`` beside it, and SQLite replays
that journal into the restored file (nothing in a WAL ties it to one database): the copy silently
takes back the changes it was meant to undo, or is damaged. A restore here writes the backup's
pages into the project through SQLite's backup API while holding the project exclusively, so
the project's own journal is part of the copy; and it is refused while any other process (a
coding screen, a command) has the project open, whose next write would mix the two.

A project file that is not a database any more, or journals left with no project beside them,
are moved aside (renamed, never deleted) before the backup's copy takes the project's name.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from codewell.errors import ProjectBusyError, ProjectError
from codewell.projectfiles import JOURNALS


def hold_exclusively(project: Path) -> sqlite3.Connection:
    """A connection holding ``project`` alone, or ProjectBusyError while another has it open.

    In WAL mode every open connection holds a shared lock for its whole life, so an exclusive
    lock is refused while a coding screen sits idle on the project, not only while it writes.
    """
    connection = sqlite3.connect(project, timeout=0.5, isolation_level=None)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("ROLLBACK")  # the lock stays: exclusive mode keeps it until close
    except sqlite3.OperationalError as error:
        connection.close()
        if "locked" in str(error) or "busy" in str(error):
            raise ProjectBusyError(f"{project}: is open in another process (a coding screen or a command)",
                                   hint="close it, then restore again; nothing was changed") from None
        raise ProjectError(f"{project}: cannot be opened to restore into ({error})") from None
    return connection


def created_at(project: Path | sqlite3.Connection) -> str | None:
    """When the project was created (its identity across backups: a backup keeps it), or None
    when the file does not say."""
    connection = sqlite3.connect(project) if isinstance(project, Path) else project
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        if connection is not project:
            connection.close()
    return str(row[0]) if row else None


def copy_into(checked: Path, project: sqlite3.Connection) -> None:
    """Write every page of ``checked`` into the held project, in one step under its lock."""
    source = sqlite3.connect(checked)
    try:
        source.backup(project)
    finally:
        source.close()


def move_aside(project: Path) -> list[Path]:
    """Rename ``project`` (if present) and its journals to ``NAME.set-aside-DATE-TIME...``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    moved = []
    for path in [project, *(project.with_name(project.name + suffix) for suffix in JOURNALS)]:
        if path.exists():
            target = path.with_name(f"{project.name}.set-aside-{stamp}{path.name[len(project.name):]}")
            os.replace(path, target)
            moved.append(target)
    return moved
