"""Database errors, translated at the store's edge into errors a user can act on.

SQLAlchemy and driver exceptions never leave the store: each known failure becomes one
:class:`~codewell.errors.ProjectError` subclass whose message says what happened and what to do.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from codewell.errors import (
    DamagedProjectError, ProjectBusyError, ProjectError, ProjectReadOnlyError, StorageFullError,
)

BACKUP_HINT = "restore your latest backup (codewell backup makes one), or copy the file and ask for help"


def is_busy(error: BaseException) -> bool:
    """True for a lock held by another connection: worth waiting for, not worth reporting yet."""
    message = str(getattr(error, "orig", error)).lower()
    return "database is locked" in message or "database table is locked" in message \
        or "lock timeout" in message or "could not obtain lock" in message


def translate(error: DBAPIError, location: str) -> ProjectError:
    """One line for the user in place of a driver's exception."""
    message = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    lowered = message.lower()
    if is_busy(error):
        return busy(location)
    if "readonly database" in lowered or "read-only" in lowered:
        return ProjectReadOnlyError(f"{location}: cannot write the project (read-only)",
                                    hint="check the file's and its folder's permissions, or copy it somewhere you can write")
    if "disk is full" in lowered or "disk i/o error" in lowered or "no space" in lowered:
        return StorageFullError(f"{location}: could not write the project: the disk is full or the file "
                                "size limit was reached; nothing was saved by this command",
                                hint="free some space and run the command again")
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return DamagedProjectError(f"{location}: the project file is damaged ({message})", hint=BACKUP_HINT)
    if "unable to open" in lowered:
        return ProjectError(f"{location}: cannot open the project file ({message})",
                            hint="check that the file and its folder exist and that you may read and write them")
    return ProjectError(f"{location}: database error: {message}")


def busy(location: str) -> ProjectBusyError:
    return ProjectBusyError(f"{location}: the project is busy (another process is writing to it); "
                            "nothing was saved by this request",
                            hint="wait for the other command (an import, a backup, a second coder) to finish, then try again")
