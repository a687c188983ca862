"""The reference set: coded responses of another study, kept whole in the project.

Operations of one :class:`~codewell.store.unit.Unit`. A project holds at most one reference;
replacing it deletes the old rows and writes the new ones in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, insert, select, update

from codewell.store import decode, schema
from codewell.values import ReferenceSet

_FIELDS = ("source", "codes", "added_at")
#: What to do about a damaged reference: it is a copy of a file, so the file can bring it back.
REFERENCE_HINT = ("add the reference again (codewell reference PROJECT FILE.csv) or drop it "
                  "(codewell reference PROJECT --clear)")
_IN_CHUNK = 500


class ReferenceOps:
    conn: Connection

    def replace_reference(self, reference: ReferenceSet | None) -> None:
        """Store ``reference`` instead of whatever reference the project had (None: none)."""
        m, t = schema.meta, schema.reference_rows
        keys = [schema.REFERENCE_KEY + name for name in _FIELDS]
        self.conn.execute(delete(t))
        self.conn.execute(delete(m).where(m.c.key.in_(keys)))
        if reference is None:
            return
        values = (reference.source, json.dumps(list(reference.codes)), reference.added_at)
        self.conn.execute(insert(m), [{"key": k, "value": v} for k, v in zip(keys, values, strict=True)])
        self.conn.execute(insert(t), [{"source_id": rid, "text": text, "codes": json.dumps(sorted(codes))}
                                      for rid, text, codes in zip(reference.ids, reference.texts,
                                                                  reference.labels, strict=True)])

    def shared_answers(self, texts: Sequence[str]) -> set[str]:
        """Which of ``texts`` (stripped) are also, word for word, responses of this project."""
        r = schema.responses
        wanted = sorted({t for text in texts for t in (text, text.strip()) if t.strip()})
        found: set[str] = set()
        for start in range(0, len(wanted), _IN_CHUNK):
            found.update(text.strip() for text in self.conn.execute(
                select(r.c.text).where(r.c.text.in_(wanted[start:start + _IN_CHUNK]))).scalars())
        return found

    def forget_reference_answers(self, texts: Sequence[str]) -> None:
        """Drop the reference rows that repeat one of ``texts`` (responses just added to this
        project), as adding the reference would have: a reference teaches from other studies
        only."""
        t = schema.reference_rows
        if self.conn.execute(select(t.c.pk).limit(1)).first() is None:
            return
        added = {text.strip() for text in texts if text.strip()}
        shared = [pk for pk, text in self.conn.execute(select(t.c.pk, t.c.text)) if text.strip() in added]
        for start in range(0, len(shared), _IN_CHUNK):
            self.conn.execute(delete(t).where(t.c.pk.in_(shared[start:start + _IN_CHUNK])))

    def move_reference_codes(self, moves: Sequence[tuple[str, str]], codes_before: Sequence[str]) -> None:
        """Carry a codebook change's moves (old id -> new id) into the reference, as coders'
        decisions are carried: a renamed code keeps its reference labels under its new id; a code
        merged into one the reference also labels adds its labels to that code's; merged into one
        the reference does not label, it falls silent (the reference cannot say which of its
        answers the other code covers). ``codes_before``: the codebook's ids before the change."""
        found = self._reference_meta()
        if not found or not moves:
            return
        _, stored, _ = _fields(found)
        spoken = list(decode.code_list(stored, "the codes of the reference set", REFERENCE_HINT))
        relabel: dict[str, str | None] = {}
        for old, new in moves:
            if old not in spoken:
                continue
            if new in spoken:  # merged into a code the reference labels
                relabel[old] = new
                spoken.remove(old)
            elif new not in codes_before:  # renamed
                relabel[old] = new
                spoken[spoken.index(old)] = new
            else:  # merged into a code the reference does not label
                relabel[old] = None
                spoken.remove(old)
        if not relabel:
            return
        m, t = schema.meta, schema.reference_rows
        self.conn.execute(update(m).where(m.c.key == schema.REFERENCE_KEY + "codes")
                          .values(value=json.dumps(spoken)))
        for pk, rid, codes in self.conn.execute(select(t.c.pk, t.c.source_id, t.c.codes)).all():
            held = decode.code_list(codes, f"the codes of reference answer {rid!r}", REFERENCE_HINT)
            if any(code in relabel for code in held):
                moved = {relabel.get(code, code) for code in held} - {None}
                self.conn.execute(update(t).where(t.c.pk == pk).values(codes=json.dumps(sorted(moved))))

    def has_reference(self) -> bool:
        """Whether any of a reference is stored (read without decoding it, so a damaged one can
        still be dropped)."""
        return bool(self._reference_meta()) or self.conn.execute(
            select(schema.reference_rows.c.pk).limit(1)).first() is not None

    def reference_problems(self) -> list[tuple[str | None, str]]:
        """(answer id, or None for the reference itself; what is wrong) for everything of the
        reference that codewell never writes."""
        t = schema.reference_rows
        found = self._reference_meta()
        rows = self.conn.execute(select(t.c.source_id, t.c.codes).order_by(t.c.pk)).all()
        if not found and not rows:
            return []
        missing = [name for name in _FIELDS if schema.REFERENCE_KEY + name not in found]
        problems: list[tuple[str | None, str]] = [(None, f"no {name!r} entry") for name in missing]
        if "codes" not in missing and not decode.is_code_list(found[schema.REFERENCE_KEY + "codes"]):
            problems.append((None, "its codes are not a JSON list of code ids"))
        problems += [(rid, f"codes {codes[:40]!r} are not a JSON list of code ids")
                     for rid, codes in rows if not decode.is_code_list(codes)]
        return problems

    def reference_summary(self) -> dict[str, str | int] | None:
        """Where the reference came from, when, and how many answers it holds (rows unread)."""
        found = self._reference_meta()
        if not found:
            return None
        source, _, added_at = _fields(found)
        count = self.conn.execute(select(func.count()).select_from(schema.reference_rows)).scalar_one()
        return {"source": source, "added_at": added_at, "responses": int(count)}

    def _reference_meta(self) -> dict[str, str]:
        m = schema.meta
        return dict(self.conn.execute(select(m.c.key, m.c.value)
                                      .where(m.c.key.startswith(schema.REFERENCE_KEY))).all())

    def reference(self) -> ReferenceSet | None:
        t = schema.reference_rows
        found = self._reference_meta()
        if not found:
            return None
        rows: Sequence[tuple[str, str, str]] = self.conn.execute(
            select(t.c.source_id, t.c.text, t.c.codes).order_by(t.c.pk)).all()
        source, codes, added_at = _fields(found)
        return ReferenceSet(
            source=source, codes=decode.code_list(codes, "the codes of the reference set", REFERENCE_HINT),
            added_at=added_at, ids=tuple(r[0] for r in rows), texts=tuple(r[1] for r in rows),
            labels=tuple(frozenset(decode.code_list(r[2], f"the codes of reference answer {r[0]!r}",
                                                    REFERENCE_HINT)) for r in rows))


def _fields(found: dict[str, str]) -> tuple[str, str, str]:
    """Source, codes (JSON) and added_at of a reference's meta entries, all three or damage."""
    missing = [name for name in _FIELDS if schema.REFERENCE_KEY + name not in found]
    if missing:
        raise decode.damaged(f"the reference set has no {missing[0]!r} entry", REFERENCE_HINT)
    source, codes, added_at = (found[schema.REFERENCE_KEY + name] for name in _FIELDS)
    return source, codes, added_at
