"""Named, ordered, transactional migrations: a project file records how far it has come.

Each step runs inside the caller's transaction, so a failed upgrade leaves the file as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, select, update

from codewell.store import schema


def _initial(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    conn.execute(insert(schema.meta), [{"key": "application", "value": schema.APPLICATION}])


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _initial),
]
assert len(MIGRATIONS) == schema.SCHEMA_VERSION


def stored_version(conn: Connection) -> int:
    row = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def migrate(conn: Connection, current: int) -> None:
    """Apply every step after ``current``; the caller commits."""
    for step, (_, run) in enumerate(MIGRATIONS, start=1):
        if step > current:
            run(conn)
    if current == 0:
        conn.execute(insert(schema.meta).values(key="schema_version", value=str(schema.SCHEMA_VERSION)))
    else:
        conn.execute(update(schema.meta).where(schema.meta.c.key == "schema_version")
                     .values(value=str(schema.SCHEMA_VERSION)))
