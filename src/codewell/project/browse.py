"""Finding responses without loading them all: counts and full-text search from the store.

A project of a million responses is never read whole for these (issue 15): each call asks the
database for what it shows and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewell.values import Response, Status

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.report.frequencies import CodedSlice
    from codewell.store import Database, Unit


class Browse:
    _db: Database

    def response_count(self) -> int:
        """How many responses the project holds (empty ones included)."""
        return self._db.read(lambda unit: unit.response_total())

    def search(self, query: str, *, limit: int = 30) -> list[Response]:
        """The first ``limit`` responses whose text matches ``query``, in import order.

        ``query``: words (all must occur, in any order), ``word*`` for words starting so, and
        ``"a phrase"`` for words side by side; case and punctuation do not matter. A query that
        cannot be read raises :class:`~codewell.errors.SearchSyntaxError` saying why.
        """
        from codewell.store.search import parse_query

        terms = parse_query(query)
        return [response for _, response in self._db.read(lambda unit: unit.search(terms, limit))]

    def report_slice(self: Project, coders: Sequence[str] | None = None, *, longest: int) -> CodedSlice:
        """What a frequency report of ``coders`` (default: all) reads, and no more: their codings
        and statuses, the responses any of them finished, and every response whose text, trimmed
        of spaces, "." and "!", has at most ``longest`` characters (the non-answer candidates:
        :attr:`codewell.report.NonAnswers.longest`), all in one snapshot."""
        from codewell.report.frequencies import CodedSlice

        names = tuple(coders) if coders is not None else self.coders()
        for name in names:
            self.require_coder(name)

        def read(unit: Unit) -> CodedSlice:
            statuses = {c: self._visible(unit, c, unit.statuses(c)) for c in names}
            done = sorted({rid for by in statuses.values() for rid, s in by.items() if s is Status.DONE})
            found = dict(unit.responses_by_ids(done)) | dict(unit.short_responses(longest))
            return CodedSlice(
                codebook=self._codebook_in(unit)[1], responses=tuple(found[pk] for pk in sorted(found)),
                coders=names, codings={c: self._visible(unit, c, unit.current_codings(c)) for c in names},
                statuses=statuses, memos={c: {} for c in names}, total=unit.response_total())

        return self._db.read(read)
