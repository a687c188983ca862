"""A team on one PostgreSQL project: each coder's own login role, blinding the server enforces,
and moving a project between a file and a server.

On a server, blinding is a permission: a coder's role reads other coders' decisions, memos and
statuses only where the facade's blinding rule (:mod:`codewell.project.sets`) would show them,
because row-level security policies apply that rule to every query, hand-written SQL included.
The owner (the role that created the project) and a role that codes as ``consensus`` see
everything. A SQLite file has no roles: there the facade alone enforces blinding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codewell.adjudication import CONSENSUS
from codewell.errors import DataFileError, ProjectError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.project.coding import check_coder_name
from codewell.store import open_database
from codewell.store import postgres
from codewell.store.postgres import mask
from codewell.store.copy import migrate as copy_between

__all__ = ["Added", "Member", "add_member", "mask", "members", "migrate_project", "remove_member", "set_blind"]
PASSWORD_HINT = "put ben's password on the first line of a file only you can read, and pass --password-file FILE"


@dataclass(frozen=True)
class Member:
    """One login role of the project and what it may read."""

    role: str
    coder: str | None
    rights: str
    can_login: bool = True
    #: False when the role was dropped on the server after it was mapped (DROP ROLE)
    role_exists: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Added:
    coder: str
    role: str
    created: bool
    connect: str  # the URL ben uses (no password: it comes from PGPASSWORD, ~/.pgpass or a service file)


def read_password(path: Path) -> str:
    """The first line of ``path``: never an argument, so it is not in the shell's history."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DataFileError(f"{path}: cannot read the password file ({error.strerror})") from None
    password = lines[0].strip() if lines else ""
    if not password:
        raise DataFileError(f"{path}: the password file is empty", hint=PASSWORD_HINT)
    return password


def add_member(location: str, coder: str, *, password_file: Path | None = None,
               role: str | None = None) -> Added:
    """Give ``coder`` a login role of their own on the project's server (or map ``role``)."""
    check_coder_name(coder)
    db = open_database(location)
    try:
        # a project file first says that team is for a server, not that the coder needs a password
        db.read(lambda unit: postgres.require_server(unit.conn, db.location))
        if role is None and password_file is None:
            raise DataFileError(f"a new role for {coder} needs a password", hint=PASSWORD_HINT
                                + ", or map an existing role with --role NAME")
        password = read_password(password_file) if password_file is not None else None
        database = db.url.split("?", 1)[0].rsplit("/", 1)[-1]
        chosen = role or postgres.role_for(database, coder)

        def work(unit) -> bool:  # type: ignore[no-untyped-def]
            postgres.require_server(unit.conn, db.location)
            unit.coder_id(coder)  # the coder exists before anything is granted to them
            return postgres.add_member(unit.conn, coder, chosen, password, existing=role is not None)

        created = db.write(work)
    finally:
        db.close()
    return Added(coder=coder, role=chosen, created=created, connect=_as_role(db.location, chosen))


def remove_member(location: str, coder: str) -> list[str]:
    """Take away ``coder``'s login to the project (their decisions stay); the login roles that
    lost their access, which stay on the server."""
    db = open_database(location)
    try:
        def work(unit) -> list[str]:  # type: ignore[no-untyped-def]
            postgres.require_server(unit.conn, db.location)
            roles = postgres.remove_member(unit.conn, coder)
            if not roles:
                known = sorted({row[1] for row in postgres.members(unit.conn)[2]})
                raise UnknownNameError(f"coder '{coder}' has no login to this project",
                                       did_you_mean(coder, known) or
                                       (f"coders with a login: {', '.join(known)}" if known else
                                        "nobody has a login yet (codewell team add)"))
            return roles

        return db.write(work)
    finally:
        db.close()


def set_blind(location: str, on: bool) -> None:
    """Blind mode for the whole project: coder roles read only their own work, set or no set."""
    db = open_database(location)
    try:
        def work(unit) -> None:  # type: ignore[no-untyped-def]
            postgres.require_server(unit.conn, db.location)
            postgres.set_blind(unit.conn, on)

        db.write(work)
    finally:
        db.close()


def members(location: str) -> tuple[bool, list[Member]]:
    """(blind mode, who has which rights), the owner first."""
    db = open_database(location)
    try:
        def read(unit):  # type: ignore[no-untyped-def]
            postgres.require_server(unit.conn, db.location)
            return postgres.members(unit.conn)

        owner, blind, rows = db.read(read)
    finally:
        db.close()
    own = "their own work only" if blind else "their own work; others' on open reliability sets hidden"
    found = [Member(owner, None, "owner: reads and changes everything, adds coders")]
    for role, coder, login, exists in rows:
        rights = "consensus: reads everything, writes as consensus" if coder == CONSENSUS else f"coder: reads {own}"
        found.append(Member(role, coder, rights, login, exists))
    return blind, found


def migrate_project(source: str, target: str) -> dict[str, int]:
    """Copy a project to a new file or an empty server database, losslessly; rows per table."""
    if not source or not target:
        raise ProjectError("migrate needs a SOURCE and a TARGET")
    return copy_between(source, target)


def _as_role(location: str, role: str) -> str:
    scheme, rest = location.split("://", 1)
    host = rest.split("@", 1)[1] if "@" in rest.split("/", 1)[0] else rest
    return f"{scheme}://{role}@{host}"
