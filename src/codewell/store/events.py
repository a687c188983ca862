"""The append-only decision log, and the current codings derived from it.

A coder's current codes for a response are the codes whose latest event is an ``apply``. Undo
appends the inverse of the coder's latest event that is neither an undo nor already undone, so
pressing undo repeatedly walks back through history without erasing any of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, func, insert, select

from codewell.values import Decision
from codewell.store import schema

#: (response_pk, code, action, probability, from_suggestion)
EventRow = tuple[int, str, str, float | None, bool]


class EventLog:
    engine: Engine

    # Provided by Records, which Database mixes in beside this class.
    coder_id: Callable[..., int | None]

    def append_events(self, coder: str, rows: Sequence[EventRow], codebook_version: int,
                      suggestions_on: bool, conn: Connection | None = None, note: str = "") -> list[int]:
        """Insert events in one transaction (the caller's, if given) and return their ids."""
        if conn is None:
            with self.engine.begin() as own:
                return self.append_events(coder, rows, codebook_version, suggestions_on, own, note)
        coder_id = self.coder_id(conn, coder)
        at = datetime.now(timezone.utc)
        ids = []
        for pk, code, action, probability, from_suggestion in rows:
            result = conn.execute(insert(schema.decisions).values(
                coder_id=coder_id, response_pk=pk, code_id=code, action=action, at=at,
                codebook_version=codebook_version, probability=probability,
                from_suggestion=from_suggestion, suggestions_on=suggestions_on, note=note))
            ids.append(int(result.inserted_primary_key[0]))
        return ids

    def undo_last(self, coder: str, codebook_version: int) -> int | None:
        d = schema.decisions
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None)).scalar_subquery()
        with self.engine.begin() as conn:
            coder_id = self.coder_id(conn, coder, create=False)
            if coder_id is None:
                return None
            last = conn.execute(
                select(d.c.id, d.c.response_pk, d.c.code_id, d.c.action, d.c.suggestions_on)
                .where(d.c.coder_id == coder_id, d.c.undoes.is_(None), d.c.id.not_in(undone))
                .order_by(d.c.id.desc()).limit(1)).first()
            if last is None:
                return None
            inverse = "remove" if last.action == "apply" else "apply"
            result = conn.execute(insert(schema.decisions).values(
                coder_id=coder_id, response_pk=last.response_pk, code_id=last.code_id,
                action=inverse, at=datetime.now(timezone.utc), codebook_version=codebook_version,
                from_suggestion=False, suggestions_on=last.suggestions_on, undoes=last.id, note="undo"))
            return int(result.inserted_primary_key[0])

    def append_shown(self, coder: str, response_pk: int, rows: Sequence[tuple[str, float, bool]]) -> None:
        """What the model showed a coder for one response: (code, probability, suggested)."""
        at = datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            coder_id = self.coder_id(conn, coder)
            conn.execute(insert(schema.shown_suggestions), [
                {"coder_id": coder_id, "response_pk": response_pk, "code_id": code,
                 "probability": probability, "suggested": suggested, "at": at}
                for code, probability, suggested in rows])

    def last_shown(self, coder: str) -> dict[str, frozenset[str]]:
        """Per response, the codes suggested the last time suggestions were shown to ``coder``."""
        s, r, c = schema.shown_suggestions, schema.responses, schema.coders
        last = (select(s.c.response_pk, func.max(s.c.at).label("at")).select_from(s)
                .join(c, c.c.id == s.c.coder_id).where(c.c.name == coder)
                .group_by(s.c.response_pk).subquery())
        shown: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            coder_id = self.coder_id(conn, coder, create=False)
            if coder_id is None:
                return {}
            for source_id, code, suggested in conn.execute(
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
        with self.engine.connect() as conn:
            for source_id, code in conn.execute(
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
        if ids is not None:
            query = query.where(d.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return [_decision(row) for row in conn.execute(query)]

    def decision_counts(self) -> dict[str, int]:
        d, c = schema.decisions, schema.coders
        with self.engine.connect() as conn:
            return {name: int(n) for name, n in conn.execute(
                select(c.c.name, func.count()).select_from(d).join(c, c.c.id == d.c.coder_id)
                .group_by(c.c.name))}

    def latest_events(self, coder: str) -> dict[tuple[str, str], Decision]:
        """The latest event per (response id, code) of a coder: what export's long layout shows."""
        d, c = schema.decisions, schema.coders
        latest = (select(func.max(d.c.id)).select_from(d).join(c, c.c.id == d.c.coder_id)
                  .where(c.c.name == coder).group_by(d.c.response_pk, d.c.code_id))
        with self.engine.connect() as conn:
            ids = list(conn.execute(latest).scalars())
        found: dict[tuple[str, str], Decision] = {}
        for start in range(0, len(ids), 900):
            for decision in self.decisions(coder, ids[start:start + 900]):
                found[(decision.response_id, decision.code)] = decision
        return found


def _decision(row) -> Decision:  # type: ignore[no-untyped-def]
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
    return Decision(id=row.id, coder=row.name, response_id=row.source_id, code=row.code_id,
                    action=row.action, at=at, codebook_version=row.codebook_version,
                    probability=row.probability, from_suggestion=bool(row.from_suggestion),
                    suggestions_on=bool(row.suggestions_on), undoes=row.undoes, note=row.note)

