"""Full-text search over response texts, in the database's own index.

SQLite keeps an FTS5 index (``responses_fts``, external content: it stores the index, not the
texts; every insert of responses in the store indexes them, see :func:`index_added`);
PostgreSQL a GIN index on the texts' ``simple`` tsvector, kept by the server. Both are filled
by the ``0005_search_index`` migration.

The query language is ours and small, so it means the same on both engines: words (all must
occur), ``word*`` (a word starting so), and ``"a phrase"`` (words next to each other, in order).
Words are runs of letters and digits, case folded; anything else separates them, so ``x-ray``
is the phrase ``x ray``. Hits come in import order: the first of them are found without ranking
every match, which is what keeps a common word fast in a million responses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError

from codewell.errors import DamagedProjectError, SearchSyntaxError
from codewell.store import decode, schema
from codewell.values import Response

FTS_TABLE = "responses_fts"
PG_INDEX = "responses_text_search"
_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r'"([^"]*)"(\*?)|([^\s"]+)')


@dataclass(frozen=True)
class Term:
    """Words that must occur next to each other in this order; the last may be a prefix."""

    words: tuple[str, ...]
    prefix: bool


def parse_query(query: str) -> tuple[Term, ...]:
    """The terms of ``query``; a :class:`SearchSyntaxError` says what is wrong with it."""
    if query.count('"') % 2:
        raise SearchSyntaxError(f"search '{query}': a quote opens a phrase that is never closed",
                                'close it ("like this") or leave the quote out')
    terms = []
    for phrase, phrase_star, bare in _TERM.findall(query):
        raw = phrase if not bare else bare
        prefix = bool(phrase_star) or bare.endswith("*")
        words = tuple(word.casefold() for word in _WORD.findall(raw))
        if not words:
            if raw.strip("*").strip():
                raise SearchSyntaxError(f"search '{query}': '{raw}' holds no letters or digits",
                                        "search for words; punctuation is ignored")
            continue
        terms.append(Term(words, prefix))
    if not terms:
        raise SearchSyntaxError(f"search '{query}': nothing to search for",
                                'type words, word* for a word\'s start, or "a phrase"')
    return tuple(terms)


def fts5_query(terms: tuple[Term, ...]) -> str:
    """SQLite FTS5 MATCH syntax: each term a quoted phrase (words are letters and digits only)."""
    return " ".join(f'"{" ".join(t.words)}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: tuple[Term, ...]) -> str:
    """PostgreSQL ``to_tsquery`` syntax: ``&`` between terms, ``<->`` inside a phrase."""
    return " & ".join("(" + " <-> ".join(t.words) + (":*" if t.prefix else "") + ")" for t in terms)


#: What Python's ``str.strip()`` removes, and the full stops and exclamation marks a non-answer
#: may end with: a text is a non-answer candidate when little is left once these are trimmed.
#: (Spelled out: computing it from ``str.isspace`` took a second at import; a test checks it.)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_TRIMMED = WHITESPACE + ".!"
CORE_LENGTH = f"length(trim(text, '{_TRIMMED}'))"  # SQLite; PostgreSQL spells trim btrim
CORE_INDEX = "responses_core_length"


def core_length(dialect: str) -> str:
    """The indexed expression: the length of a text with whitespace, "." and "!" trimmed from
    both ends (never more than what :func:`codewell.report.non_answers.normalise` keeps)."""
    return CORE_LENGTH.replace("trim(", "btrim(") if dialect == "postgresql" else CORE_LENGTH


def create_index(conn: Connection) -> None:
    """The indexes, filled from every response stored (idempotent): the full-text index (kept in
    step by :func:`index_added` on SQLite, by the server on PostgreSQL), and the length of each
    text's core, which finds the few short texts that may be non-answers without reading every
    response."""
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {CORE_INDEX} ON responses (({core_length(conn.dialect.name)}))"))
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON responses "
                          "USING GIN (to_tsvector('simple', text))"))
        return
    exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :name"),
                          {"name": FTS_TABLE}).first()
    if exists is None:
        conn.execute(text(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                          "text, content='responses', content_rowid='pk')"))
        rebuild_index(conn)


def rebuild_index(conn: Connection) -> None:
    """Index every stored response afresh (SQLite; the server's index is never behind)."""
    if conn.dialect.name != "postgresql":
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def missing_index(conn: Connection, error: OperationalError) -> DamagedProjectError | None:
    """The full-text index dropped by hand, as one clear error naming the repair (SQLite only
    says "no such table"); None for any other error."""
    if "no such table" not in str(error.orig) or FTS_TABLE not in str(error.orig):
        return None
    location = (conn.engine.url.database or "").removeprefix("file:")
    return DamagedProjectError(f"{location}: the project file is damaged (its search index is missing)",
                               hint=f"rebuild it with: codewell check {location} --repair")


def index_added(conn: Connection, after: int) -> None:
    """Index the responses stored with a key above ``after``, in one statement.

    Called by the store's own inserts (responses are only ever added, never changed). Not a
    trigger: FTS5 fed a row at a time from a trigger made a 100,000-row import five times slower
    than one set-based insert of the same rows.
    """
    if conn.dialect.name != "postgresql":
        try:
            conn.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT pk, text FROM responses "
                              "WHERE pk > :after"), {"after": after})
        except OperationalError as error:
            raise missing_index(conn, error) or error


