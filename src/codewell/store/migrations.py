"""Named, ordered, transactional migrations: a project file records how far it has come.

Each step runs inside the caller's transaction, so a failed upgrade leaves the file as it was, and
the caller takes a backup of a SQLite file before the first step runs. Steps after the first are
written against the tables as that version left them, so they work from any earlier version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import Connection, bindparam, delete, func, insert, inspect, select, text, update

from codewell.store import postgres, schema, search


def _initial(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    conn.execute(insert(schema.meta), [{"key": "application", "value": schema.APPLICATION}])


def _decision_identities(conn: Connection) -> None:
    """Every event gets a uid (retries land once); ``undoes`` becomes unique (one reversal each).

    Schema 1 let two sessions reverse the same event. Such a second reversal changed no coding (a
    repeated apply or remove), so it is kept as an ordinary event with a note rather than dropped.
    """
    d = schema.decisions
    columns = {c["name"] for c in inspect(conn).get_columns("decisions")}
    if "uid" not in columns:
        conn.execute(text("ALTER TABLE decisions ADD COLUMN uid VARCHAR(32)"))
    missing = list(conn.execute(select(d.c.id).where(d.c.uid.is_(None))).scalars())
    for event_id in missing:
        conn.execute(update(d).where(d.c.id == event_id).values(uid=uuid.uuid4().hex))
    first = (select(d.c.undoes, func.min(d.c.id).label("keep")).where(d.c.undoes.is_not(None))
             .group_by(d.c.undoes).subquery())
    repeated = list(conn.execute(
        select(d.c.id).join(first, first.c.undoes == d.c.undoes).where(d.c.id != first.c.keep)).scalars())
    for event_id in repeated:
        conn.execute(update(d).where(d.c.id == event_id)
                     .values(undoes=None, note="undo (repeated by a concurrent session; kept as an event)"))
    indexes = {index["name"] for index in inspect(conn).get_indexes("decisions")}
    for index in (schema.DECISION_UID_INDEX, schema.DECISION_UNDOES_INDEX):
        if index.name not in indexes:
            index.create(conn)


def _reliability_sets(conn: Connection) -> None:
    """Named reliability sets, their members in coding order, and the coders who opened them;
    and flags apart from statuses (a schema-2 "flagged" status becomes a flag on an uncoded
    response, as it was)."""
    for table in schema.SCHEMA_3_TABLES:
        table.create(conn, checkfirst=True)
    st, fl = schema.statuses, schema.flags
    flagged = conn.execute(select(st.c.coder_id, st.c.response_pk, st.c.updated_at)
                           .where(st.c.status == "flagged")).all()
    if flagged:
        known = set(conn.execute(select(fl.c.coder_id, fl.c.response_pk)).all())
        fresh = [{"coder_id": c, "response_pk": r, "flagged_at": at} for c, r, at in flagged if (c, r) not in known]
        if fresh:
            conn.execute(insert(fl), fresh)
        conn.execute(delete(st).where(st.c.status == "flagged"))


def _segments(conn: Connection) -> None:
    """Segment codings: a decision may carry the span of the response it codes (NULL = whole).

    Every event stored before this step coded a whole response, so the new columns stay NULL.
    """
    columns = {c["name"] for c in inspect(conn).get_columns("decisions")}
    for name in ("seg_start", "seg_end"):
        if name not in columns:
            conn.execute(text(f"ALTER TABLE decisions ADD COLUMN {name} INTEGER"))


def _search_index(conn: Connection) -> None:
    """A full-text index of the response texts (SQLite FTS5, PostgreSQL GIN), filled from the
    responses already stored and kept in step with every one added (see store/search.py)."""
    search.create_index(conn)


def _shuffle_key(conn: Connection) -> None:
    """The random order's key on every response (from its id, see store/pages.py), and an
    index on it: the coding list pages a random order through the index instead of sorting a
    million responses for each window (issue 15). Filled a block of keys at a time."""
    from codewell.store.pages import shuffle_key

    r = schema.responses
    columns = {c["name"] for c in inspect(conn).get_columns("responses")}
    if "shuffle" not in columns:
        conn.execute(text("ALTER TABLE responses ADD COLUMN shuffle BIGINT"))
    after = 0
    while True:
        block = conn.execute(select(r.c.pk, r.c.source_id).where(r.c.pk > after).order_by(r.c.pk)
                             .limit(20_000)).all()
        if not block:
            break
        conn.execute(update(r).where(r.c.pk == bindparam("key")).values(shuffle=bindparam("value")),
                     [{"key": pk, "value": shuffle_key(rid)} for pk, rid in block])
        after = block[-1][0]
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {schema.SHUFFLE_INDEX.name} ON responses (shuffle, pk)"))


def _reference_rows(conn: Connection) -> None:
    """The table of a reference set (coded responses of another study; empty until one is added)."""
    schema.reference_rows.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _initial),
    ("0002_decision_identities", _decision_identities),
    ("0003_reliability_sets", _reliability_sets),
    ("0004_segments", _segments),
    ("0005_search_index", _search_index),
    ("0006_shuffle_key", _shuffle_key),
    ("0007_reference_rows", _reference_rows),
]
assert len(MIGRATIONS) == schema.SCHEMA_VERSION


def stored_version(conn: Connection) -> int:
    row = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def migrate(conn: Connection, current: int, target: int = schema.SCHEMA_VERSION) -> None:
    """Apply every step after ``current`` up to ``target``; the caller commits."""
    for step, (_, run) in enumerate(MIGRATIONS[:target], start=1):
        if step > current:
            run(conn)
    if current == 0:
        conn.execute(insert(schema.meta).values(key="schema_version", value=str(target)))
    else:
        conn.execute(update(schema.meta).where(schema.meta.c.key == "schema_version")
                     .values(value=str(target)))
    postgres.keep_policies(conn)
