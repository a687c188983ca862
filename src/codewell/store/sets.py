"""Reliability sets as stored: the draw, its members in coding order, and who opened it.

Operations of one :class:`~codewell.store.unit.Unit`. The store only records and counts; which
set is open, and so what a coder may see, is decided by the facade (:mod:`codewell.project.sets`)
from what is read here, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, func, insert, select

from codewell.store import schema
from codewell.store.dialect import insert_ignoring_duplicates
from codewell.store.records import now


@dataclass(frozen=True)
class StoredSet:
    """One set as stored; ``done`` counts each coder's finished members (any coder with one)."""

    name: str
    created_at: datetime
    seed: int
    stratify: str | None
    allow_suggestions: bool
    note: str
    size: int
    participants: tuple[str, ...]
    done: dict[str, int]


class SetOps:
    conn: Connection
    coder_id: Callable[..., int | None]  # provided by RecordOps, mixed in beside this class

    def add_set(self, name: str, seed: int, stratify: str | None, allow_suggestions: bool,
                response_pks: Sequence[int], note: str = "") -> None:
        """Store a drawn set; ``response_pks`` in the coding order every coder will see."""
        t = schema.reliability_sets
        set_id = self.conn.execute(insert(t).values(
            name=name, created_at=now(), seed=seed, stratify=stratify,
            allow_suggestions=allow_suggestions, note=note)).inserted_primary_key[0]
        if response_pks:
            self.conn.execute(insert(schema.set_members), [
                {"set_id": set_id, "position": i, "response_pk": pk} for i, pk in enumerate(response_pks)])

    def join_set(self, name: str, coder: str) -> None:
        """``coder`` takes part in the set from now on (a second join changes nothing)."""
        set_id = self._set_id(name)
        self.conn.execute(insert_ignoring_duplicates(
            self.conn, schema.set_coders,
            {"set_id": set_id, "coder_id": self.coder_id(coder), "joined_at": now()},
            ["set_id", "coder_id"]))

    def set_member_ids(self, name: str) -> list[str]:
        """The set's response ids in coding order (empty when there is no such set)."""
        m, r, s = schema.set_members, schema.responses, schema.reliability_sets
        return list(self.conn.execute(
            select(r.c.source_id).join(m, m.c.response_pk == r.c.pk).join(s, s.c.id == m.c.set_id)
            .where(s.c.name == name).order_by(m.c.position)).scalars())

    def stored_sets(self) -> list[StoredSet]:
        """Every set, oldest first, with its participants and each coder's finished count."""
        s, m, sc, c, st = (schema.reliability_sets, schema.set_members, schema.set_coders,
                           schema.coders, schema.statuses)
        sizes = dict(self.conn.execute(
            select(m.c.set_id, func.count()).group_by(m.c.set_id)).all())  # type: ignore[arg-type]
        joined: dict[int, list[str]] = {}
        for set_id, name in self.conn.execute(
                select(sc.c.set_id, c.c.name).join(c, c.c.id == sc.c.coder_id).order_by(sc.c.joined_at, c.c.id)):
            joined.setdefault(set_id, []).append(name)
        done: dict[int, dict[str, int]] = {}
        for set_id, name, n in self.conn.execute(
                select(m.c.set_id, c.c.name, func.count())
                .join(st, st.c.response_pk == m.c.response_pk).join(c, c.c.id == st.c.coder_id)
                .where(st.c.status == "done").group_by(m.c.set_id, c.c.name)):
            done.setdefault(set_id, {})[name] = int(n)
        return [StoredSet(name=row.name, created_at=_utc(row.created_at), seed=row.seed, stratify=row.stratify,
                          allow_suggestions=bool(row.allow_suggestions), note=row.note,
                          size=int(sizes.get(row.id, 0)), participants=tuple(joined.get(row.id, ())),
                          done=done.get(row.id, {}))
                for row in self.conn.execute(select(s).order_by(s.c.id))]

    def _set_id(self, name: str) -> int:
        s = schema.reliability_sets
        found = self.conn.execute(select(s.c.id).where(s.c.name == name)).scalar()
        if found is None:
            raise LookupError(name)
        return int(found)


def _utc(at: datetime) -> datetime:
    """SQLite hands back naive UTC times, PostgreSQL aware ones: the same instant either way."""
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
