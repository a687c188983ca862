"""A whole project checked against codewell's own rules, one set-based statement per rule.

A project file can be edited by hand (a DB browser, a script), and SQLite only enforces foreign
keys on the connections that ask for it, so rows can come to break rules that codewell never breaks
itself: a decision naming a code that no codebook version held, or a coder or response that does
not exist; a segment's span reversed or past its text; a status or attributes codewell never
writes; the full-text index dropped or out of step with the responses. Each rule here is one
statement that returns its first ``limit`` offending rows and how many there are in all
(``count(*) OVER ()``), so the check costs a few scans of the project whatever it holds, and never a
Python loop over its rows.

Operations of one :class:`~codewell.store.unit.Unit`: :meth:`IntegrityOps.integrity_problems` only
reads; :meth:`IntegrityOps.repair_derived` writes what is derived from the stored rows (the search
index, the indexes that keep reads fast) and nothing a coder decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement, Connection, FromClause, Select, String, UniqueConstraint, and_, cast, exists, func, inspect, literal,
    literal_column, or_, select, text, union_all,
)
from sqlalchemy.exc import DBAPIError

from codewell.fuzzy import did_you_mean
from codewell.store import schema, search
from codewell.store.structure import missing_columns, missing_keys, unreadable_codebook
from codewell.values import Status

SEARCH_KINDS = frozenset({"search_index_missing", "search_index_stale"})
#: Rebuilt by :meth:`IntegrityOps.repair_derived` from the stored rows alone.
DERIVED = SEARCH_KINDS | {"missing_index"}
#: The full-text index's names (SQLite's table, PostgreSQL's GIN index).
SEARCH_INDEXES = frozenset({search.FTS_TABLE, search.PG_INDEX})
_INDEXES = [index for table in schema.metadata.tables.values() for index in table.indexes]
#: Indexes that only make reads fast: rebuilt by a repair.
SPEED_INDEXES = frozenset({index.name for index in _INDEXES if not index.unique} | {search.CORE_INDEX})
#: Unique indexes hold a rule (a retried event is stored once, nothing is undone twice): one gone
#: may have let rows in that break it, so it is reported, never rebuilt.
RULE_INDEXES = frozenset(index.name for index in _INDEXES if index.unique)
#: How many lines of SQLite's own integrity check are read at most.
STORAGE_LINES = 100
#: Lines of SQLite's integrity check about a row breaking a schema rule, not about the file.
ROW_RULES = ("CHECK constraint failed", "NULL value in")
#: Reported row by row by a rule below instead (statuses hold only the values codewell writes).
COVERED = frozenset({"CHECK constraint failed in statuses"})
#: A flat JSON object of text values, as codewell writes attributes (PostgreSQL 15 has no way to
#: test whether text parses as JSON without failing the transaction, so the shape is matched).
_STRING = r'"([^"\\]|\\.)*"'
_PAIR = rf"\s*{_STRING}\s*:\s*{_STRING}\s*"
PG_FLAT_OBJECT = rf"^\s*\{{({_PAIR}(,{_PAIR})*|\s*)\}}\s*$"


@dataclass(frozen=True)
class Problem:
    """One row that breaks a rule: where it is (what applies of response, coder, decision, code,
    or a table's row) and what was found there."""

    found: str
    response_id: str | None = None
    coder: str | None = None
    decision_id: int | None = None
    code: str | None = None
    row: str | None = None


@dataclass(frozen=True)
class Problems:
    """Every row breaking one rule: how many, and the first of them in storage order."""

    kind: str
    total: int
    first: tuple[Problem, ...]


def _coder(name: str | None, coder_id: int) -> str:
    return name if name is not None else f"#{coder_id} (no such coder)"


def _response(source_id: str | None, pk: int) -> str:
    return source_id if source_id is not None else f"#{pk} (no such response)"


class IntegrityOps:
    conn: Connection
    reference_problems: Callable[[], list[tuple[str | None, str]]]  # ReferenceOps, mixed in beside this class

    def project_size(self) -> tuple[int, int]:
        """(responses, decisions) stored."""
        count = func.count()
        return (int(self.conn.execute(select(count).select_from(schema.responses)).scalar() or 0),
                int(self.conn.execute(select(count).select_from(schema.decisions)).scalar() or 0))

    def integrity_problems(self, limit: int) -> tuple[Problems, ...]:
        """Every rule that some rows break (none: the project is sound), reading only."""
        tables = set(inspect(self.conn).get_table_names())
        missing = sorted(set(schema.metadata.tables) - tables)
        if missing:  # the rules read those tables: the file is not one codewell can reason about
            return (Problems("missing_tables", len(missing), tuple(Problem(f"no table {name}") for name in missing)),)
        columns = missing_columns(self.conn)
        if columns:  # likewise: every rule's statement names the columns it reads
            return (Problems("missing_columns", len(columns), tuple(Problem(f"no column {name}") for name in columns)),)
        found = [self._codebook_problems(), *self._storage_problems()]
        if not found[1].total:
            found += [check(self, limit) for check in _RULES]
            indexes = self._index_names()
            found += [self._search_index_problems(tables, indexes, limit), *self._missing_indexes(indexes)]
            keys = missing_keys(self.conn)  # after the rows they let in (duplicate_rows), which say more
            found.append(Problems("missing_keys", len(keys), tuple(Problem(f"no {key}") for key in keys)))
        return tuple(p for p in found if p is not None and p.total)

    # -- the file and the codebook ----------------------------------------------------------
    def _codebook_problems(self) -> Problems | None:
        body = self.conn.execute(select(schema.codebook_versions.c.body)
                                 .order_by(schema.codebook_versions.c.version.desc()).limit(1)).scalar()
        if body is None:
            return Problems("codebook", 1, (Problem("no codebook version is stored"),))
        wrong = unreadable_codebook(body)
        return None if wrong is None else Problems("codebook", 1, (Problem(f"the latest codebook version {wrong}"),))

    def _storage_problems(self) -> tuple[Problems, Problems]:
        """SQLite's own ``integrity_check``: damage to the file (pages, b-trees, indexes against
        their tables), and rows breaking a NOT NULL or CHECK rule of the schema, which it reports
        too. A server keeps its storage sound and its rules enforced: nothing to ask it here."""
        if self.conn.dialect.name == "postgresql":
            return Problems("storage", 0, ()), Problems("constraint", 0, ())
        # On a connection of its own: some damage stops the check itself ("database disk image is
        # malformed", depending on what a scribbled page held), and leaves the connection that met
        # it unable even to end its read (SQLite's pager stays in its error state until a rollback).
        try:
            with self.conn.engine.connect() as apart:
                rows = apart.exec_driver_sql(f"PRAGMA integrity_check({STORAGE_LINES})").all()
        except DBAPIError as error:
            if not any(sign in str(error.orig) for sign in ("malformed", "corrupt", "not a database")):
                raise
            stopped = Problem(f"SQLite's check stopped: {error.orig}")  # that is the finding
            return Problems("storage", 1, (stopped,)), Problems("constraint", 0, ())
        lines = [line.strip() for row in rows for line in str(row[0]).splitlines()
                 if line.strip() and not line.startswith("***")]
        damage = [line for line in lines if line != "ok" and not line.startswith(ROW_RULES)]
        rules = [line for line in lines if line.startswith(ROW_RULES) and line not in COVERED]
        return (Problems("storage", len(damage), tuple(Problem(line) for line in damage)),
                Problems("constraint", len(rules), tuple(Problem(line) for line in rules)))

    # -- the search index -------------------------------------------------------------------
    def _index_names(self) -> set[str]:
        if self.conn.dialect.name == "postgresql":
            return set(self.conn.execute(text("SELECT indexname FROM pg_indexes "
                                              "WHERE schemaname = current_schema()")).scalars())
        return set(self.conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())

    def _missing_indexes(self, present: set[str]) -> tuple[Problems, Problems]:
        speed, rules = sorted(SPEED_INDEXES - present), sorted(RULE_INDEXES - present)
        return (Problems("missing_index", len(speed), tuple(Problem(f"no index {name}") for name in speed)),
                Problems("missing_rule_index", len(rules), tuple(Problem(f"no index {name}") for name in rules)))

    def _search_index_problems(self, tables: set[str], indexes: set[str], limit: int) -> Problems | None:
        if self.conn.dialect.name == "postgresql":
            return None if search.PG_INDEX in indexes else Problems(
                "search_index_missing", 1, (Problem(f"no index {search.PG_INDEX} on the response texts"),))
        parts = [search.FTS_TABLE] + [f"{search.FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config")]
        gone = [name for name in parts if name not in tables]
        if gone:  # dropping the index drops its parts; a part alone gone is named
            return Problems("search_index_missing", 1, (Problem(f"no table {gone[0]}"),))
        docsize = f"{search.FTS_TABLE}_docsize"
        rows = self.conn.execute(text(
            f"SELECT pk, source_id, unindexed, count(*) OVER () FROM ("
            f" SELECT r.pk, r.source_id, 1 AS unindexed FROM responses r"
            f"  WHERE NOT EXISTS (SELECT 1 FROM {docsize} s WHERE s.id = r.pk)"
            f" UNION ALL SELECT s.id, NULL, 0 FROM {docsize} s"
            f"  WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.pk = s.id))"
            f" ORDER BY pk LIMIT :n"), {"n": limit}).all()
        return _problems("search_index_stale", rows, lambda pk, rid, unindexed: Problem(
            "not in the search index" if unindexed else f"the index holds response #{pk}, which is not stored",
            response_id=rid))

    def repair_derived(self, kinds: set[str]) -> tuple[str, ...]:
        """Build afresh, from the stored rows, what the check found damaged among ``kinds`` of
        derived data: the search index, the indexes that make reads fast. The only things
        ``codewell check --repair`` writes; nothing a coder decided. Returns the indexes rebuilt."""
        present, rebuilt = self._index_names(), []
        if self.conn.dialect.name == "postgresql":
            rebuilt += [search.PG_INDEX] if search.PG_INDEX not in present else []
        elif kinds & SEARCH_KINDS:
            tables = set(inspect(self.conn).get_table_names())
            if search.FTS_TABLE in tables:
                self.conn.execute(text(f"DROP TABLE {search.FTS_TABLE}"))
            for part in ("data", "idx", "docsize", "config", "content"):  # left behind by a half-drop
                if f"{search.FTS_TABLE}_{part}" in tables:
                    self.conn.execute(text(f"DROP TABLE IF EXISTS {search.FTS_TABLE}_{part}"))
            rebuilt.append(search.FTS_TABLE)
        search.create_index(self.conn)  # the search index and the core-length index, where missing
        rebuilt += [search.CORE_INDEX] if search.CORE_INDEX not in present else []
        for index in _INDEXES:
            if index.name in SPEED_INDEXES and index.name not in present:
                index.create(self.conn)
                rebuilt.append(str(index.name))
        return tuple(rebuilt)


