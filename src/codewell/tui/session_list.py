"""The coding list of a session: its order, filter and movement, apart from any widget.

Every response of a project is read from the store a window at a time (``self._pages``; issue
15), so the list asks the store for its rows; a reliability set or a sample is small and held in
memory. Mixed into :class:`~codewell.tui.session.CodingSession`, which owns the state these
methods read (responses, statuses, codings, suggestions, the position).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from codewell.errors import CodewellError
from codewell.project.rows import RowView
from codewell.sampling import random_order
from codewell.values import CodeSuggestion, Response, Status

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.project.browse import ResponsePages

ORDERS = ("file", "uncertain", "random")
#: How the screen names each order to the coder (the palette, and the note when one arrives).
ORDER_WORDS = {"file": "file order", "uncertain": "most uncertain first", "random": "random order (seeded)"}
BASIC_FILTERS = ("all", "uncoded", "coded", "flagged", "memo")
SUGGESTED_PREFIX = "suggested:"
CODE_PREFIX = "code:"
SET_PREFIX = "set:"
#: Paged order by uncertainty: how many responses without a status are scored, a block at a
#: time, and how many of the most uncertain come first (the rest follow in file order).
UNCERTAIN_SCAN = 10_000
UNCERTAIN_HEAD = 1_000
#: Paged filter by suggestion: how many rows ahead of the coder are suggested for it.
SUGGEST_AHEAD = 2_000


class SessionList:
    """The list's half of a coding session (see the module docstring)."""

    project: Project
    coder: str
    seed: int
    set_name: str | None
    responses: Sequence[Response]
    _pages: ResponsePages | None
    statuses: dict[str, Status]
    memos: dict[str, str]
    flagged: set[str]
    codings: dict[str, frozenset[str]]
    suggestions: dict[str, tuple[CodeSuggestion, ...]]
    order_name: str
    order: list[int]
    filter: str
    rows: Sequence[int]
    row_of: Mapping[int, int]
    current: int

    @property
    def total(self) -> int:
        return len(self.responses)

    def set_order(self, name: str, positions: Sequence[int] | None = None) -> None:
        """Reorder the working set; ``uncertain`` needs the positions the engine ranked (every
        one in memory; the most uncertain first when paged, the rest follow in file order).
        A reliability set keeps its own order (the same for every coder)."""
        if self.set_name is not None:
            raise CodewellError(f"reliability set '{self.set_name}' is coded in its own order, "
                                "the same for every coder")
        if name not in ORDERS:
            raise ValueError(f"order {name!r} is not one of {ORDERS}")
        if name == "uncertain" and positions is None:
            raise ValueError(f"order {name!r} needs positions")
        if self._pages is not None:
            order = list(positions or []) if name == "uncertain" else []
        elif name == "file":
            order = list(range(self.total))
        elif name == "random":
            order = random_order([r.id for r in self.responses], self.seed)
        else:
            order = list(positions or [])
        self.order_name, self.order = name, order
        self._rebuild_rows()

    def set_filter(self, name: str) -> None:
        """Show only some responses in the list; movement follows the list."""
        self.filter = name
        self._rebuild_rows()
        if self.rows and self.current not in self.row_of:
            self.current = self.rows[0]

    def passes(self, position: int) -> bool:
        return self._passes(self.responses[position].id)

    def _passes(self, rid: str) -> bool:
        if self.filter == "uncoded":
            return rid not in self.statuses
        if self.filter == "coded":
            return self.statuses.get(rid) is Status.DONE
        if self.filter == "flagged":
            return self.is_flagged(rid)
        if self.filter == "memo":
            return rid in self.memos
        if self.filter.startswith(CODE_PREFIX):
            return self.filter[len(CODE_PREFIX):] in self.codes_of(rid)
        if self.filter.startswith(SET_PREFIX):
            return rid in self._set_ids(self.filter[len(SET_PREFIX):])
        if self.filter.startswith(SUGGESTED_PREFIX):
            code = self.filter[len(SUGGESTED_PREFIX):]
            return any(s.code == code and s.suggested for s in self.suggestions_for(rid) or ())
        return True

    def _set_ids(self, name: str) -> frozenset[str]:
        for chosen in self.project.sets():
            if chosen.name == name:
                return frozenset(chosen.ids)
        raise CodewellError(f"no reliability set named '{name}'")

    def _rebuild_rows(self) -> None:
        if self._pages is None:
            self.rows = [i for i in self.order if self.passes(i)] if self.filter != "all" else self.order
            self.row_of = {position: row for row, position in enumerate(self.rows)}
            return
        # Paged: all and uncoded are asked of the store; every other filter keeps a list bounded
        # by the coder's work (or a set's size), whose ids are known here.
        only = None
        if self.filter not in ("all", "uncoded"):
            if self.filter.startswith(SET_PREFIX):
                only = self._set_ids(self.filter[len(SET_PREFIX):])
            else:
                held = (set(self.statuses) | self.flagged | set(self.memos) | set(self.codings)
                        | set(self.suggestions))
                only = [rid for rid in held if self._passes(rid)]
        rows = self.project.response_rows(
            self._pages, filter=self.filter if only is None else "all",
            order="random" if self.order_name == "random" else "file", seed=self.seed,
            head=self.order if self.order_name == "uncertain" else (), only=only)
        self.rows, self.row_of = rows, rows.index

    def move(self, step: int) -> bool:
        """Go ``step`` rows down (or up) the list; False at either end."""
        if not self.rows:
            return False
        row = self.row_of.get(self.current)
        target = (0 if step > 0 else len(self.rows) - 1) if row is None else row + step
        if not 0 <= target < len(self.rows):
            return False
        try:
            position = self.rows[target]
        except IndexError:  # the list was shorter than counted (another process changed it)
            return False
        if position == self.current:
            return False
        self.current = position
        return True

    def go_to(self, position: int) -> None:
        self.current = position

    def first_unfinished(self) -> int:
        """Where to resume: the first response without a status, else the first not done."""
        if isinstance(self.rows, RowView):
            found = self.rows.first_unfinished()
            return found if found is not None else (self.rows[0] if self.rows else 0)
        for position in self.rows:
            if self.responses[position].id not in self.statuses:
                return position
        for position in self.rows:
            if self.statuses.get(self.responses[position].id) is not Status.DONE:
                return position
        return self.rows[0] if self.rows else 0

    def order_candidates(self) -> tuple[list[int], list[str]]:
        """(positions, texts) to rank for the order by uncertainty (read in a worker).

        In memory: every response. Paged: the first ``UNCERTAIN_SCAN`` responses without a
        status, in file order, from a reader of its own (the screen's windows stay as they
        are): what is ranked, and held, follows that bound, not the project.
        """
        if self._pages is None:
            return list(range(self.total)), [r.text for r in self.responses]
        reader = self.project.response_pages(self.coder, "uncoded")
        texts: list[str] = []
        keys: list[int] = []
        for row in range(min(UNCERTAIN_SCAN, len(reader))):
            try:
                key, response = reader.keyed(row)
            except IndexError:  # coded meanwhile, and gone from "uncoded"
                break
            keys.append(key)
            texts.append(response.text)
        found = self._pages.positions_of(keys)
        return [found[key] for key in keys], texts

    def ranked_head(self, candidates: Sequence[int], ranked: Sequence[int]) -> list[int]:
        """The positions to give ``set_order("uncertain", ...)``: ``ranked`` (indices into
        ``candidates``, most uncertain first) as positions; paged, the first ``UNCERTAIN_HEAD``
        of them (the rest of the list follows in file order)."""
        positions = [candidates[i] for i in ranked]
        return positions if self._pages is None else positions[:UNCERTAIN_HEAD]

    def unsuggested(self, fresh: set[str] | frozenset[str]) -> list[int]:
        """Positions a filter by suggestion wants suggested: every one not in ``fresh``, or,
        paged, those among the next ``SUGGEST_AHEAD`` rows of the list (the filter then shows
        what has been suggested so far)."""
        if self._pages is None:
            return [p for p in range(self.total) if self.responses[p].id not in fresh]
        row = self.row_of.get(self.current, 0)
        ahead = self.rows[row:row + SUGGEST_AHEAD]
        return [p for p in ahead if self.responses[p].id not in fresh]

