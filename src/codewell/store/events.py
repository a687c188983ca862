"""The append-only decision log, and the current codings derived from it.

A coder's current codes for a response are the codes whose latest event is an ``apply``. Every
event carries a client-generated ``uid``: appending an event whose uid is already stored returns
the stored one, so a retried keypress lands once. Undo appends the inverse of the coder's latest
event that is neither an undo nor already undone; the event it reverses is named in ``undoes``,
which is unique, so no event is ever reversed twice, whichever session asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timezone

from sqlalchemy import Connection, func, insert, select

from codewell.values import Decision
from codewell.store import schema
from codewell.store.dialect import insert_ignoring_duplicates
from codewell.store.records import chunks, now

#: (response_pk, code, action, probability, from_suggestion, uid)
EventRow = tuple[int, str, str, float | None, bool, str]


class EventOps:
    conn: Connection
    coder_id: Callable[..., int | None]  # provided by RecordOps, mixed in beside this class

    def append_events(self, coder: str, rows: Sequence[EventRow], codebook_version: int,
                      suggestions_on: bool, note: str = "") -> list[int]:
        """Insert events and return their ids, in the order given (stored ones for known uids)."""
        if not rows:
            return []
        coder_id = self.coder_id(coder)
        at = now()
        known = self._ids_of([row[5] for row in rows])
        fresh = [row for row in rows if row[5] not in known]
        if fresh:
            self.conn.execute(insert(schema.decisions), [
                {"coder_id": coder_id, "response_pk": pk, "code_id": code, "action": action, "at": at,
                 "codebook_version": codebook_version, "probability": probability,
                 "from_suggestion": from_suggestion, "suggestions_on": suggestions_on, "note": note,
                 "uid": uid}
                for pk, code, action, probability, from_suggestion, uid in fresh])
            known = self._ids_of([row[5] for row in rows])
        return [known[row[5]] for row in rows]

    def _ids_of(self, uids: Sequence[str]) -> dict[str, int]:
        d = schema.decisions
        found: dict[str, int] = {}
        for chunk in chunks(list(uids)):
            found.update(self.conn.execute(select(d.c.uid, d.c.id).where(d.c.uid.in_(chunk))).all())  # type: ignore[arg-type]
        return found

    def undo_last(self, coder: str, codebook_version: int, uid: str) -> int | None:
        """Reverse the coder's latest undoable event; None when there is nothing to undo."""
        d = schema.decisions
        retried = self._ids_of([uid])
        if retried:
            return retried[uid]
        coder_id = self.coder_id(coder, create=False)
        if coder_id is None:
            return None
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None), d.c.coder_id == coder_id)
        for _ in range(100):  # another session may reverse our candidate first; then take the next
            last = self.conn.execute(
                select(d.c.id, d.c.response_pk, d.c.code_id, d.c.action, d.c.suggestions_on)
                .where(d.c.coder_id == coder_id, d.c.undoes.is_(None), d.c.id.not_in(undone))
                .order_by(d.c.id.desc()).limit(1)).first()
            if last is None:
                return None
            inverse = "remove" if last.action == "apply" else "apply"
            self.conn.execute(insert_ignoring_duplicates(self.conn, d, {
                "coder_id": coder_id, "response_pk": last.response_pk, "code_id": last.code_id,
                "action": inverse, "at": now(), "codebook_version": codebook_version,
                "from_suggestion": False, "suggestions_on": last.suggestions_on, "undoes": last.id,
                "note": "undo", "uid": uid}, ["undoes"]))
            stored = self._ids_of([uid])
            if stored:
                return stored[uid]
        return None

    def append_shown(self, coder: str, response_pk: int, rows: Sequence[tuple[str, float, bool]]) -> None:
        """What the model showed a coder for one response: (code, probability, suggested)."""
        at = now()
        coder_id = self.coder_id(coder)
        self.conn.execute(insert(schema.shown_suggestions), [
            {"coder_id": coder_id, "response_pk": response_pk, "code_id": code,
             "probability": probability, "suggested": suggested, "at": at}
            for code, probability, suggested in rows])

    def last_shown(self, coder: str) -> dict[str, frozenset[str]]:
        """Per response, the codes suggested the last time suggestions were shown to ``coder``."""
        s, r = schema.shown_suggestions, schema.responses
        coder_id = self.coder_id(coder, create=False)
        if coder_id is None:
            return {}
        last = (select(s.c.response_pk, func.max(s.c.at).label("at")).where(s.c.coder_id == coder_id)
                .group_by(s.c.response_pk).subquery())
        shown: dict[str, set[str]] = {}
        for source_id, code, suggested in self.conn.execute(
                select(r.c.source_id, s.c.code_id, s.c.suggested)
                .join(last, (last.c.response_pk == s.c.response_pk) & (last.c.at == s.c.at))
                .join(r, r.c.pk == s.c.response_pk).where(s.c.coder_id == coder_id)):
            bucket = shown.setdefault(source_id, set())
            if suggested:
                bucket.add(code)
        return {k: frozenset(v) for k, v in shown.items()}

    def current_codings(self, coder: str) -> dict[str, frozenset[str]]:
        d, r, c = schema.decisions, schema.responses, schema.coders
        latest = (select(func.max(d.c.id).label("id")).select_from(d).join(c, c.c.id == d.c.coder_id)
                  .where(c.c.name == coder).group_by(d.c.response_pk, d.c.code_id).subquery())
        codings: dict[str, set[str]] = {}
        for source_id, code in self.conn.execute(
                select(r.c.source_id, d.c.code_id).join(latest, latest.c.id == d.c.id)
                .join(r, r.c.pk == d.c.response_pk).where(d.c.action == "apply")
                .order_by(r.c.pk)):
            codings.setdefault(source_id, set()).add(code)
        return {k: frozenset(v) for k, v in codings.items()}

    def decisions(self, coder: str | None = None, ids: Sequence[int] | None = None) -> list[Decision]:
        d, r, c = schema.decisions, schema.responses, schema.coders
        query = (select(d, c.c.name, r.c.source_id).join(c, c.c.id == d.c.coder_id)
                 .join(r, r.c.pk == d.c.response_pk).order_by(d.c.id))
        if coder is not None:
            query = query.where(c.c.name == coder)
        if ids is None:
            return [_decision(row) for row in self.conn.execute(query)]
        found = []
        for chunk in chunks(list(ids)):
            found += [_decision(row) for row in self.conn.execute(query.where(d.c.id.in_(chunk)))]
        return sorted(found, key=lambda decision: decision.id)

    def decision_counts(self) -> dict[str, int]:
        d, c = schema.decisions, schema.coders
        return {name: int(n) for name, n in self.conn.execute(
            select(c.c.name, func.count()).select_from(d).join(c, c.c.id == d.c.coder_id)
            .group_by(c.c.name))}

    def latest_events(self, coder: str) -> dict[tuple[str, str], Decision]:
        """The latest event per (response id, code) of a coder: what export's long layout shows."""
        d, c = schema.decisions, schema.coders
        latest = (select(func.max(d.c.id)).select_from(d).join(c, c.c.id == d.c.coder_id)
                  .where(c.c.name == coder).group_by(d.c.response_pk, d.c.code_id))
        ids = list(self.conn.execute(latest).scalars())
        return {(decision.response_id, decision.code): decision for decision in self.decisions(coder, ids)}


def _decision(row) -> Decision:  # type: ignore[no-untyped-def]
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
    return Decision(id=row.id, coder=row.name, response_id=row.source_id, code=row.code_id,
                    action=row.action, at=at, codebook_version=row.codebook_version,
                    probability=row.probability, from_suggestion=bool(row.from_suggestion),
                    suggestions_on=bool(row.suggestions_on), undoes=row.undoes, note=row.note,
                    uid=row.uid)
