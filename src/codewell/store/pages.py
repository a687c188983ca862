"""Responses a block at a time, in import order or a seeded random order, for work that must
not hold them all.

A *filter* narrows the responses to those a coder has not given a status (``uncoded``), has
finished (``coded``: status done), has flagged (``flagged``) or has written a memo on (``memo``),
or to the members of a reliability set (``set:NAME``); ``all`` keeps every one. Rows are
numbered from 0 among those the filter keeps, in the view's order.

A :class:`View` is what the coding list shows: a filter, an order (``file``: import order;
``random``: a seeded pseudo-random order, read through the index on each response's stored
random key, see :func:`shuffle_key` and :func:`seed_start`), the highest storage key it was built over (responses imported later are
left out until it is rebuilt), ids it keeps whatever the filter says (responses the coder
changed since), and storage keys it leaves out (those shown first by a ranked head). Every
query here uses an index or, for the random order, one scan of the key index: nothing grows
with the project in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, ColumnElement, Select, exists, func, or_, select, text, tuple_

from codewell.errors import DamagedProjectError
from codewell.store import decode, schema
from codewell.values import Response


PAGE_FILTERS = ("all", "uncoded", "coded", "flagged", "memo")
SET_PREFIX = "set:"
ORDERS = ("file", "random")


def shuffle_key(response_id: str) -> int:
    """The random order's key of a response, stored with it (``responses.shuffle``, indexed).

    From a hash of the id, as :func:`codewell.sampling.random_order` ranks ids for seed 0, so
    the paged order and an in-memory one agree; a response keeps its key when others are added
    and when the project is copied to another engine (62 bits: a positive BIGINT anywhere)."""
    return int.from_bytes(hashlib.sha256(f"0\x1f{response_id}".encode()).digest()[:8], "big") >> 2


def seed_start(seed: int) -> int:
    """Where seed ``seed`` starts the random order: keys from this one up, then the lowest up to
    it (seed 0 starts at the lowest). Each seed is the same cycle entered at its own point, so
    the order is served by the key's index; a seed does not give an independent shuffle."""
    if seed == 0:
        return 0
    return int.from_bytes(hashlib.sha256(f"codewell-order\x1f{seed}".encode()).digest()[:8], "big") >> 2


class StoredResponse(NamedTuple):
    """What an import compares a file's row with."""

    pk: int
    text: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class View:
    """Which responses a list shows and in which order (see the module docstring)."""

    coder: str
    filter: str = "all"
    order: str = "file"
    seed: int = 0
    upto: int = 0
    keep: tuple[str, ...] = ()
    exclude: tuple[int, ...] = ()