def _problems(kind: str, rows: Sequence[Sequence[object]], make: Callable[..., Problem]) -> Problems:
    """Rows whose last column is the total (``count(*) OVER ()``) as :class:`Problems`."""
    total = int(rows[0][-1]) if rows else 0  # type: ignore[call-overload]
    return Problems(kind, total, tuple(make(*row[:-1]) for row in rows))


def _first(query: Select, conn: Connection, limit: int) -> list[Sequence[object]]:
    return list(conn.execute(query.add_columns(func.count().over()).limit(limit)).all())


# -- the rules: one statement each ------------------------------------------------------------
d, r, c, k, st = schema.decisions, schema.responses, schema.coders, schema.codes, schema.statuses


def _decisions(conn: Connection, limit: int, wrong: ColumnElement[bool], *columns: ColumnElement[object],
               source: FromClause = d) -> list[Sequence[object]]:
    """The first ``limit`` decisions that are ``wrong``, each with its response's id and coder's
    name where they exist, ``columns``, and how many are wrong in all. The count is taken over the
    decisions alone (``source``: with what ``wrong`` reads); names are read for the first few."""
    first = (select(d.c.id, func.count().over().label("total")).select_from(source).where(wrong)
             .order_by(d.c.id).limit(limit).subquery())
    return list(conn.execute(
        select(d.c.id, d.c.response_pk, r.c.source_id, d.c.coder_id, c.c.name, d.c.code_id, *columns, first.c.total)
        .select_from(first.join(d, d.c.id == first.c.id).outerjoin(r, r.c.pk == d.c.response_pk)
                     .outerjoin(c, c.c.id == d.c.coder_id))
        .order_by(d.c.id)).all())


