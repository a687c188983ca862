"""Every file codewell writes for the user is private and appears whole, or not at all.

Exports, REFI-QDA archives, charts and reports hold the same sensitive text as the project, which
is 0600, so they are created 0600 too (an existing file keeps its mode only when that is
stricter). They are written to a temporary file in the destination folder, flushed to disk with
``fsync`` and moved over the destination with ``os.replace``: a failed write (a full disk, Excel's
row limit, Ctrl-C) leaves no partial file that looks like a dataset, and an earlier good file
at that path survives untouched.

Operating-system failures are translated here, once, into :class:`~codewell.errors.OutputError`
naming the path and what to do, so no writer needs its own ``except OSError``.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codewell.errors import OutputError
from codewell.projectfiles import is_database

PRIVATE = 0o600


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a private temporary path beside ``path``; on success it replaces ``path`` atomically.

    The caller writes the temporary path however it likes (``open``, ``zipfile``, a library that
    takes a file name). If the block raises, the temporary file is removed and ``path`` is left
    as it was; ``OSError`` is re-raised as :class:`OutputError`.
    """
    path = Path(path)
    check_writable(path)
    mode = _mode_for(path)
    temporary: Path | None = None
    # A polite kill (SIGTERM, Ctrl-C) unwinds as an exception; held back while the temporary file
    # is made and recorded, it cannot land between the two and leave the file behind (seen in CI).
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        try:
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
            os.close(fd)
            temporary = Path(name)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        yield temporary
        _sync(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        _sync_folder(path.parent)
    except OSError as exc:
        raise _translate(exc, path) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` privately and atomically."""
    path = Path(path)
    with atomic_output(path) as partial:
        partial.write_text(text, encoding="utf-8", newline="")
    return path


def check_writable(path: Path) -> None:
    """Refuse, before any work is done, an output that is a folder or a device (replacing
    ``/dev/null`` with a file would break the system), or whose folder is missing."""
    if path.is_dir():
        raise OutputError(f"{path} is a folder, not a file",
                          hint=f"give a file name inside it, e.g. {path / 'export.csv'}")
    if path.exists() and not path.is_file():
        raise OutputError(f"{path} is not a regular file (a device, pipe or socket)",
                          hint="give the name of a file to write")
    if is_database(path):
        raise OutputError(f"{path} is a codewell project (or another database, or its journal); "
                          "an output never replaces one", hint="give the output a name of its own, e.g. report.csv")
    folder = path.parent
    if not folder.exists():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist",
                          hint="create it first or choose another folder")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is not a folder",
                          hint="choose an output path inside a folder")
    try:  # a read-only mount or a folder like /proc: found now, not after the work is done
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}",
                          hint="choose a folder you can write to") from None


def _mode_for(path: Path) -> int:
    """0600, or the existing file's mode when it grants even less."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return PRIVATE
    return current if current & ~PRIVATE == 0 else PRIVATE


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot fsync a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _translate(exc: OSError, path: Path) -> OutputError:
    """One line that says what went wrong with ``path`` and what the user can do about it."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return OutputError(f"cannot write {path}: the disk is full (or a file-size limit was hit); "
                           "nothing was written", hint="free some space or write elsewhere")
    if code == errno.EROFS:
        return OutputError(f"cannot write {path}: the folder is on a read-only file system",
                           hint="choose a folder you can write to")
    if code in (errno.EACCES, errno.EPERM):
        return OutputError(f"cannot write {path}: permission denied",
                           hint="choose a folder you can write to")
    if code == errno.EISDIR:
        return OutputError(f"{path} is a folder, not a file", hint="give a file name")
    reason = exc.strerror or str(exc)
    return OutputError(f"cannot write {path}: {reason}",
                       hint="choose a folder you can write to")
