"""Finding responses without loading them all: counts and full-text search from the store.

A project of a million responses is never read whole for these (issue 15): each call asks the
database for what it shows and nothing else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from codewell.values import Response, Status

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.project.rows import RowView
    from codewell.report.frequencies import CodedSlice
    from codewell.store import Database, Unit


class Browse:
    _db: Database

    def response_pages(self, coder: str, filter: str = "all", window: int = 200) -> ResponsePages:
        """``coder``'s responses in import order, narrowed by ``filter`` (all, uncoded, flagged,
        memo), read a window at a time (see :class:`ResponsePages`)."""
        return ResponsePages(self._db, coder, filter, window)

    def response_rows(self, pages: ResponsePages, *, filter: str = "all", order: str = "file",
                      seed: int = 0, head: Sequence[int] = (), only: Iterable[str] | None = None) -> RowView:
        """The coding list over ``pages`` (``filter`` "all"), from the store a window at a time:
        ``filter`` all or uncoded, ``order`` file or random (seeded), after the positions of a
        ranked ``head``; or, with ``only``, exactly the responses of those ids (a list bounded
        by the coder's work: flagged, coded, by code, a set), in that order (see
        :class:`~codewell.project.rows.RowView`)."""
        from codewell.project.rows import RowView
        from codewell.store.pages import View

        keys = pages.pks_of(list(head)) if head else []
        chosen = None
        if only is not None:
            ids = list(only)
            chosen = list(self._db.read(lambda unit: unit.response_pks(ids)).values()) if ids else []
        return RowView(pages, View(coder=pages.coder, filter=filter, order=order, seed=seed),
                       head=keys, only=chosen)

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


class ResponsePages(Sequence[Response]):
    """One coder's responses in import order, narrowed by a filter, read from the store a window
    at a time: the coding screen's list without a million responses in memory (issue 15).

    ``pages[row]`` is the row-th response the filter keeps; the window holding it is read once
    and the last few windows are kept, so moving to the next or previous response costs nothing
    until it leaves them. A write elsewhere (a status that takes a response out of "uncoded")
    shows after :meth:`refresh`. With every response kept and storage keys without gaps (the
    usual case: responses are only ever added), a row's key is the lowest key plus the row, so
    a jump anywhere is one lookup by key rather than a count from the top.
    """

    KEPT = 4  # windows held

    def __init__(self, db: Database, coder: str, filter: str = "all", window: int = 200) -> None:
        from codewell.store.pages import PAGE_FILTERS

        if filter not in PAGE_FILTERS:
            raise ValueError(f"filter {filter!r} is not one of {PAGE_FILTERS}")
        self._db, self.coder, self.filter, self.window = db, coder, filter, window
        self._windows: dict[int, list[tuple[int, Response]]] = {}  # first row -> (key, response)
        # rows read for a list in another order (random, a filter), by row: (key, response)
        self._rows: dict[int, tuple[int, Response]] = {}
        self._lock = threading.Lock()  # the screen and a worker (ordering) may read at once
        self._measure()

    def _measure(self) -> None:
        def read(unit: Unit) -> tuple[int, int, int, int]:
            total, low, high = unit.key_span()
            count = total if self.filter == "all" else unit.page_count(self.coder, self.filter)
            return count, total, low, high

        self._count, total, self.low, self.high = self._db.read(read)
        #: import-order rows are storage keys minus ``low`` (no key skipped)
        self.dense = self.filter == "all" and self.high - self.low + 1 == total

    def refresh(self) -> None:
        """Forget what was read: the next row asked for is read afresh."""
        with self._lock:
            self._windows.clear()
            self._rows.clear()
        self._measure()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, row: int) -> Response:  # type: ignore[override]
        return self.keyed(row)[1]

    def keyed(self, row: int) -> tuple[int, Response]:
        """(storage key, response) of ``row``."""
        if not isinstance(row, int):
            raise TypeError("rows are read one at a time")
        if row < 0:
            row += self._count
        if not 0 <= row < self._count:
            raise IndexError(f"row {row} of {self._count}")
        start = row - row % self.window
        with self._lock:
            held = self._rows.get(row)
            if held is not None:
                return held
            rows = self._windows.get(start)
            if rows is None:
                rows = self._read(start)
                if len(self._windows) >= self.KEPT:
                    del self._windows[next(iter(self._windows))]  # the oldest read
                self._windows[start] = rows
        if row - start >= len(rows):  # the store changed under the count: read afresh next time
            raise IndexError(f"row {row} is gone (the project changed; refresh)")
        return rows[row - start]

    def _read(self, start: int) -> list[tuple[int, Response]]:
        """The window at ``start``: from a neighbouring window's key when one is held (paging
        on), from the key itself when keys are dense, else by its row number (a jump)."""
        previous, following = self._windows.get(start - self.window), self._windows.get(start + self.window)
        after = previous[-1][0] if previous and len(previous) == self.window else None
        if after is None and self.dense:
            after = self.low + start - 1
        before = following[0][0] if following and after is None else None
        return self._db.read(lambda unit: unit.page_rows(self.coder, self.filter, start, self.window,
                                                         after=after, before=before))

    def remember(self, rows: Mapping[int, tuple[int, Response]]) -> None:
        """Keep these rows (row -> (key, response)), read for a list in another order, so that
        drawing them reads nothing more; the oldest go beyond ``KEPT`` windows' worth."""
        with self._lock:
            self._rows.update(rows)
            while len(self._rows) > self.KEPT * self.window:
                del self._rows[next(iter(self._rows))]

    def fetch(self, keys: Mapping[int, int]) -> None:
        """Read and :meth:`remember` the responses of ``keys`` (row -> storage key)."""
        wanted = [key for row, key in keys.items() if row not in self._rows]
        if wanted:
            found = self._db.read(lambda unit: unit.responses_by_pk(sorted(wanted)))
            self.remember({row: (key, found[key]) for row, key in keys.items() if key in found})

    def row_of(self, response_id: str) -> int | None:
        """The row of ``response_id``, or None when the filter does not keep it (or no such id)."""
        with self._lock:
            for row, (_, response) in self._rows.items():
                if response.id == response_id:
                    return row
            for start, rows in self._windows.items():
                for offset, (_, response) in enumerate(rows):
                    if response.id == response_id:
                        return start + offset
        if self.dense:
            pk = self._db.read(lambda unit: unit.response_pks([response_id])).get(response_id)
            return None if pk is None or pk > self.high else pk - self.low
        return self._db.read(lambda unit: unit.page_rank(self.coder, self.filter, response_id))

    def positions(self) -> Positions:
        """Response id -> row, asked of the store one id at a time (no dict of every id)."""
        return Positions(self)

    # -- rows and storage keys (for :class:`RowView`; ``filter`` is "all") ------------------------
    def positions_of(self, pks: Sequence[int]) -> dict[int, int]:
        """Row of each storage key in ``pks``."""
        ordered = sorted(pks)
        if self.dense:
            return {pk: pk - self.low for pk in ordered if self.low <= pk <= self.high}
        return self._db.read(lambda unit: unit.positions_of(ordered))

    def pks_of(self, positions: Sequence[int]) -> list[int]:
        """Storage key of each row in ``positions``, in their order."""
        if self.dense:
            return [self.low + p for p in positions]
        found = self._db.read(lambda unit: unit.keys_at(positions))
        return [found[p] for p in positions if p in found]


class Positions(Mapping[str, int]):
    """The rows of :class:`ResponsePages` by response id, as a read-only mapping."""

    def __init__(self, pages: ResponsePages) -> None:
        self._pages = pages

    def __getitem__(self, response_id: str) -> int:
        row = self._pages.row_of(response_id)
        if row is None:
            raise KeyError(response_id)
        return row

    def __contains__(self, response_id: object) -> bool:
        return isinstance(response_id, str) and self._pages.row_of(response_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (response.id for response in self._pages)

    def __len__(self) -> int:
        return len(self._pages)
