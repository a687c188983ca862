"""Responses a block at a time, in import order, for work that must not hold them all."""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, select

from codewell.store import schema
from codewell.values import Response


class PageOps:
    conn: Connection

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
