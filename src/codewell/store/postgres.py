"""Projects on a PostgreSQL server: reading the URL users give, and showing it without a password.

Users write ``postgresql://user@host:port/db`` (``postgres://`` too); the store always speaks to it
through psycopg 3 (``postgresql+psycopg://``), the ``[postgres]`` extra. The password is never
meant to be in the URL: libpq reads it from ``PGPASSWORD``, ``~/.pgpass`` or a service file
(``postgresql:///db?service=lab``), and when one is in the URL anyway every message shows it
masked. Sessions run in UTC so timestamps mean the same on every engine.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from codewell.errors import ProjectError

#: The advisory lock every write unit of one project database takes first (any number will do;
#: advisory locks are per database). Writers then follow each other as on SQLite (BEGIN
#: IMMEDIATE): no two sessions number a codebook version, a coder or an import at the same time.
WRITE_LOCK = 0x636F6465
#: How long one try waits for that lock inside the server; the unit of work waits longer, with
#: backoff, and says it is waiting (as for a SQLite lock).
LOCK_TRY = "100ms"

SCHEMES = ("postgresql", "postgres")
URL_HINT = "write it as postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or ~/.pgpass)"
INSTALL_HINT = "install PostgreSQL support: pip install 'codewell[postgres]'"
#: Seconds to wait for a server to answer a new connection before saying it cannot be reached.
CONNECT_TIMEOUT = 10


def is_url(location: object) -> bool:
    return "://" in str(location)


def mask(location: str) -> str:
    """``location`` with any password replaced by ``***`` (in the authority or the query)."""
    text = re.sub(r"(://[^/@:]*:)[^@/]*@", r"\1***@", str(location))
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", text)


def server_url(location: str) -> URL:
    """The SQLAlchemy URL for a user's ``postgresql://`` URL (any driver named becomes psycopg)."""
    scheme = location.split("://", 1)[0].lower()
    if scheme.split("+", 1)[0] not in SCHEMES:
        raise ProjectError(f"{mask(location)}: codewell projects are files or postgresql:// URLs, "
                           f"not {scheme}://", hint=URL_HINT)
    try:
        url = make_url("postgresql+psycopg://" + location.split("://", 1)[1])
    except (ArgumentError, ValueError):
        raise ProjectError(f"{mask(location)}: not a usable database URL", hint=URL_HINT) from None
    if url.port is not None and not 0 < url.port < 65536:
        raise ProjectError(f"{mask(location)}: port {url.port} is not a port number", hint=URL_HINT)
    return url


def server_engine(location: str) -> Engine:
    """An engine whose pooled connections are checked before use, so a restarted server costs
    one reconnect, not an error."""
    url = server_url(location)
    try:
        engine = create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=8,
                               connect_args={"connect_timeout": CONNECT_TIMEOUT,
                                             "options": "-c timezone=UTC"})
    except (ModuleNotFoundError, NoSuchModuleError):
        raise ProjectError(f"{mask(location)}: PostgreSQL support is not installed", hint=INSTALL_HINT) from None
    from codewell.store.faults import refuse_nul

    event.listen(engine, "before_cursor_execute", refuse_nul, retval=True)

    @event.listens_for(engine, "begin")
    def _one_writer(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.info.get("write"):
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TRY}'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine
