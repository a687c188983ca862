"""Responses, codebook versions, coders, statuses and memos: everything but the decision log.

These are operations of one :class:`~codewell.store.unit.Unit` (one transaction): every method
reads and writes through the unit's connection, so a command's writes commit or roll back together
and nothing read here outlives the transaction it was read in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timezone

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from codewell.values import Codebook, Response, Status
from codewell.store import decode, schema, search
from codewell.store.dialect import insert_ignoring_duplicates
from codewell.store.pages import shuffle_key

#: SQLite allows 999 bound parameters in old builds; stay well below it.
CHUNK = 900


def now() -> datetime:
    return datetime.now(timezone.utc)


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:  # type: ignore[type-arg]
    for start in range(0, len(items), size):
        yield items[start:start + size]


class RecordOps:
    forget_reference_answers: Callable[[Sequence[str]], None]  # ReferenceOps, mixed in beside this class
    conn: Connection
    _coder_ids: dict[str, int]

    # -- codebook versions -------------------------------------------------------------
    def add_codebook_version(self, codebook: Codebook, body: str, note: str = "") -> int:
        latest = self.conn.execute(select(func.max(schema.codebook_versions.c.version))).scalar() or 0
        version = latest + 1
        self.conn.execute(insert(schema.codebook_versions).values(
            version=version, created_at=now(), content_hash=codebook.content_hash(),
            title=codebook.title, body=body, note=note))
        self.conn.execute(insert(schema.codes), [
            {"version": version, "position": i, "code_id": c.id, "label": c.label,
             "code_group": c.group, "parent": c.parent}
            for i, c in enumerate(codebook.codes)])
        return version

    def latest_codebook(self) -> tuple[int, str]:
        """(version, JSON body) of the newest codebook version."""
        row = self.conn.execute(
            select(schema.codebook_versions.c.version, schema.codebook_versions.c.body)
            .order_by(schema.codebook_versions.c.version.desc()).limit(1)).first()
        if row is None:
            raise decode.damaged("no codebook stored")
        return int(row[0]), str(row[1])

    def latest_codebook_version(self) -> int:
        """The newest codebook version's number alone: what a screen asks as it moves on, to
        learn whether another session changed the codebook."""
        t = schema.codebook_versions
        return int(self.conn.execute(select(func.max(t.c.version))).scalar() or 0)

    def codebook_history(self) -> list[tuple[int, datetime, str, str]]:
        """(version, created_at, hash, note) of every version, oldest first."""
        t = schema.codebook_versions
        return [(version, at if at.tzinfo else at.replace(tzinfo=timezone.utc), digest, note)
                for version, at, digest, note in self.conn.execute(  # the same instant on both engines
                    select(t.c.version, t.c.created_at, t.c.content_hash, t.c.note).order_by(t.c.version))]

    # -- responses -----------------------------------------------------------------------
    def response_pks(self, ids: Sequence[str] | None = None) -> dict[str, int]:
        """Storage keys of ``ids`` (those that exist), or of every response when ``ids`` is None."""
        t = schema.responses
        if ids is None:
            return dict(self.conn.execute(select(t.c.source_id, t.c.pk)).all())  # type: ignore[arg-type]
        found: dict[str, int] = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            found.update(self.conn.execute(
                select(t.c.source_id, t.c.pk).where(t.c.source_id.in_(chunk))).all())  # type: ignore[arg-type]
        return found

    def load_responses(self) -> list[Response]:
        """Every response in import order.

        Attribute objects are decoded once per distinct JSON text: survey attributes repeat
        (profession, setting, ...), and decoding 100,000 copies was most of a large project's start.
        """
        t = schema.responses
        rows = self.conn.execute(select(t.c.pk, t.c.source_id, t.c.text, t.c.source_row, t.c.attributes)
                                 .order_by(t.c.pk)).all()
        decoded: dict[str, dict[str, str]] = {}
        responses = []
        for pk, source_id, text, row, attributes in rows:
            source_id, text = decode.response_text(source_id, text, pk)
            value = decoded.get(attributes)
            if value is None:
                value = decoded[attributes] = decode.attributes(attributes, source_id)
            responses.append(Response(id=source_id, text=text, row=row, attributes=value))
        return responses

    def sampling_frame(self, *, non_empty: bool, attribute: str | None = None) -> tuple[list[str], list[str]]:
        """Response ids in import order (the non-empty ones only if asked), and each one's value
        of ``attribute`` ("" where it has none; an empty list without ``attribute``).

        Drawing a sample needs every id, never the texts: reading only ids keeps a draw over a
        million responses to the memory of their ids instead of the whole project.
        """
        t = schema.responses
        query = select(t.c.source_id, *([t.c.attributes] if attribute is not None else ()))
        if non_empty:
            query = query.where(t.c.is_empty.is_(False))
        ids: list[str] = []
        values: list[str] = []
        decoded: dict[str, str] = {}
        for row in self.conn.execute(query.order_by(t.c.pk)):
            ids.append(row[0])
            if attribute is not None:
                value = decoded.get(row[1])
                if value is None:
                    value = decoded[row[1]] = decode.attributes(row[1], row[0]).get(attribute, "")
                values.append(value)
        return ids, values

    def folded_response_ids(self) -> set[str]:
        """Every stored id, case-folded: what an import checks its ids against, so that "is001"
        is not stored beside "IS001". Ids only, one row at a time, and only the set is kept."""
        t = schema.responses
        try:
            return {rid.casefold() for rid in self.conn.execute(select(t.c.source_id)).scalars()}
        except AttributeError:  # an id that is not text (a hand edit): name its row
            for pk, rid in self.conn.execute(select(t.c.pk, t.c.source_id)):
                decode.response_text(rid, "", pk)
            raise

    def case_twins(self, folded: Collection[str]) -> dict[str, str]:
        """For each of the case-folded ``folded``, the first stored id (in import order) that
        folds to it, if any: the "did you mean" of an id that differs from it only in case.
        Reads every id, so it is for an error's message, not for every import."""
        wanted = set(folded)
        t = schema.responses
        found: dict[str, str] = {}
        for rid in self.conn.execute(select(t.c.source_id).order_by(t.c.pk)).scalars():
            if type(rid) is str and rid.casefold() in wanted:
                found.setdefault(rid.casefold(), rid)
        return found

    def existing_texts(self, ids: Sequence[str]) -> dict[str, str]:
        """Texts of those ``ids`` already stored."""
        t = schema.responses
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            found.update(self.conn.execute(
                select(t.c.source_id, t.c.text).where(t.c.source_id.in_(chunk))).all())  # type: ignore[arg-type]
        return found

    def update_attributes(self, attributes: dict[str, dict[str, str]]) -> None:
        """Replace the attributes of stored responses, by id (an import told to take its file's)."""
        if not attributes:
            return
        t = schema.responses
        encode = json.JSONEncoder(ensure_ascii=False).encode
        self.conn.execute(t.update().where(t.c.source_id == bindparam("rid")).values(attributes=bindparam("values")),
                          [{"rid": rid, "values": encode(values)} for rid, values in attributes.items()])

    def insert_responses(self, responses: Sequence[Response], source_file: str) -> None:
        """One bulk insert inside the unit's transaction.

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
            rows.append((r.id, r.text, r.row, text, r.is_empty, source_file, shuffle_key(r.id)))
        t = schema.responses
        columns = (t.c.source_id, t.c.text, t.c.source_row, t.c.attributes, t.c.is_empty, t.c.source_file,
                   t.c.shuffle)
        marker = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        sql = (f"INSERT INTO {t.name} ({', '.join(c.name for c in columns)}) "
               f"VALUES ({', '.join([marker] * len(columns))})")
        last = self.conn.execute(select(func.max(t.c.pk))).scalar() or 0
        self.conn.exec_driver_sql(sql, rows)
        search.index_added(self.conn, last)
        self.forget_reference_answers([r.text for r in responses])

    def response_counts(self) -> tuple[int, int]:
        t = schema.responses
        total = self.conn.execute(select(func.count()).select_from(t)).scalar() or 0
        empty = self.conn.execute(select(func.count()).select_from(t).where(t.c.is_empty)).scalar() or 0
        return int(total), int(empty)

    # -- coders --------------------------------------------------------------------------
    def coder_names(self) -> list[str]:
        return list(self.conn.execute(select(schema.coders.c.name).order_by(schema.coders.c.id)).scalars())

    def coder_id(self, name: str, create: bool = True) -> int | None:
        """The coder's id, created on first use. Safe when two processes create the same coder:
        the insert ignores a duplicate and the id is read back from the committed row."""
        if name in self._coder_ids:
            return self._coder_ids[name]
        c = schema.coders
        found = self.conn.execute(select(c.c.id).where(c.c.name == name)).scalar()
        if found is None and create:
            refuse_case_twin(name, self.coder_names())
            self.conn.execute(insert_ignoring_duplicates(self.conn, c, {"name": name, "created_at": now()},
                                                         ["name"]))
            found = self.conn.execute(select(c.c.id).where(c.c.name == name)).scalar()
        if found is not None:
            self._coder_ids[name] = int(found)
        return found

    # -- statuses and memos ----------------------------------------------------------------
    def set_statuses(self, coder: str, pks: Sequence[int], status: Status) -> None:
        t = schema.statuses
        coder_id = self.coder_id(coder)
        for chunk in chunks(list(pks)):
            self.conn.execute(delete(t).where(t.c.coder_id == coder_id, t.c.response_pk.in_(chunk)))
        if status is not Status.UNCODED and pks:
            self.conn.execute(insert(t), [{"coder_id": coder_id, "response_pk": pk, "status": status.value,
                                           "updated_at": now()} for pk in pks])

    def statuses(self, coder: str) -> dict[str, Status]:
        return {rid: decode.status(value, rid) for rid, value in self._per_coder(schema.statuses, "status", coder)}

    def status_count(self, coder: str) -> int:
        """How many responses ``coder`` holds a status on. The primary key's index alone answers
        it: about 8 ms at 100,000, where counting each status reads every row (80-150 ms)."""
        return self._count_of(schema.statuses, coder)

    def _count_of(self, table, coder: str) -> int:  # type: ignore[no-untyped-def]
        """Rows of ``table`` (keyed by coder, response) that are ``coder``'s."""
        coder_id = self.coder_id(coder, create=False)
        if coder_id is None:
            return 0
        return int(self.conn.execute(select(func.count()).select_from(table)
                                     .where(table.c.coder_id == coder_id)).scalar() or 0)

    def status_counts(self) -> dict[str, dict[str, int]]:
        t, c = schema.statuses, schema.coders
        counts: dict[str, dict[str, int]] = {}
        for name, status, n in self.conn.execute(
                select(c.c.name, t.c.status, func.count()).select_from(t).join(c, c.c.id == t.c.coder_id)
                .group_by(c.c.name, t.c.status)):
            counts.setdefault(name, {})[status] = int(n)
        return counts

    def set_memo(self, coder: str, response_pk: int, text: str) -> None:
        t = schema.memos
        coder_id = self.coder_id(coder)
        self.conn.execute(delete(t).where(t.c.coder_id == coder_id, t.c.response_pk == response_pk))
        if text.strip():
            self.conn.execute(insert(t).values(coder_id=coder_id, response_pk=response_pk,
                                               text=text, updated_at=now()))

    def memos(self, coder: str) -> dict[str, str]:
        return dict(self._per_coder(schema.memos, "text", coder))

    def _per_coder(self, table, column: str, coder: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        r, c = schema.responses, schema.coders
        return [tuple(row) for row in self.conn.execute(  # type: ignore[misc]
            select(r.c.source_id, table.c[column])
            .join(r, r.c.pk == table.c.response_pk).join(c, c.c.id == table.c.coder_id)
            .where(c.c.name == coder).order_by(r.c.pk))]


def refuse_case_twin(name: str, known: Iterable[str]) -> None:
    """Refuse a new coder ``name`` that differs from a known coder's only in case: "Ana" beside
    "ana" was a second coder made without a word (a codings file, ``code --coder Ana``), her
    decisions split in two and agreement computed against herself."""
    from codewell.errors import UnknownNameError

    twin = next((other for other in known if other != name and other.casefold() == name.casefold()), None)
    if twin is not None:
        raise UnknownNameError(f"there is no coder '{name}', but there is '{twin}': coder names are matched exactly",
                               hint=f"did you mean '{twin}'? A separate coder needs a name that differs by more "
                                    "than upper and lower case")