def _decision_problem(found: Callable[..., str]) -> Callable[..., Problem]:
    def make(decision_id, pk, source_id, coder_id, name, code, *extra) -> Problem:  # type: ignore[no-untyped-def]
        return Problem(found(pk=pk, coder_id=coder_id, code=code, extra=extra), response_id=_response(source_id, pk),
                       coder=_coder(name, coder_id), decision_id=decision_id, code=code)
    return make


def _foreign_keys(self: IntegrityOps, limit: int) -> Problems:
    """Rows pointing at a row that is not there, beyond the decisions' coder and response (which
    have rules of their own, in the user's words): SQLite's own ``foreign_key_check``; the same
    rules, from the schema, on a server (which enforces them unless told not to)."""
    own = ("decisions", "coders"), ("decisions", "responses")
    if self.conn.dialect.name != "postgresql":
        try:
            rows = self.conn.execute(text(
                'SELECT "table", rowid, parent, count(*) OVER () FROM pragma_foreign_key_check '
                "WHERE NOT (\"table\" = 'decisions' AND parent IN ('coders', 'responses')) "
                'ORDER BY "table", rowid LIMIT :n'), {"n": limit}).all()
        except DBAPIError as error:  # a parent table rebuilt without its key: missing_keys names it
            if "foreign key mismatch" not in str(error.orig):
                raise
            rows = []
    else:
        parts = []
        for table in schema.metadata.sorted_tables:
            key = func.concat_ws(",", *(cast(col, String) for col in table.primary_key.columns))
            for fk in table.foreign_keys:
                if (table.name, fk.column.table.name) in own:
                    continue
                parent = fk.column.table.alias()  # an alias: decisions.undoes points into its own table
                parts.append(select(literal(table.name).label("t"), key.label("row"), literal(fk.column.table.name).label("p"))
                             .where(fk.parent.is_not(None), ~exists().where(parent.c[fk.column.name] == fk.parent)))
        every = union_all(*parts).subquery()
        rows = _first(select(every).order_by(every.c.t, every.c.row), self.conn, limit)
    return _problems("foreign_key", rows, lambda table, row, parent: Problem(
        f"points at a row of {parent} that is not there", row=f"{table} row {row}"))


def _unknown_coder(self: IntegrityOps, limit: int) -> Problems:
    rows = _decisions(self.conn, limit, ~exists().where(c.c.id == d.c.coder_id))
    return _problems("unknown_coder", rows, _decision_problem(
        lambda coder_id, **_: f"made by coder #{coder_id}, who is not in the project"))


def _unknown_response(self: IntegrityOps, limit: int) -> Problems:
    rows = _decisions(self.conn, limit, ~exists().where(r.c.pk == d.c.response_pk))
    return _problems("unknown_response", rows, _decision_problem(
        lambda pk, **_: f"codes response #{pk}, which is not in the project"))


def _unknown_code(self: IntegrityOps, limit: int) -> Problems:
    rows = _decisions(self.conn, limit, d.c.code_id.not_in(select(k.c.code_id)))
    known = list(self.conn.execute(select(k.c.code_id).distinct()).scalars()) if rows else []

    def problem(code: str, **_: object) -> str:
        hint = did_you_mean(code, known)  # a hand edit is often a typo of a real code
        return f"names the code {code!r}, which no codebook version holds" + (f" ({hint})" if hint else "")

    return _problems("unknown_code", rows, _decision_problem(problem))


def _span(extra: tuple[object, ...]) -> str:
    start, end = extra[0], extra[1]
    return f"characters {'?' if start is None else start} to {'?' if end is None else end}"


