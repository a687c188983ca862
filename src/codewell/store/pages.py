"""Responses a block at a time, in import order, for work that must not hold them all.

A *filter* narrows the responses to those a coder has not given a status (``uncoded``), has
flagged (``flagged``) or has written a memo on (``memo``); ``all`` keeps every one. Rows are
numbered from 0 in import order among those the filter keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import Connection, Select, exists, func, select

from codewell.store import schema
from codewell.values import Response


PAGE_FILTERS = ("all", "uncoded", "flagged", "memo")


class PageOps:
    conn: Connection
    coder_id: Callable[..., int | None]  # RecordOps
    responses_by_pk: Callable[[list[int]], dict[int, Response]]  # SearchOps

    def _kept(self, coder: str, name: str) -> Select:  # type: ignore[type-arg]
        """The storage keys the filter ``name`` keeps for ``coder``, as a query."""
        r = schema.responses
        query = select(r.c.pk)
        if name == "all":
            return query
        coder_id = self.coder_id(coder, create=False) or -1  # a new coder: nothing of theirs yet
        table = {"uncoded": schema.statuses, "flagged": schema.flags, "memo": schema.memos}[name]
        mine = exists().where(table.c.coder_id == coder_id, table.c.response_pk == r.c.pk)
        return query.where(~mine if name == "uncoded" else mine)

    def page_count(self, coder: str, name: str) -> int:
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

    def response_page(self, after: int, limit: int) -> list[tuple[int, Response]]:
        """(storage key, response) of the next ``limit`` responses with a key above ``after``."""
        r = schema.responses
        decoded: dict[str, dict[str, str]] = {}  # attribute sets repeat: decode each once
        page = []
        for pk, rid, body, row, attributes in self.conn.execute(
                select(r.c.pk, r.c.source_id, r.c.text, r.c.source_row, r.c.attributes)
                .where(r.c.pk > after).order_by(r.c.pk).limit(limit)):
            value = decoded.get(attributes)
            if value is None:
                value = decoded[attributes] = json.loads(attributes)
            page.append((pk, Response(id=rid, text=body, row=row, attributes=value)))
        return page

    def last_response_key(self) -> int:
        """The highest storage key given so far (0 in an empty project)."""
        return int(self.conn.execute(select(func.max(schema.responses.c.pk))).scalar() or 0)

    def stored_responses(self, ids: list[str]) -> dict[str, tuple[int, str]]:
        """Storage key and text of those ``ids`` already stored."""
        r = schema.responses
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(ids), 900):
            for rid, pk, body in self.conn.execute(select(r.c.source_id, r.c.pk, r.c.text)
                                                   .where(r.c.source_id.in_(ids[start:start + 900]))):
                found[rid] = (pk, body)
        return found

    def attribute_names(self) -> list[str]:
        """Every attribute name, in the order the responses first carry them (as export names
        its columns), from each distinct attribute set once."""
        r = schema.responses
        first = func.min(r.c.pk).label("first")
        seen: dict[str, None] = {}
        for attributes, _ in self.conn.execute(select(r.c.attributes, first).group_by(r.c.attributes)
                                               .order_by(first)):
            seen.update(dict.fromkeys(json.loads(attributes)))
        return list(seen)
