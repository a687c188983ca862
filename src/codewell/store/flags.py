"""Flags: a coder's mark on a response to come back to, kept apart from its status.

Operations of one :class:`~codewell.store.unit.Unit`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, delete, func, select

from codewell.store import schema
from codewell.store.dialect import insert_ignoring_duplicates
from codewell.store.records import now


class FlagOps:
    conn: Connection
    coder_id: Callable[..., int | None]  # provided by RecordOps, mixed in beside this class
    _count_of: Callable[..., int]  # so is this

    def set_flag(self, coder: str, response_pk: int, on: bool) -> None:
        t = schema.flags
        coder_id = self.coder_id(coder)
        if on:
            self.conn.execute(insert_ignoring_duplicates(
                self.conn, t, {"coder_id": coder_id, "response_pk": response_pk, "flagged_at": now()},
                ["coder_id", "response_pk"]))
        else:
            self.conn.execute(delete(t).where(t.c.coder_id == coder_id, t.c.response_pk == response_pk))

    def flags(self, coder: str) -> set[str]:
        t, r, c = schema.flags, schema.responses, schema.coders
        return set(self.conn.execute(
            select(r.c.source_id).join(t, t.c.response_pk == r.c.pk).join(c, c.c.id == t.c.coder_id)
            .where(c.c.name == coder)).scalars())

    def flag_count(self, coder: str) -> int:
        """How many responses ``coder`` flagged (the primary key's index alone answers it)."""
        return self._count_of(schema.flags, coder)

    def flag_counts(self) -> dict[str, int]:
        t, c = schema.flags, schema.coders
        return {name: int(n) for name, n in self.conn.execute(
            select(c.c.name, func.count()).select_from(t).join(c, c.c.id == t.c.coder_id).group_by(c.c.name))}