def _bad_span(self: IntegrityOps, limit: int) -> Problems:
    start, end = d.c.seg_start, d.c.seg_end
    rows = _decisions(self.conn, limit, or_(and_(start.is_(None), end.is_not(None)),
                                            and_(start.is_not(None), end.is_(None)), start < 0, start >= end),
                      start, end)
    return _problems("bad_span", rows, _decision_problem(
        lambda extra, **_: f"a segment of {_span(extra)}"))


def _span_past_text(self: IntegrityOps, limit: int) -> Problems:
    start, end, length = d.c.seg_start, d.c.seg_end, func.length(r.c.text)
    rows = _decisions(self.conn, limit, and_(start >= 0, start < end, end > length), start, end, length,
                      source=d.join(r, r.c.pk == d.c.response_pk))
    return _problems("span_past_text", rows, _decision_problem(
        lambda extra, **_: f"a segment of {_span(extra)} in a text of {extra[2]} characters"))


def _bad_status(self: IntegrityOps, limit: int) -> Problems:
    allowed = [s.value for s in Status if s is not Status.UNCODED]
    query = (select(st.c.response_pk, r.c.source_id, st.c.coder_id, c.c.name, st.c.status)
             .select_from(st.outerjoin(r, r.c.pk == st.c.response_pk).outerjoin(c, c.c.id == st.c.coder_id))
             .where(st.c.status.not_in(allowed)).order_by(st.c.response_pk, st.c.coder_id))
    return _problems("bad_status", _first(query, self.conn, limit), lambda pk, rid, coder_id, name, status: Problem(
        f"the status {status!r}", response_id=_response(rid, pk), coder=_coder(name, coder_id)))


def _bad_undo(self: IntegrityOps, limit: int) -> Problems:
    """An undo that reverses itself, a later decision, or another coder's or response's: every
    undo is appended after what it reverses, by the same coder on the same response, so anything
    else was written by hand (and replaying the log would undo the wrong thing)."""
    target = d.alias("undone")
    wrong = or_(d.c.undoes >= d.c.id, target.c.coder_id != d.c.coder_id,
                target.c.response_pk != d.c.response_pk)
    rows = _decisions(self.conn, limit, wrong, d.c.undoes,
                      source=d.join(target, target.c.id == d.c.undoes))
    return _problems("bad_undo", rows, _decision_problem(
        lambda extra, **_: f"undoes decision #{extra[0]}, which is itself, a later one, or another "
                           "coder's or response's"))


def _bad_attributes(self: IntegrityOps, limit: int) -> Problems:
    attributes = r.c.attributes
    if self.conn.dialect.name == "postgresql":
        wrong = ~attributes.regexp_match(PG_FLAT_OBJECT)
    else:  # json_type fails on text that is not JSON, so it is only asked of valid JSON
        wrong = or_(func.coalesce(literal_column("CASE WHEN json_valid(responses.attributes) "
                                                 "THEN json_type(responses.attributes) END"), "") != "object",
                    literal_column("CASE WHEN json_valid(responses.attributes) THEN EXISTS (SELECT 1 FROM "
                                   "json_each(responses.attributes) WHERE type != 'text') END") == 1)
    query = select(r.c.source_id, attributes).where(wrong).order_by(r.c.pk)
    return _problems("bad_attributes", _first(query, self.conn, limit), lambda rid, stored: Problem(
        f"attributes {stored[:40]!r}" + ("…" if len(stored) > 40 else ""), response_id=rid))


