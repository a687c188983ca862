"""Finding responses without loading them all: counts and full-text search from the store.

A project of a million responses is never read whole for these (issue 15): each call asks the
database for what it shows and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codewell.values import Response

if TYPE_CHECKING:
    from codewell.store import Database


class Browse:
    _db: Database

    def response_count(self) -> int:
        """How many responses the project holds (empty ones included)."""
        return self._db.read(lambda unit: unit.response_counts()[0])

    def search(self, query: str, *, limit: int = 30) -> list[Response]:
        """The first ``limit`` responses whose text matches ``query``, in import order.

        ``query``: words (all must occur, in any order), ``word*`` for words starting so, and
        ``"a phrase"`` for words side by side; case and punctuation do not matter. A query that
        cannot be read raises :class:`~codewell.errors.SearchSyntaxError` saying why.
        """
        from codewell.store.search import parse_query

        terms = parse_query(query)
        return [response for _, response in self._db.read(lambda unit: unit.search(terms, limit))]
