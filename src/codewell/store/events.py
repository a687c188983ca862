"""The append-only decision log, and the current codings derived from it.

An event codes either a whole response (``seg_start``/``seg_end`` NULL) or a segment of it
(``text[seg_start:seg_end]`` in Unicode code points, end exclusive). Each (response, code, span)
is its own key, and a key is held while its latest event is an ``apply``: applying a code to a
segment does not touch the whole-response coding or another segment, and removing one touches
only its own span. A response carries a code (the response-level view agreement, reports and
the wide export use) when any key of that code is held on it. Every
event carries a client-generated ``uid``: appending an event whose uid is already stored returns
the stored one, so a retried keypress lands once. Undo appends the inverse of the coder's latest
event that is neither an undo nor already undone; the event it reverses is named in ``undoes``,
which is unique, so no event is ever reversed twice, whichever session asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timezone

from sqlalchemy import Connection, func, insert, select

from codewell.values import Decision, Segment
from codewell.store import schema
from codewell.store.dialect import insert_ignoring_duplicates
from codewell.store.records import chunks, now

#: (response_pk, code, action, probability, from_suggestion, uid), optionally followed by the
#: segment's (start, end); without them the event codes the whole response
EventRow = tuple[int, str, str, float | None, bool, str] | tuple[
    int, str, str, float | None, bool, str, int | None, int | None]


def _span(row: EventRow) -> tuple[int | None, int | None]:
    return (row[6], row[7]) if len(row) > 6 else (None, None)  # type: ignore[misc]


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
                {"coder_id": coder_id, "response_pk": row[0], "code_id": row[1], "action": row[2],
                 "at": at, "codebook_version": codebook_version, "probability": row[3],
                 "from_suggestion": row[4], "suggestions_on": suggestions_on, "note": note,
                 "uid": row[5], "seg_start": _span(row)[0], "seg_end": _span(row)[1]}
                for row in fresh])
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
                select(d.c.id, d.c.response_pk, d.c.code_id, d.c.action, d.c.suggestions_on,
                       d.c.seg_start, d.c.seg_end)
                .where(d.c.coder_id == coder_id, d.c.undoes.is_(None), d.c.id.not_in(undone))
                .order_by(d.c.id.desc()).limit(1)).first()
            if last is None:
                return None
            inverse = "remove" if last.action == "apply" else "apply"
            self.conn.execute(insert_ignoring_duplicates(self.conn, d, {
                "coder_id": coder_id, "response_pk": last.response_pk, "code_id": last.code_id,
                "action": inverse, "at": now(), "codebook_version": codebook_version,
                "from_suggestion": False, "suggestions_on": last.suggestions_on, "undoes": last.id,
                "note": "undo", "uid": uid, "seg_start": last.seg_start, "seg_end": last.seg_end},
                ["undoes"]))
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

    def _held_ids(self, coder: str, response_id: str | None = None):  # type: ignore[no-untyped-def]
        """Ids of the latest event of each (response, code, span) key of ``coder`` (on the one
        response ``response_id`` when given): a subquery."""
        d, c, r = schema.decisions, schema.coders, schema.responses
        held = select(func.max(d.c.id).label("id")).select_from(d).join(c, c.c.id == d.c.coder_id)
        if response_id is not None:
            held = held.join(r, r.c.pk == d.c.response_pk).where(r.c.source_id == response_id)
        return (held.where(c.c.name == coder)
                .group_by(d.c.response_pk, d.c.code_id, d.c.seg_start, d.c.seg_end).subquery())

    def current_codings(self, coder: str, response_id: str | None = None) -> dict[str, frozenset[str]]:
        """The response-level view: a response carries a code held whole or on any segment.
        ``response_id`` reads that one response alone (its entry, or nothing): a save that
        checks one response must not read a whole study's codings, inside the write lock too."""
        d, r = schema.decisions, schema.responses
        latest = self._held_ids(coder, response_id)
        codings: dict[str, set[str]] = {}
        for source_id, code in self.conn.execute(
                select(r.c.source_id, d.c.code_id).join(latest, latest.c.id == d.c.id)
                .join(r, r.c.pk == d.c.response_pk).where(d.c.action == "apply")
                .order_by(r.c.pk)):
            codings.setdefault(source_id, set()).add(code)
        return {k: frozenset(v) for k, v in codings.items()}

    def current_segments(self, coder: str) -> list[Segment]:
        """Every key ``coder`` holds, whole or segment, in response order, then by code and span
        (a whole-response coding before the segments of the same code)."""
        d, r = schema.decisions, schema.responses
        latest = self._held_ids(coder)
        rows = self.conn.execute(
            select(r.c.source_id, d.c.code_id, d.c.seg_start, d.c.seg_end)
            .join(latest, latest.c.id == d.c.id).join(r, r.c.pk == d.c.response_pk)
            .where(d.c.action == "apply")
            .order_by(r.c.pk, d.c.code_id, d.c.seg_start.asc().nulls_first(), d.c.seg_end.asc().nulls_first()))
        return [Segment(source_id, code, start, end) for source_id, code, start, end in rows]

    def held_keys(self, coder: str, code: str) -> list[tuple[int, int | None, int | None]]:
        """(response_pk, start, end) of every key of ``code`` that ``coder`` holds."""
        d = schema.decisions
        latest = self._held_ids(coder)
        return [tuple(row) for row in self.conn.execute(  # type: ignore[misc]
            select(d.c.response_pk, d.c.seg_start, d.c.seg_end).join(latest, latest.c.id == d.c.id)
            .where(d.c.action == "apply", d.c.code_id == code).order_by(d.c.id))]

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

    def events_after(self, coder: str, after: int | None) -> tuple[int, list[int]]:
        """(the newest event id, ids of ``coder``'s events after ``after``; none when ``after`` is
        None): a screen learning whether another session recorded for its coder reads the new
        rows only, by key."""
        d, c = schema.decisions, schema.coders
        newest = int(self.conn.execute(select(func.max(d.c.id))).scalar() or 0)
        if after is None:
            return newest, []
        found = self.conn.execute(select(d.c.id, c.c.name).join(c, c.c.id == d.c.coder_id)
                                  .where(d.c.id > after).order_by(d.c.id))
        return newest, [int(event_id) for event_id, name in found if name == coder]

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
                    uid=row.uid, start=row.seg_start, end=row.seg_end)
