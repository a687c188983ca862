"""The coding list's rows over a whole project: a filter and an order, asked of the store a
window at a time (issue 15).

A row holds a *position*: the response's row in import order (``pages[position]``, see
:class:`~codewell.project.browse.ResponsePages`). Three shapes, picked by what is asked:

- every response in import order: the row is the position, nothing is read at all;
- a filter the store answers (``all``, ``uncoded``) in import or seeded random order, after an
  optional ranked *head* (most uncertain first): windows of rows read through the order, the
  rows just read kept, a far row found by counting in the store;
- an explicit list of storage keys (flagged, memo, coded, by code, suggested, a set: each
  bounded by the work done, not by the project), put in order here.

The view is taken when it is built: responses imported later, and responses that leave the
filter later (a status given), stay where they were until it is rebuilt. What another process
changes in between can shorten the list; a row past the end then reads as missing
(IndexError), never as another response.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from codewell.project.browse import ResponsePages
    from codewell.store.pages import View

#: Rows read at once, and windows kept.
WINDOW = 200
KEPT = 4
#: Rows of far positions remembered (the screen asks for the current one on every redraw).
REMEMBERED = 64


class RowView(Sequence[int]):
    """Positions in the list's order; :attr:`index` maps a position back to its row."""

    def __init__(self, pages: ResponsePages, view: View, *, head: Sequence[int] = (),
                 only: Sequence[int] | None = None, window: int = WINDOW) -> None:
        """``view``: filter and order (its ``upto`` is filled in here); ``head``: storage keys
        shown first, in this order (those the filter keeps); ``only``: show exactly these
        storage keys instead of asking the filter."""
        self.pages, self.window = pages, window
        self.view = replace(view, upto=pages.high)
        self._lock = threading.Lock()
        self._windows: dict[int, list[tuple[int, int, int]]] = {}  # first tail row -> (sort key, pk, position)
        self._remembered: dict[int, int | None] = {}
        self._warmed: set[int] = set()  # first rows of the held list's windows read
        self._list: list[int] | None = None  # the explicit shape: positions in order
        self._head: list[int] = []  # positions of the ranked head the filter keeps
        self._head_pks: list[int] = []
        self._list_pks: list[int] = []
        self.identity = False
        if only is not None:
            rank = {pk: i for i, pk in enumerate(head)}
            if self.view.order == "random":
                from codewell.store.pages import seed_start

                start, chosen = seed_start(self.view.seed), sorted(set(only))
                shuffled = self._read(lambda unit: unit.shuffle_keys(chosen))
                keys = sorted(chosen, key=lambda pk: (rank.get(pk, len(rank)), shuffled[pk] < start,
                                                      shuffled[pk], pk))
            else:
                keys = sorted(set(only), key=lambda pk: (rank.get(pk, len(rank)), pk))
            found = pages.positions_of(keys)
            self._list_pks = [pk for pk in keys if pk in found]
            self._list = [found[pk] for pk in self._list_pks]
            self._list_rows = {position: row for row, position in enumerate(self._list)}
            self._count = len(self._list)
            return
        if head:
            kept = self._read(lambda unit: unit.view_keeps(self.view, head))
            found = pages.positions_of([pk for pk in head if pk in kept])
            self._head_pks = [pk for pk in head if pk in found]
            self._head = [found[pk] for pk in self._head_pks]
            self._head_rows = {position: row for row, position in enumerate(self._head)}
            self.view = replace(self.view, exclude=tuple(head))
        self.identity = (pages.dense and not head and self.view.filter == "all" and self.view.order == "file"
                         and not self.view.keep)
        tail = len(pages) if self.identity else self._read(lambda unit: unit.view_count(self.view))
        self._count = len(self._head) + tail

    def _warm(self, positions: list[int], pks: list[int], row: int) -> None:
        """Read the responses of the window of a held list (explicit, or the head) holding
        ``row`` the first time one of its rows is asked for: drawn together, read together."""
        start = row - row % self.window
        if start not in self._warmed:
            self._warmed.add(start)
            if len(self._warmed) > KEPT:
                self._warmed = {start}
            end = start + self.window
            self.pages.fetch(dict(zip(positions[start:end], pks[start:end])))

    def _read(self, work):  # type: ignore[no-untyped-def]
        return self.pages._db.read(work)

    # -- rows ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, row: int) -> int: ...
    @overload
    def __getitem__(self, row: slice) -> list[int]: ...

    def __getitem__(self, row):  # type: ignore[no-untyped-def]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(self._count))]
        if row < 0:
            row += self._count
        if not 0 <= row < self._count:
            raise IndexError(f"row {row} of {self._count}")
        if self._list is not None:
            self._warm(self._list, self._list_pks, row)
            return self._list[row]
        if row < len(self._head):
            self._warm(self._head, self._head_pks, row)
            return self._head[row]
        if self.identity:
            return row
        return self._tail(row - len(self._head))[2]

    def _tail(self, row: int) -> tuple[int, int, int]:
        start = row - row % self.window
        with self._lock:
            rows = self._windows.get(start)
            if rows is None:
                rows = self._read_window(start)
                if len(self._windows) >= KEPT:
                    del self._windows[next(iter(self._windows))]  # the oldest read
                self._windows[start] = rows
        if row - start >= len(rows):  # fewer than counted: another process changed the project
            self._count = len(self._head) + start + len(rows)
            raise IndexError(f"row {row} is gone (the project changed)")
        return rows[row - start]

    def _read_window(self, start: int) -> list[tuple[int, int, int]]:
        """Rows from ``start``: after the last row of the window before when it is held (through
        the order's index), else counted from the top."""
        previous = self._windows.get(start - self.window)
        after = previous[-1][:2] if previous and len(previous) == self.window else None
        keys = self._read(lambda unit: unit.view_keys(self.view, self.window, after=after,
                                                      offset=0 if after else start))
        found = self.pages.positions_of([pk for _, pk in keys])
        self.pages.fetch({found[pk]: pk for _, pk in keys if pk in found})  # drawn next: read now
        return [(key, pk, found[pk]) for key, pk in keys if pk in found]

    def __iter__(self) -> Iterator[int]:
        for row in range(self._count):
            try:
                yield self[row]
            except IndexError:
                return

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def keep_also(self, response_id: str) -> None:
        """Keep ``response_id`` where the filter had it, though it may have left the filter since
        (the coder gave it a status): rows read later are numbered as when the view was built."""
        if self._list is None and response_id not in self.view.keep:
            with self._lock:
                self.view = replace(self.view, keep=(*self.view.keep, response_id))

    # -- positions back to rows ------------------------------------------------------------------
    @property
    def index(self) -> RowIndex:
        return RowIndex(self)

    def row_of(self, position: int) -> int | None:
        """The row showing ``position``, or None when the list does not hold it."""
        if self._list is not None:
            return self._list_rows.get(position)
        if not 0 <= position < len(self.pages):
            return None
        if self._head and position in self._head_rows:
            return self._head_rows[position]
        if self.identity:
            return position
        with self._lock:
            for start, rows in self._windows.items():
                for offset, (_, _, held) in enumerate(rows):
                    if held == position:
                        return len(self._head) + start + offset
            if position in self._remembered:
                return self._remembered[position]
        pk = self.pages.pks_of([position])[0]
        rank = self._read(lambda unit: unit.view_rank(self.view, pk, position))
        row = None if rank is None else len(self._head) + rank
        with self._lock:
            if len(self._remembered) >= REMEMBERED:
                del self._remembered[next(iter(self._remembered))]
            self._remembered[position] = row
        return row

    def first_unfinished(self) -> int | None:
        """The first position in the list without a status, else the first not done; None when
        every one is done (where a coder resumes)."""
        coder = self.view.coder
        held = self._list_pks if self._list is not None else self._head_pks
        for kind in ("status", "done"):
            if held:
                open_ = self._read(lambda unit: unit.unfinished_of(coder, held, kind))
                for pk in held:
                    if pk in open_:
                        return self.pages.positions_of([pk])[pk]
            if self._list is None:
                keys = self._read(lambda unit: unit.view_keys(self.view, 1, unfinished=kind))
                if keys:
                    return self.pages.positions_of([keys[0][1]])[keys[0][1]]
        return None


class RowIndex(Mapping[int, int]):
    """Position -> row of a :class:`RowView`, as the read-only mapping the screen asks."""

    def __init__(self, rows: RowView) -> None:
        self._rows = rows

    def __getitem__(self, position: int) -> int:
        row = self._rows.row_of(position) if isinstance(position, int) else None
        if row is None:
            raise KeyError(position)
        return row

    def __contains__(self, position: object) -> bool:
        return isinstance(position, int) and self._rows.row_of(position) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)
