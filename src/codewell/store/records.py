"""Responses, codebook versions, coders, statuses and memos: everything but the decision log."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, delete, func, insert, select

from codewell.values import Codebook, Response, Status
from codewell.store import schema


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Records:
    engine: Engine
    _coder_ids: dict[str, int]
    _response_pks: dict[str, int] | None

    # -- codebook versions -------------------------------------------------------------
    def add_codebook_version(self, codebook: Codebook, body: str, note: str = "") -> int:
        with self.engine.begin() as conn:
            latest = conn.execute(select(func.max(schema.codebook_versions.c.version))).scalar() or 0
            version = latest + 1
            conn.execute(insert(schema.codebook_versions).values(
                version=version, created_at=_now(), content_hash=codebook.content_hash(),
                title=codebook.title, body=body, note=note))
            conn.execute(insert(schema.codes), [
                {"version": version, "position": i, "code_id": c.id, "label": c.label,
                 "code_group": c.group, "parent": c.parent}
                for i, c in enumerate(codebook.codes)])
        return version

    def latest_codebook(self) -> tuple[int, str]:
        """(version, JSON body) of the newest codebook version."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(schema.codebook_versions.c.version, schema.codebook_versions.c.body)
                .order_by(schema.codebook_versions.c.version.desc()).limit(1)).first()
        if row is None:
            raise LookupError("project has no codebook")
        return int(row[0]), str(row[1])

    def codebook_history(self) -> list[tuple[int, datetime, str, str]]:
        """(version, created_at, hash, note) of every version, oldest first."""
        t = schema.codebook_versions
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(  # type: ignore[misc]
                select(t.c.version, t.c.created_at, t.c.content_hash, t.c.note).order_by(t.c.version))]

    # -- responses -----------------------------------------------------------------------
    def response_pks(self) -> dict[str, int]:
        if self._response_pks is None:
            with self.engine.connect() as conn:
                self._response_pks = dict(conn.execute(
                    select(schema.responses.c.source_id, schema.responses.c.pk)).all())
        return self._response_pks

    def load_responses(self) -> list[Response]:
        """Every response in import order; also fills the id -> key cache from the same read.

        Attribute objects are decoded once per distinct JSON text: survey attributes repeat
        (profession, setting, ...), and decoding 100,000 copies was most of a large project's start.
        """
        t = schema.responses
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.pk, t.c.source_id, t.c.text, t.c.source_row, t.c.attributes)
                                .order_by(t.c.pk)).all()
        decoded: dict[str, dict[str, str]] = {}
        responses = []
        for _pk, source_id, text, row, attributes in rows:
            value = decoded.get(attributes)
            if value is None:
                value = decoded[attributes] = json.loads(attributes)
            responses.append(Response(id=source_id, text=text, row=row, attributes=value))
        self._response_pks = {r[1]: r[0] for r in rows}
        return responses

    def existing_texts(self, ids: Iterable[str]) -> dict[str, str]:
        """Texts of those ``ids`` already stored; one scan beats thousands of IN-lookups."""
        wanted = set(ids)
        t = schema.responses
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.source_id, t.c.text)).all()
        return {rid: text for rid, text in rows if rid in wanted}

    def insert_responses(self, responses: Sequence[Response], source_file: str) -> None:
        """One bulk insert in one transaction: all rows or none.

        The DB-API ``executemany`` is used directly because building 100,000 parameter dicts
        through SQLAlchemy's compiler costs three times the insert itself.
        """
        if not responses:
            return
        encode = json.JSONEncoder(ensure_ascii=False).encode
        encoded: dict[tuple[tuple[str, str], ...], str] = {}  # attribute sets repeat across rows
        rows = []
        for r in responses:
            key = tuple(r.attributes.items())
            text = encoded.get(key)
            if text is None:
                text = encoded[key] = encode(r.attributes)
            rows.append((r.id, r.text, r.row, text, r.is_empty, source_file))
        t = schema.responses
        columns = (t.c.source_id, t.c.text, t.c.source_row, t.c.attributes, t.c.is_empty, t.c.source_file)
        with self.engine.begin() as conn:
            marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            sql = (f"INSERT INTO {t.name} ({', '.join(c.name for c in columns)}) "
                   f"VALUES ({', '.join([marker] * len(columns))})")
            conn.exec_driver_sql(sql, rows)
        self._response_pks = None

    def response_counts(self) -> tuple[int, int]:
        t = schema.responses
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(t)).scalar() or 0
            empty = conn.execute(select(func.count()).select_from(t).where(t.c.is_empty)).scalar() or 0
        return int(total), int(empty)

    # -- coders --------------------------------------------------------------------------
    def coder_names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(schema.coders.c.name).order_by(schema.coders.c.id)).scalars())

    def coder_id(self, conn: Connection, name: str, create: bool = True) -> int | None:
        if name in self._coder_ids:
            return self._coder_ids[name]
        found = conn.execute(select(schema.coders.c.id).where(schema.coders.c.name == name)).scalar()
        if found is None and create:
            found = conn.execute(insert(schema.coders).values(name=name, created_at=_now())).inserted_primary_key[0]
        if found is not None:
            self._coder_ids[name] = int(found)
        return found

    # -- statuses and memos ----------------------------------------------------------------
    def set_status(self, coder: str, response_pk: int, status: Status) -> None:
        t = schema.statuses
        with self.engine.begin() as conn:
            coder_id = self.coder_id(conn, coder)
            conn.execute(delete(t).where(t.c.coder_id == coder_id, t.c.response_pk == response_pk))
            if status is not Status.UNCODED:
                conn.execute(insert(t).values(coder_id=coder_id, response_pk=response_pk,
                                              status=status.value, updated_at=_now()))

    def set_statuses(self, conn: Connection, coder_id: int, pks: Sequence[int], status: Status) -> None:
        t = schema.statuses
        for start in range(0, len(pks), 900):
            chunk = list(pks[start:start + 900])
            conn.execute(delete(t).where(t.c.coder_id == coder_id, t.c.response_pk.in_(chunk)))
        conn.execute(insert(t), [{"coder_id": coder_id, "response_pk": pk, "status": status.value,
                                  "updated_at": _now()} for pk in pks])

    def statuses(self, coder: str) -> dict[str, Status]:
        return {rid: Status(value) for rid, value in self._per_coder(schema.statuses, "status", coder)}

    def status_counts(self) -> dict[str, dict[str, int]]:
        t, c = schema.statuses, schema.coders
        counts: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for name, status, n in conn.execute(
                    select(c.c.name, t.c.status, func.count()).select_from(t).join(c, c.c.id == t.c.coder_id)
                    .group_by(c.c.name, t.c.status)):
                counts.setdefault(name, {})[status] = int(n)
        return counts

    def set_memo(self, coder: str, response_pk: int, text: str) -> None:
        t = schema.memos
        with self.engine.begin() as conn:
            coder_id = self.coder_id(conn, coder)
            conn.execute(delete(t).where(t.c.coder_id == coder_id, t.c.response_pk == response_pk))
            if text.strip():
                conn.execute(insert(t).values(coder_id=coder_id, response_pk=response_pk,
                                              text=text, updated_at=_now()))

    def memos(self, coder: str) -> dict[str, str]:
        return dict(self._per_coder(schema.memos, "text", coder))

    def _per_coder(self, table, column: str, coder: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        r, c = schema.responses, schema.coders
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(  # type: ignore[misc]
                select(r.c.source_id, table.c[column])
                .join(r, r.c.pk == table.c.response_pk).join(c, c.c.id == table.c.coder_id)
                .where(c.c.name == coder).order_by(r.c.pk))]
