"""Reversing a codebook change's events: the decisions a merge or rename moved, moved back.

An operation of one :class:`~codewell.store.unit.Unit`. The events a change wrote share one note
(e.g. ``"codebook v7: merged 'worry' into 'anxiety'"``); reversing them appends the inverse of
each one not yet reversed, naming it in ``undoes`` as a coder's undo does, so nothing in the log
is rewritten and nothing is reversed twice.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, insert, select

from codewell.store import schema
from codewell.store.records import now


class ChangeOps:
    conn: Connection

    def reverse_noted(self, prefix: str, codebook_version: int, undo_note: str) -> int:
        """Append the inverse of every unreversed event whose note starts with ``prefix``, newest
        first; returns how many."""
        d = schema.decisions
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
        rows = self.conn.execute(
            select(d.c.id, d.c.coder_id, d.c.response_pk, d.c.code_id, d.c.action, d.c.suggestions_on,
                   d.c.seg_start, d.c.seg_end)
            .where(d.c.note.startswith(prefix, autoescape=True), d.c.undoes.is_(None), d.c.id.not_in(undone))
            .order_by(d.c.id.desc())).all()
        if rows:
            at = now()
            self.conn.execute(insert(d), [
                {"coder_id": row.coder_id, "response_pk": row.response_pk, "code_id": row.code_id,
                 "action": "remove" if row.action == "apply" else "apply", "at": at,
                 "codebook_version": codebook_version, "probability": None, "from_suggestion": False,
                 "suggestions_on": row.suggestions_on, "undoes": row.id, "note": undo_note,
                 "uid": uuid.uuid4().hex, "seg_start": row.seg_start, "seg_end": row.seg_end}
                for row in rows])
        return len(rows)

    def codebook_body(self, version: int) -> str | None:
        """The JSON body of one stored codebook version (None when there is no such version)."""
        t = schema.codebook_versions
        return self.conn.execute(select(t.c.body).where(t.c.version == version)).scalar()
