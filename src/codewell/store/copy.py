"""Copying a whole project between engines (SQLite <-> PostgreSQL), row for row.

Every table is copied with its keys as they are (decision ids, uids, ``undoes``, codebook version
numbers, response keys), in dependency order, from one read snapshot of the source into the
target's single creating transaction: the copy is all there or not there at all. Server-side
sequences are then moved past the copied keys, and the row counts are checked before committing.
What belongs to one server only (its coder roles, its blind setting: ``team.*`` meta keys) is not
copied.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Integer, Table, delete, func, insert, select, text

from codewell.errors import ProjectError
from codewell.store import schema, search
from codewell.store.database import Database, create_database, open_database

CHUNK = 2000
#: Meta keys the target writes itself (``migrations.migrate``) or that name one server's roles.
OWN_KEYS = frozenset({"application", "schema_version"})
SERVER_ONLY_PREFIX = "team."


def migrate(source: str | Path, target: str | Path) -> dict[str, int]:
    """Copy the project at ``source`` (upgraded first if older) to a new project at ``target``:
    a new file, or an empty server database. Rows copied per table."""
    if str(source) == str(target):
        raise ProjectError(f"{target}: is the source itself", hint="name a new file or an empty database")
    opened: Database = open_database(source)
    try:
        if opened.damage is not None:
            raise ProjectError(f"{opened.location}: the project is damaged ({opened.damage}); not copied",
                               hint="restore your latest backup first")
        counts: dict[str, int] = {}

        def copy_from(snapshot: Connection) -> None:
            _refuse_partial_view(snapshot, opened.location)
            def fill(unit) -> None:  # type: ignore[no-untyped-def]
                counts.update(copy_project(snapshot, unit.conn))

            create_database(target, fill).close()

        opened.read(lambda unit: copy_from(unit.conn))
        return counts
    finally:
        opened.close()


def _refuse_partial_view(source: Connection, location: str) -> None:
    """A coder's login reads the project through row-level security: a copy of what it sees
    would lack the other coders' work while claiming to be the project."""
    if source.dialect.name == "postgresql" and source.exec_driver_sql(
            "SELECT row_security_active('decisions')").scalar():
        raise ProjectError(f"{location}: this login reads only part of the project (row-level security hides "
                           "other coders' work from it), so a copy would not be whole; nothing was copied",
                           hint="migrate with the owner's login, the role that ran init or migrate")


def _is_integer(kind: object) -> bool:
    return isinstance(kind, Integer)


def copy_project(source: Connection, target: Connection) -> dict[str, int]:
    """Copy every row of ``source`` into the freshly created ``target``; rows per table."""
    counts: dict[str, int] = {}
    for table in schema.metadata.sorted_tables:
        if table is schema.meta:
            counts[table.name] = _copy_meta(source, target)
        else:
            counts[table.name] = _copy_table(source, target, table)
    if target.dialect.name == "postgresql":
        _advance_sequences(target)
    search.rebuild_index(target)  # the rows came in by plain inserts
    for table in schema.metadata.sorted_tables:
        if table is schema.meta:
            continue
        stored = target.execute(select(func.count()).select_from(table)).scalar()
        if stored != counts[table.name]:
            raise ProjectError(f"the copy of {table.name} holds {stored} rows, not {counts[table.name]}; nothing was kept")
    return counts


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = source.execution_options(stream_results=True).execute(select(table).order_by(*order))
    copied = 0
    for rows in result.mappings().partitions(CHUNK):
        target.execute(insert(table), [dict(row) for row in rows])
        copied += len(rows)
    return copied


def _copy_meta(source: Connection, target: Connection) -> int:
    m = schema.meta
    rows = [dict(row) for row in source.execute(select(m).order_by(m.c.key)).mappings()
            if row["key"] not in OWN_KEYS and not row["key"].startswith(SERVER_ONLY_PREFIX)]
    if rows:
        target.execute(delete(m).where(m.c.key.in_([row["key"] for row in rows])))
        target.execute(insert(m), rows)
    return len(rows)


def _advance_sequences(target: Connection) -> None:
    """PostgreSQL hands out keys from sequences that an explicit insert does not move."""
    for table in schema.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not _is_integer(keys[0].type):
            continue
        column = keys[0].name
        sequence = target.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                  {"t": table.name, "c": column}).scalar()
        if sequence is not None:
            target.execute(text(f"SELECT setval(:s, COALESCE((SELECT MAX({column}) FROM {table.name}), 0) + 1, false)"),
                           {"s": sequence})
