"""Database errors, translated at the store's edge into errors a user can act on.

SQLAlchemy and driver exceptions never leave the store: each known failure becomes one
:class:`~codewell.errors.ProjectError` subclass whose message says what happened and what to do.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import DBAPIError

from codewell.errors import (
    DamagedProjectError, NotAProjectError, DataFileError, ProjectBusyError, ProjectError, ProjectReadOnlyError,
    ProjectUnavailableError, StorageFullError,
)

BACKUP_HINT = "restore your latest backup (codewell restore BACKUP PROJECT), or copy the file and ask for help"


def is_busy(error: BaseException) -> bool:
    """True for a lock held by another connection: worth waiting for, not worth reporting yet."""
    message = str(getattr(error, "orig", error)).lower()
    return "database is locked" in message or "database table is locked" in message \
        or "lock timeout" in message or "could not obtain lock" in message


#: What a lost or unreachable server says (psycopg/libpq wording, lower case).
DISCONNECTS = ("server closed the connection", "connection refused", "terminating connection",
               "connection is closed", "connection already closed", "the database system is starting up",
               "the database system is shutting down", "the database system is in recovery mode",
               "consuming input failed", "could not receive data", "could not send data",
               "connection is lost", "ssl syscall error", "no connection to the server",
               "server conn crashed", "connection timed out", "timeout expired")


def is_disconnect(error: DBAPIError) -> bool:
    """True for a connection the server dropped or cannot give right now (a restart)."""
    if getattr(error, "connection_invalidated", False):
        return True
    message = str(getattr(error, "orig", error)).lower()
    return any(phrase in message for phrase in DISCONNECTS)


def _server_problem(message: str, location: str) -> ProjectError | None:
    """A connection failure in words that say what to check, or None if it is not one."""
    lowered = message.lower()
    quoted = re.findall(r'"([^"]*)"', message)
    if "connection refused" in lowered or "no such file or directory" in lowered and "socket" in lowered:
        return ProjectError(f"{location}: cannot reach the PostgreSQL server (connection refused)",
                            hint="check the host and port, and that the server is running and accepts TCP connections")
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return ProjectError(f"{location}: unknown server host{' ' + quoted[0] if quoted else ''}",
                            hint="check the host name in the URL")
    if "timeout expired" in lowered or "timed out" in lowered:
        return ProjectError(f"{location}: the PostgreSQL server did not answer in time",
                            hint="check the host, port and any firewall between you and the server")
    if "database" in lowered and "does not exist" in lowered:
        named = re.search(r'database "([^"]*)" does not exist', message)
        name = named.group(1) if named else ""
        return ProjectError(f"{location}: no database {name!r} on the server" if name else
                            f"{location}: the database does not exist on the server",
                            hint="check the database name, or create it (createdb NAME) and run codewell init")
    if "is not permitted to log in" in lowered:  # ALTER ROLE … NOLOGIN: a coder who left
        named = re.search(r'role "([^"]*)" is not permitted', message)
        return ProjectError(f"{location}: the server does not let {named.group(1) if named else 'this user'} log in "
                            "(the login is switched off)",
                            hint="ask the project's owner: it is theirs to switch back on, ALTER ROLE NAME LOGIN")
    if "role" in lowered and "does not exist" in lowered:
        named = re.search(r'role "([^"]*)" does not exist', message)
        return ProjectError(f"{location}: the server has no user {named.group(1)!r}" if named else
                            f"{location}: the server does not know this user",
                            hint="check the user name in the URL, or ask the project owner: codewell team add URL --coder NAME")
    if ("password authentication failed" in lowered or "no password supplied" in lowered
            or "authentication failed" in lowered):
        return ProjectError(f"{location}: the server refused the login (authentication failed)",
                            hint="check the user name and the password in PGPASSWORD, ~/.pgpass or the service file")
    if "sslmode" in lowered or "ssl" in lowered and ("not support" in lowered or "required" in lowered
                                                    or "certificate" in lowered or "negotiation" in lowered):
        return ProjectError(f"{location}: TLS connection problem: {message.splitlines()[0].strip()}",
                            hint="check sslmode in the URL (disable, prefer, require, verify-ca, verify-full) "
                                 "and the server's TLS set-up")
    if "service" in lowered and ("definition" in lowered or "file" in lowered):
        return ProjectError(f"{location}: {message.splitlines()[0].strip()}",
                            hint="check the service name and the service file (PGSERVICEFILE or ~/.pg_service.conf)")
    if "row-level security" in lowered:  # a coder's login writing what only the owner may
        if "codebook_versions" in lowered or '"codes"' in lowered:
            return ProjectError(f"{location}: this login may add codes but not rename, edit, merge or retire them",
                                hint="ask the project's owner to change the codebook")
        return ProjectError(f"{location}: this login writes only its own coder's work",
                            hint="code as the coder this login belongs to; changes to others' work are the owner's")
    if "permission denied" in lowered:
        return ProjectError(f"{location}: the server refused this user: {message.splitlines()[0].strip()}",
                            hint="ask the project owner for access (codewell team add)")
    return None


def translate(error: DBAPIError, location: str) -> ProjectError:
    """One line for the user in place of a driver's exception."""
    full = str(error.orig).strip() if error.orig is not None else str(error)
    message = full.splitlines()[0] if full else type(error).__name__
    lowered = message.lower()
    if is_busy(error):
        return busy(location)
    if "://" in location:
        found = _server_problem(full.replace("connection failed: ", ""), location)
        if found is not None:
            return found
    if "readonly database" in lowered or "read-only" in lowered:
        return ProjectReadOnlyError(f"{location}: cannot write the project (read-only)",
                                    hint="check the file's and its folder's permissions, or copy it somewhere you can write")
    if "disk is full" in lowered or "no space" in lowered:
        return StorageFullError(f"{location}: could not write the project: the disk is full or the file "
                                "size limit was reached; nothing was saved by this command",
                                hint="free some space and run the command again")
    if "disk i/o error" in lowered:
        return StorageFullError(f"{location}: could not read or write the project file (disk I/O error): the "
                                "disk may be full or failing; nothing was saved by this command",
                                hint="check free space, then run the command again; codewell backup makes a copy")
    if "file is not a database" in lowered:
        return NotAProjectError(f"{location}: not a codewell project (not an SQLite database)")
    if "no such table" in lowered or "no such column" in lowered:  # a table or column dropped by hand
        return DamagedProjectError(f"{location}: the project file is damaged ({message})", hint=BACKUP_HINT)
    if "malformed" in lowered or "corrupt" in lowered:
        return DamagedProjectError(f"{location}: the project file is damaged ({message})", hint=BACKUP_HINT)
    if "unable to open" in lowered:
        return ProjectError(f"{location}: cannot open the project file ({message})",
                            hint="check that the file and its folder exist and that you may read and write them")
    return ProjectError(f"{location}: database error: {message}")


def unavailable(location: str) -> ProjectUnavailableError:
    return ProjectUnavailableError(f"{location}: lost the connection to the project's server and could not "
                                   "reconnect; nothing was saved by this request",
                                   hint="check that the server is running; the request can be repeated safely")


def refuse_nul(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> tuple[str, Any]:
    """Refuse text holding NUL on every engine (PostgreSQL cannot store it; SQLite would):
    one behaviour for both, checked before anything is sent. Listens to ``before_cursor_execute``."""
    rows = parameters if executemany else [parameters]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else row
        if any(isinstance(value, str) and "\x00" in value for value in values or ()):
            table = re.search(r"(?i)\b(?:into|update)\s+\"?(\w+)", statement)
            where = f" for {table.group(1)}" if table else ""
            raise DataFileError(f"text{where} holds a NUL character (\\x00), which a project cannot "
                                "store; nothing was saved",
                                hint="remove the NUL characters (a damaged or binary source) and try again")
    return statement, parameters


def busy(location: str) -> ProjectBusyError:
    return ProjectBusyError(f"{location}: the project is busy (another process is writing to it); "
                            "nothing was saved by this request",
                            hint="wait for the other command (an import, a backup, a second coder) to finish, then try again")