class SearchOps:
    conn: Connection

    def search(self, terms: tuple[Term, ...], limit: int, after: int = 0) -> list[tuple[int, Response]]:
        """(storage key, response) of the first ``limit`` matches with a key above ``after``, in
        import order (``after`` pages on from the last key a caller was given)."""
        if self.conn.dialect.name == "postgresql":
            r = schema.responses
            match = text("to_tsvector('simple', responses.text) @@ to_tsquery('simple', :q)"
                         ).bindparams(q=tsquery(terms))
            pks = list(self.conn.execute(select(r.c.pk).where(match, r.c.pk > after)
                                         .order_by(r.c.pk).limit(limit)).scalars())
        else:  # FTS5 hands out matches in rowid order, so asking it alone stops after ``limit``
            try:
                pks = list(self.conn.execute(text(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q AND rowid > :after "
                    "ORDER BY rowid LIMIT :n"), {"q": fts5_query(terms), "after": after, "n": limit}).scalars())
            except OperationalError as error:
                raise missing_index(self.conn, error) or error
        found = self.responses_by_pk(pks)
        return [(pk, found[pk]) for pk in pks if pk in found]  # a row removed by hand is no hit

    def response_total(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(schema.responses)).scalar() or 0)

    def short_responses(self, longest: int) -> list[tuple[int, Response]]:
        """(storage key, response) of every one whose core (see :func:`core_length`) has at most ``longest``
        characters, in import order, found through the index on that length."""
        r = schema.responses
        short = text(f"{core_length(self.conn.dialect.name)} <= :longest").bindparams(longest=longest)
        pks = sorted(self.conn.execute(select(r.c.pk).where(short)).scalars())  # sorted here: an
        # ORDER BY may tempt the planner to read every row in key order instead of the index
        found = self.responses_by_pk(pks)
        return [(pk, found[pk]) for pk in pks]

    def responses_by_ids(self, ids: list[str]) -> list[tuple[int, Response]]:
        """(storage key, response) of those with these ids (that exist), in import order."""
        r = schema.responses
        pks: list[int] = []
        for start in range(0, len(ids), 900):
            pks += self.conn.execute(select(r.c.pk).where(r.c.source_id.in_(ids[start:start + 900]))).scalars()
        pks.sort()
        found = self.responses_by_pk(pks)
        return [(pk, found[pk]) for pk in pks]

    def responses_by_pk(self, pks: list[int]) -> dict[int, Response]:
        r = schema.responses
        decoded: dict[str, dict[str, str]] = {}  # attribute sets repeat: decode each once
        found = {}
        for start in range(0, len(pks), 900):
            for pk, rid, body, row, attributes in self.conn.execute(
                    select(r.c.pk, r.c.source_id, r.c.text, r.c.source_row, r.c.attributes)
                    .where(r.c.pk.in_(pks[start:start + 900]))):
                rid, body = decode.response_text(rid, body, pk)
                value = decoded.get(attributes)
                if value is None:
                    value = decoded[attributes] = decode.attributes(attributes, rid)
                found[pk] = Response(id=rid, text=body, row=row, attributes=value)
        return found