class PageOps:
    conn: Connection
    coder_id: Callable[..., int | None]  # RecordOps
    responses_by_pk: Callable[[list[int]], dict[int, Response]]  # SearchOps

    def _kept(self, coder: str, name: str) -> Select:  # type: ignore[type-arg]
        """The storage keys the filter ``name`` keeps for ``coder``, as a query."""
        r = schema.responses
        query = select(r.c.pk)
        condition = self._filter(coder, name)
        return query if condition is None else query.where(condition)

    def _filter(self, coder: str, name: str) -> ColumnElement[bool] | None:
        r = schema.responses
        if name == "all":
            return None
        if name.startswith(SET_PREFIX):
            m, s = schema.set_members, schema.reliability_sets
            return exists().where(m.c.response_pk == r.c.pk, m.c.set_id == s.c.id,
                                  s.c.name == name[len(SET_PREFIX):])
        if name not in PAGE_FILTERS:
            raise ValueError(f"filter {name!r} is not one of {PAGE_FILTERS} or {SET_PREFIX}NAME")
        coder_id = self.coder_id(coder, create=False) or -1  # a new coder: nothing of theirs yet
        table = {"uncoded": schema.statuses, "coded": schema.statuses, "flagged": schema.flags,
                 "memo": schema.memos}[name]
        mine = exists().where(table.c.coder_id == coder_id, table.c.response_pk == r.c.pk)
        if name == "coded":
            mine = mine.where(table.c.status == "done")
        return ~mine if name == "uncoded" else mine

    def page_count(self, coder: str, name: str) -> int:
        if name == "uncoded":  # every response less the coder's statuses: two index counts
            s = schema.statuses
            coder_id = self.coder_id(coder, create=False) or -1
            stated = self.conn.execute(select(func.count()).select_from(s).where(s.c.coder_id == coder_id)).scalar()
            return self.response_total() - int(stated or 0)  # type: ignore[attr-defined]
        kept = self._kept(coder, name).subquery()
        return int(self.conn.execute(select(func.count()).select_from(kept)).scalar() or 0)

    def page_rank(self, coder: str, name: str, response_id: str) -> int | None:
        """The row of ``response_id`` among those the filter keeps; None if it does not keep it."""
        r = schema.responses
        pk = self.conn.execute(select(r.c.pk).where(r.c.source_id == response_id)).scalar()
        if pk is None:
            return None
        kept = self._kept(coder, name)
        if self.conn.execute(kept.where(r.c.pk == pk)).first() is None:
            return None
        before = kept.where(r.c.pk < pk).subquery()
        return int(self.conn.execute(select(func.count()).select_from(before)).scalar() or 0)

    def page_rows(self, coder: str, name: str, start: int, limit: int, *, after: int | None = None,
                  before: int | None = None) -> list[tuple[int, Response]]:
        """(storage key, response) of rows ``start`` to ``start + limit`` the filter keeps.

        A caller that holds the rows just before (or after) passes the key of the last (first)
        of them as ``after`` (``before``): the rows are then found from that key through the
        index instead of by counting ``start`` rows from the top, which grows with ``start``.
        """
        pk = schema.responses.c.pk
        kept = self._kept(coder, name)
        if after is not None:
            query = kept.where(pk > after).order_by(pk).limit(limit)
        elif before is not None:
            query = kept.where(pk < before).order_by(pk.desc()).limit(limit)
        else:
            query = kept.order_by(pk).offset(start).limit(limit)
        pks = sorted(self.conn.execute(query).scalars())
        found = self.responses_by_pk(pks)
        return [(pk, found[pk]) for pk in pks]

    # -- views: filter and order for the coding list ---------------------------------------------
    def key_span(self) -> tuple[int, int, int]:
        """(count, lowest, highest) storage key: keys are dense when highest - lowest + 1 == count,
        and a row's position in import order is then its key minus the lowest."""
        r = schema.responses
        low, high = self.conn.execute(select(func.min(r.c.pk), func.max(r.c.pk))).one()
        return self.response_total(), int(low or 0), int(high or 0)  # type: ignore[attr-defined]

    def positions_of(self, pks: Sequence[int]) -> dict[int, int]:
        """Position in import order of each of ``pks`` (sorted), counted in the store: for
        keys that are not dense (a server's sequence skips numbers after a rollback)."""
        if not pks:
            return {}
        r = schema.responses
        first = int(self.conn.execute(select(func.count()).where(r.c.pk < pks[0])).scalar() or 0)
        numbered = select(r.c.pk, (func.row_number().over(order_by=r.c.pk) - 1 + first).label("n")) \
            .where(r.c.pk.between(pks[0], pks[-1])).subquery()
        wanted = set(pks)
        found: dict[int, int] = {}
        for start in range(0, len(pks), 900):
            found.update(self.conn.execute(select(numbered.c.pk, numbered.c.n)
                                           .where(numbered.c.pk.in_(list(pks[start:start + 900])))).all())  # type: ignore[arg-type]
        return {pk: int(n) for pk, n in found.items() if pk in wanted}

    def keys_at(self, positions: Sequence[int]) -> dict[int, int]:
        """Storage key of each position in import order (``positions`` bounded: a ranked head),
        counted in the store in one pass: for keys that are not dense."""
        r = schema.responses
        numbered = select(r.c.pk, (func.row_number().over(order_by=r.c.pk) - 1).label("n")).subquery()
        found: dict[int, int] = {}
        for start in range(0, len(positions), 900):
            found.update((int(n), int(pk)) for pk, n in self.conn.execute(
                select(numbered.c.pk, numbered.c.n).where(numbered.c.n.in_(list(positions[start:start + 900])))))
        return found

    def _view_filter(self, view: View) -> list[ColumnElement[bool]]:
        r = schema.responses
        conditions: list[ColumnElement[bool]] = [r.c.pk <= view.upto]
        condition = self._filter(view.coder, view.filter)
        if condition is not None:
            conditions.append(or_(condition, r.c.source_id.in_(view.keep)) if view.keep else condition)
        if view.exclude:
            conditions.append(r.c.pk.not_in(view.exclude))
        return conditions

    def view_count(self, view: View) -> int:
        """Rows in the view, counted through indexes for the coding list's filters: all rows
        less those above ``upto``, less the coder's statuses for ``uncoded``, less the excluded
        rows the filter keeps."""
        r = schema.responses
        if view.filter not in ("all", "uncoded") or view.keep:
            return int(self.conn.execute(select(func.count()).select_from(r)
                                         .where(*self._view_filter(view))).scalar() or 0)
        count = self.response_total() - int(self.conn.execute(  # type: ignore[attr-defined]
            select(func.count()).where(r.c.pk > view.upto)).scalar() or 0)
        if view.filter == "uncoded":
            s = schema.statuses
            coder_id = self.coder_id(view.coder, create=False) or -1
            count -= int(self.conn.execute(select(func.count()).select_from(s).where(
                s.c.coder_id == coder_id, s.c.response_pk <= view.upto)).scalar() or 0)
        if view.exclude:
            from dataclasses import replace

            count -= len(self.view_keeps(replace(view, exclude=()), view.exclude))
        return count

    def view_keys(self, view: View, limit: int, *, after: tuple[int, int] | None = None,
                  offset: int = 0, unfinished: str | None = None) -> list[tuple[int, int]]:
        """(sort key, storage key) of ``limit`` rows in the view's order: those following the
        row whose (sort key, storage key) is ``after`` (found through the order's index, not
        counted), or from row ``offset``. ``unfinished`` ("status": no status; "done": not
        done) narrows further, for finding where to resume."""
        r = schema.responses
        conditions = self._view_filter(view)
        if unfinished is not None:
            coder_id = self.coder_id(view.coder, create=False) or -1
            s = schema.statuses
            stated = exists().where(s.c.coder_id == coder_id, s.c.response_pk == r.c.pk)
            conditions.append(~(stated if unfinished == "status" else stated.where(s.c.status == "done")))
        if view.order == "file":
            if after is not None:
                conditions.append(r.c.pk > after[1])
            query = select(r.c.pk.label("k"), r.c.pk).where(*conditions).order_by(r.c.pk)
            return [(int(k), int(pk)) for k, pk in self.conn.execute(query.offset(offset or None).limit(limit))]
        if view.order not in ORDERS:
            raise ValueError(f"order {view.order!r} is not one of {ORDERS}")
        start = seed_start(view.seed)
        rows: list[tuple[int, int]] = []
        # the cycle: keys from ``start`` up (first part), then keys below ``start`` (second)
        parts = [r.c.shuffle >= start, r.c.shuffle < start]
        first = 0 if after is None or after[0] >= start else 1
        skip = offset
        for number in range(first, 2):
            part = [*conditions, parts[number]]
            if after is not None and number == first:
                part.append(tuple_(r.c.shuffle, r.c.pk) > tuple_(after[0], after[1]))
            query = select(r.c.shuffle, r.c.pk).where(*part).order_by(r.c.shuffle, r.c.pk)
            found = [(int(k), int(pk)) for k, pk in self.conn.execute(
                query.offset(skip or None).limit(limit - len(rows)))]
            rows += found
            if len(rows) >= limit:
                break
            if skip and not found:  # the offset reaches past this part: count it off
                skip -= int(self.conn.execute(select(func.count()).select_from(r).where(*part)).scalar() or 0)
                skip = max(skip, 0)
            else:
                skip = 0
        return rows

    def view_rank(self, view: View, pk: int, position: int | None = None) -> int | None:
        """The row of storage key ``pk`` in the view; None when the view does not keep it.

        In file order, with ``pk``'s ``position`` in import order given, the rows before it are
        that many less those the filter or the exclusion leaves out, counted through the
        statuses' index rather than by walking the responses before it."""
        r = schema.responses
        conditions = self._view_filter(view)
        found = self.conn.execute(select(r.c.shuffle).where(r.c.pk == pk, *conditions)).first()
        if found is None:
            return None
        if view.order == "file" and position is not None and view.filter in ("all", "uncoded"):
            from dataclasses import replace

            rank = position - len(self.view_keeps(replace(view, exclude=()), [e for e in view.exclude if e < pk]))
            if view.filter == "uncoded":
                s = schema.statuses
                coder_id = self.coder_id(view.coder, create=False) or -1
                stated = select(s.c.response_pk).where(s.c.coder_id == coder_id, s.c.response_pk < pk)
                rank -= int(self.conn.execute(select(func.count()).select_from(stated.subquery())).scalar() or 0)
                if view.keep:  # stated, but kept in the list all the same
                    rank += int(self.conn.execute(select(func.count()).select_from(r).where(
                        r.c.pk.in_(stated), r.c.source_id.in_(view.keep))).scalar() or 0)
            return rank
        if view.order == "file":
            return int(self.conn.execute(select(func.count()).select_from(r)
                                         .where(r.c.pk < pk, *conditions)).scalar() or 0)
        start, key = seed_start(view.seed), int(found[0])
        before = [tuple_(r.c.shuffle, r.c.pk) < tuple_(key, pk)]
        if key >= start:
            before.append(r.c.shuffle >= start)
        else:
            before = [or_(r.c.shuffle >= start, tuple_(r.c.shuffle, r.c.pk) < tuple_(key, pk))]
        return int(self.conn.execute(select(func.count()).select_from(r).where(*before, *conditions)).scalar() or 0)

    def shuffle_keys(self, pks: Sequence[int]) -> dict[int, int]:
        """The random order's key of each of ``pks`` (a bounded list)."""
        r = schema.responses
        found: dict[int, int] = {}
        for start in range(0, len(pks), 900):
            found.update(self.conn.execute(select(r.c.pk, r.c.shuffle)
                                           .where(r.c.pk.in_(list(pks[start:start + 900])))).all())  # type: ignore[arg-type]
        return found

    def unfinished_of(self, coder: str, pks: Sequence[int], kind: str) -> set[int]:
        """Which of ``pks`` ``coder`` has given no status (``kind`` "status") or not finished
        ("done")."""
        s = schema.statuses
        coder_id = self.coder_id(coder, create=False) or -1
        stated: set[int] = set()
        for start in range(0, len(pks), 900):
            query = select(s.c.response_pk).where(s.c.coder_id == coder_id,
                                                  s.c.response_pk.in_(list(pks[start:start + 900])))
            stated.update(self.conn.execute(query if kind == "status" else query.where(s.c.status == "done")).scalars())
        return set(pks) - stated

    def view_keeps(self, view: View, pks: Sequence[int]) -> set[int]:
        """Which of ``pks`` the view's filter keeps (for a ranked head shown before the rest)."""
        r = schema.responses
        kept: set[int] = set()
        for start in range(0, len(pks), 900):
            kept.update(self.conn.execute(select(r.c.pk).where(
                r.c.pk.in_(list(pks[start:start + 900])), *self._view_filter(view))).scalars())
        return kept

    def suspend_order_index(self) -> bool:
        """Drop the random order's index for the rest of a long import, on SQLite: a million
        inserts at random places in it cost more than the import itself once it outgrows the
        page cache, and one sorted build at the end (:meth:`restore_order_index`) costs about a
        second. In the import's transaction, so a failed import keeps the index. True if dropped."""
        if self.conn.dialect.name != "sqlite":
            return False
        self.conn.execute(text(f"DROP INDEX IF EXISTS {schema.SHUFFLE_INDEX.name}"))
        return True

    def restore_order_index(self) -> None:
        self.conn.execute(text(f"CREATE INDEX IF NOT EXISTS {schema.SHUFFLE_INDEX.name} ON responses (shuffle, pk)"))

    # -- blocks in import order --------------------------------------------------------------------
    def response_page(self, after: int, limit: int) -> list[tuple[int, Response]]:
        """(storage key, response) of the next ``limit`` responses with a key above ``after``."""
        r = schema.responses
        decoded: dict[str, dict[str, str]] = {}  # attribute sets repeat: decode each once
        page = []
        for pk, rid, body, row, attributes in self.conn.execute(  # fetched at once: a third faster
                select(r.c.pk, r.c.source_id, r.c.text, r.c.source_row, r.c.attributes)
                .where(r.c.pk > after).order_by(r.c.pk).limit(limit)).all():
            rid, body = decode.response_text(rid, body, pk)
            value = decoded.get(attributes)
            if value is None:
                value = decoded[attributes] = decode.attributes(attributes, rid)
            page.append((pk, Response(id=rid, text=body, row=row, attributes=value)))
        return page

    def last_response_key(self) -> int:
        """The highest storage key given so far (0 in an empty project)."""
        return int(self.conn.execute(select(func.max(schema.responses.c.pk))).scalar() or 0)

    def stored_responses(self, ids: list[str]) -> dict[str, StoredResponse]:
        """Storage key, text and attributes of those ``ids`` already stored."""
        r = schema.responses
        found: dict[str, StoredResponse] = {}
        for start in range(0, len(ids), 900):
            for rid, pk, body, stored in self.conn.execute(
                    select(r.c.source_id, r.c.pk, r.c.text, r.c.attributes)
                    .where(r.c.source_id.in_(ids[start:start + 900]))):
                rid, body = decode.response_text(rid, body, pk)
                found[rid] = StoredResponse(pk, body, decode.attributes(stored, rid))
        return found

    def attribute_names(self) -> list[str]:
        """Every attribute name, in the order the responses first carry them (as export names
        its columns)."""
        seen: dict[str, None] = {}
        for attributes, _ in self.attribute_sets():
            seen.update(dict.fromkeys(attributes))
        return list(seen)

    def attribute_sets(self) -> Iterator[tuple[dict[str, str], int]]:
        """Each distinct set of attributes the responses carry, once, with how many responses
        carry it, in the order the responses first carry them: what export learns its attribute
        columns from (their names, whether each holds only numbers, and whether it is a rating
        scale, which takes each answer's count) without reading every response. Streamed from
        the server, so memory holds one set at a time."""
        r = schema.responses
        first = func.min(r.c.pk).label("first")
        query = select(r.c.attributes, first, func.count()).group_by(r.c.attributes).order_by(first)
        for attributes, first_pk, count in self.conn.execute(query, execution_options={"stream_results": True}):
            try:
                found = decode.attributes(attributes)
            except DamagedProjectError:  # name the first response holding them, then refuse
                holder = self.conn.execute(select(r.c.source_id).where(r.c.pk == first_pk)).scalar()
                decode.attributes(attributes, holder)
                raise
            yield found, count
