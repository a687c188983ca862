"""Project files this process has open, so that no output is ever written over one.

``report PROJECT -o PROJECT`` once replaced the project with its own report. An output path is
refused when it is a project this process opened (matched by device and inode: stat only,
because closing any descriptor of an open SQLite file drops this process's locks on it, see
``codewell.store.database._check_readable``), another SQLite database (its 16-byte header,
read only when this process has no connection to it), or one of their journal files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
JOURNALS = ("-wal", "-shm", "-journal")

_open: set[tuple[int, int]] = set()


def remember(path: Path) -> None:
    """Record that this process opened the project at ``path``."""
    found = os.stat(path)
    _open.add((found.st_dev, found.st_ino))


def is_database(path: Path) -> bool:
    """Whether writing ``path`` would replace a project, an SQLite database or a journal of one."""
    candidates = [path]
    candidates += [path.with_name(path.name[: -len(suffix)]) for suffix in JOURNALS if path.name.endswith(suffix)]
    for candidate in candidates:
        try:
            found = os.stat(candidate)
        except OSError:
            continue
        if (found.st_dev, found.st_ino) in _open:
            return True
        if stat.S_ISREG(found.st_mode) and has_sqlite_header(candidate):
            return True
    return False


def has_sqlite_header(path: Path) -> bool:
    """Whether ``path`` opens with SQLite's 16-byte header (False if it cannot be read). Closing
    the descriptor drops every lock this process holds on the file: call it before taking any."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False
