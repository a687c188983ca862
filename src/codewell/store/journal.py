"""A write-ahead journal (``study.cw-wal``) that does not belong to the project beside it.

Nothing in a WAL names its database: SQLite replays whatever ``-wal`` file sits beside the project,
and the first connection to close checkpoints it into the file for good. A journal copied from
another project (a sync tool, a copy made by hand) turned every command into that checkpoint: the
project file was overwritten with the other database's pages and cut to its size, where renaming
the journal aside would have left it whole. So a journal that no process is using (no ``-shm``
beside it: a live or crashed session keeps one) is tried before the project is opened: a private
copy of the file is read with it, and the file itself without it. The copy, not a read-only
connection to the project: that would leave a ``-shm`` beside the project, and the next command
would take the journal for a live one and replay it.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

#: A WAL holding frames is longer than its 32-byte header.
WAL_HEADER = 32


def _sound(uri: str) -> bool:
    """Whether SQLite reads the database at ``uri`` as sound (its quick check); False if it cannot."""
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return False
    try:
        return [row[0] for row in connection.execute("PRAGMA quick_check(1)")] == ["ok"]
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def foreign_journal(path: Path, size_limit: int) -> str | None:
    """Why the idle journal beside ``path`` would damage it if replayed, or None (no idle journal,
    one that reads as sound, a file damaged without it too, or one too big to read whole)."""
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    try:
        if shm.exists() or not wal.exists() or wal.stat().st_size <= WAL_HEADER or path.stat().st_size > size_limit:
            return None
    except OSError:
        return None
    with tempfile.TemporaryDirectory(prefix="codewell-journal-") as folder:
        copy = Path(folder) / "project.cw"
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, Path(folder) / "project.cw-wal")
        if _sound(f"file:{copy}?mode=ro") or not _sound(f"file:{path.resolve()}?immutable=1"):
            return None
    return (f"the journal {wal.name} beside it does not belong to it: with the journal the file reads as "
            "damaged, without it as sound; nothing was changed")