#: Columns every command reads as text (a response's id and words, a coder's name): SQLite keeps
#: whatever a hand edit stores, and a blob there was a traceback in export, report and agree.
TEXT_COLUMNS = (("responses", "source_id"), ("responses", "text"), ("coders", "name"))


def _not_text(self: IntegrityOps, limit: int) -> Problems:
    """Ids, texts and names that are not text (a blob, a number, NULL in a table rebuilt without
    its NOT NULL rule), or an empty id or name. A server's typed columns hold only text."""
    if self.conn.dialect.name == "postgresql":
        return Problems("not_text", 0, ())
    parts = " UNION ALL ".join(
        f"SELECT '{table}' AS t, rowid AS n, '{column}' AS col, typeof({column}) AS kind FROM {table} "
        f"WHERE typeof({column}) != 'text'" + ("" if column == "text" else f" OR trim({column}) = ''")
        for table, column in TEXT_COLUMNS)
    rows = self.conn.execute(text(f"SELECT t, n, col, kind, count(*) OVER () FROM ({parts}) "
                                  "ORDER BY t, n LIMIT :n"), {"n": limit}).all()
    return _problems("not_text", rows, lambda table, row, column, kind: Problem(
        f"{column} is {'empty' if kind == 'text' else 'NULL' if kind == 'null' else 'a ' + kind + ', not text'}",
        row=f"{table} row {row}"))


def _bad_reference(self: IntegrityOps, limit: int) -> Problems:
    found = self.reference_problems()
    return Problems("bad_reference", len(found), tuple(
        Problem(what if rid is None else f"reference answer {rid!r}: {what}") for rid, what in found[:limit]))


def _unique_keys() -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns) of every key the schema holds unique: primary keys, unique constraints
    and unique indexes."""
    keys = []
    for table in schema.metadata.sorted_tables:
        keys.append((table.name, tuple(column.name for column in table.primary_key.columns)))
        keys += [(table.name, tuple(column.name for column in constraint.columns))
                 for constraint in table.constraints if isinstance(constraint, UniqueConstraint)]
        keys += [(table.name, tuple(column.name for column in index.columns)) for index in table.indexes if index.unique]
        keys += [(table.name, (column.name,)) for column in table.columns if column.unique]
    return list(dict.fromkeys(keys))


UNIQUE_KEYS = _unique_keys()


def _duplicate_rows(self: IntegrityOps, limit: int) -> Problems:
    """Rows sharing a key the schema holds unique: only possible once a table was rebuilt by hand
    without its constraint (a DB browser's "modify table"), and then a coder's name, a response
    id or a status can be two rows that each command reads differently."""
    parts = []
    for name, columns in UNIQUE_KEYS:
        table = schema.metadata.tables[name]
        key: ColumnElement[str] = literal(f"{columns[0]}=") + cast(table.c[columns[0]], String)
        for column in columns[1:]:
            key = key + literal(f", {column}=") + cast(table.c[column], String)
        parts.append(select(literal(name).label("t"), key.label("k"), func.count().label("n"))
                     .select_from(table).where(*(table.c[column].is_not(None) for column in columns))
                     .group_by(*(table.c[column] for column in columns)).having(func.count() > 1))
    every = union_all(*parts).subquery()
    rows = _first(select(every).order_by(every.c.t, every.c.k), self.conn, limit)
    return _problems("duplicate_rows", rows, lambda table, key, n: Problem(
        f"{n} rows share {key}, which must be one row", row=table))


_RULES = (_not_text, _duplicate_rows, _foreign_keys, _unknown_coder, _unknown_response, _unknown_code, _bad_span, _span_past_text,
          _bad_status, _bad_undo, _bad_attributes, _bad_reference)
