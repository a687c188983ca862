"""The state of one coder's session, apart from any widget.

The coding screen draws what this holds and calls its methods on keys; tests and the benchmark
drive it the same way. Every change goes to the project first and is applied here only after the
facade has returned the committed event (commit, then show).
The list itself (order, filter, movement) is :mod:`codewell.tui.session_list`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codewell.values import Code, CodeSuggestion, Decision, Response, Status
from codewell.project.rows import RowView
from codewell.tui.session_elsewhere import ChangesElsewhere
from codewell.tui.session_list import SessionList

if TYPE_CHECKING:
    from codewell.project import Project

#: How long a key waits for the project before its change is queued (a keypress must stay quick).
QUICK_WAIT = 0.3
#: (code, start, end) of a coding; start and end None for the whole response
SpanKey = tuple[str, "int | None", "int | None"]


def new_uid() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Write:
    """A change the session wants stored: ``store(wait)`` writes it (retry-safe: its uids are
    fixed), ``apply(result)`` updates the session once the store has committed it."""

    store: Callable[[float], object]
    apply: Callable[[object], None]


class CodingSession(SessionList, ChangesElsewhere):
    """One coder's working set of responses, their order, filter and position, and what is stored."""

    def __init__(self, project: Project, coder: str, *, blind: bool = False,
                 suggestions_on: bool = True, sample: int | None = None, seed: int = 0,
                 set_name: str | None = None) -> None:
        self.project = project
        self.coder = coder
        self.blind = blind
        self.seed = seed
        # A reliability set is coded in its own stored order, the same for every coder.
        self.set_name = set_name
        self.set_allows_suggestions = True
        if set_name is not None:
            chosen = project.reliability_set(set_name)
            self.set_allows_suggestions = chosen.allow_suggestions
            every = project.set_responses(set_name)
        else:  # the whole project: read from the store a window at a time (issue 15)
            every = (project.sample_responses(sample, seed) if sample is not None
                     else project.response_pages(coder))
        self.open_sets, self.no_suggestions = self._read_sets()
        self.suggestions_on = suggestions_on and (set_name is None or self.set_allows_suggestions)
        from codewell.project.browse import ResponsePages

        self.responses: Sequence[Response] = every
        #: every response of the project, paged from the store (else a set or sample, in memory)
        self._pages = every if isinstance(every, ResponsePages) else None
        self._whole = self._pages is not None
        self.index_of: Mapping[str, int] = every.positions() if isinstance(every, ResponsePages) \
            else {response.id: i for i, response in enumerate(every)}
        self.codebook_version, self.codebook = project.versioned_codebook()
        self._looked = time.monotonic()
        # The newest decision when this session read the coder's work, and the ones it has
        # written since: any other of the coder's decisions after it was made in another session.
        self._events_seen, _ = project.events_after(coder, None)
        self._own_events: set[int] = set()
        # Every (code, start, end) the coder holds per response (None, None: the whole response);
        # ``codings`` is derived from it (a code held whole or on any segment).
        self.spans: dict[str, frozenset[SpanKey]] = {}
        self.codings: dict[str, frozenset[str]] = {}
        self._load_spans()
        self.statuses: dict[str, Status] = dict(project.statuses(coder))
        self.memos: dict[str, str] = dict(project.memos(coder))
        self.flagged: set[str] = project.flags(coder)
        # Other coders' work as the project lets this coder see it (never on an open set).
        self.others: dict[str, tuple[dict[str, frozenset[str]], dict[str, str]]] = {}
        self.others_statuses: dict[str, dict[str, Status]] = {}
        self._load_others()
        self.suggestions: dict[str, tuple[CodeSuggestion, ...]] = {}
        self.done = self._count_done()
        self.started = time.monotonic()
        self.done_this_session = 0
        self.order_name = "file"
        # In memory: every position in order. Paged: the positions ranked first (uncertain).
        self.order: list[int] = [] if self._pages is not None else list(range(len(every)))
        self.filter = "all"
        self.rows: Sequence[int] = []
        self.row_of: Mapping[int, int] = {}
        self.current = 0
        self._rebuild_rows()

    # -- where we are -------------------------------------------------------------------------
    @property
    def response(self) -> Response:
        return self.responses[self.current]

    def status_of(self, response_id: str) -> Status:
        return self.statuses.get(response_id, Status.UNCODED)

    def is_flagged(self, response_id: str) -> bool:
        """Flagged to come back to (a flag stays when the response is done; schema 2 kept it as a status)."""
        return response_id in self.flagged or self.statuses.get(response_id) is Status.FLAGGED

    def codes_of(self, response_id: str) -> frozenset[str]:
        return self.codings.get(response_id, frozenset())

    def segments_of(self, response_id: str) -> tuple[tuple[str, int, int], ...]:
        """The coder's segment codings of a response, by position: (code, start, end)."""
        found = [(code, start, end) for code, start, end in self.spans.get(response_id, ()) if start is not None]
        return tuple(sorted(found, key=lambda key: (key[1], key[2], key[0])))  # type: ignore[arg-type,return-value]

    def _count_done(self) -> int:
        return sum(1 for rid, s in self.statuses.items()
                   if s is Status.DONE and (self._whole or rid in self.index_of))

    def _load_spans(self) -> None:
        self.spans = {rid: frozenset((s.code, s.start, s.end) for s in held)
                      for rid, held in self.project.segments(self.coder).items()}
        self.codings = {rid: frozenset(code for code, _, _ in held) for rid, held in self.spans.items()}

    def suggestions_for(self, response_id: str) -> tuple[CodeSuggestion, ...] | None:
        """What the engine says about a response, or None when suggestions are off, not ready,
        or not allowed on it (a response of an open reliability set)."""
        if not self.suggestions_on or response_id in self.no_suggestions:
            return None
        return self.suggestions.get(response_id)

    def others_on(self, response_id: str) -> dict[str, tuple[frozenset[str], str | None]]:
        """Other coders' codes and memo on a response, for those who have touched it: a coder
        who never opened it is not listed (never "ben: no codes" for what ben has not seen)."""
        shown = {}
        for coder, (codings, memos) in self.others.items():
            codes, memo = codings.get(response_id, frozenset()), memos.get(response_id)
            if codes or memo or response_id in self.others_statuses.get(coder, {}):
                shown[coder] = (codes, memo)
        return shown

    def why_no_suggestions(self, response_id: str) -> str:
        """Why ``a`` cannot accept anything here, in the coder's words."""
        if self.set_name is not None and not self.set_allows_suggestions:
            return (f"Suggestions are off in reliability set '{self.set_name}' (they could carry "
                    "earlier decisions). A drawn set never changes; only a new set allows them: "
                    f"codewell sample {self.project.location} --name NEW_NAME --allow-suggestions")
        if response_id in self.no_suggestions:
            return "Suggestions are off on this response: it belongs to an open reliability set."
        if not self.suggestions_on:
            return ("Suggestions are off" + (" in blind mode" if self.blind else "")
                    + "; turn them on from the palette (ctrl+p) to accept them with a.")
        return "Suggestions for this response are not ready yet."

    def rate_per_hour(self) -> float | None:
        """Responses done per hour in this session; None until the first is done."""
        elapsed = time.monotonic() - self.started
        if not self.done_this_session or elapsed <= 0:
            return None
        return self.done_this_session * 3600.0 / elapsed

    def eta_seconds(self) -> float | None:
        rate = self.rate_per_hour()
        return None if rate is None else (self.total - self.done) * 3600.0 / rate

    # -- changes (each one committed by the project before it shows) ----------------------------
    # A change is planned as a Write (what to store, with its uids fixed) and applied to this
    # session only after the store has committed it. A write that meets a busy project can wait in
    # the screen's outbox and be retried: with the same uids it still lands exactly once.
    def perform(self, write: Write | None, wait: float = QUICK_WAIT) -> object:
        """Store ``write`` (waiting up to ``wait`` seconds for a lock), then apply it here."""
        if write is None:
            return None
        result = write.store(wait)
        write.apply(result)
        return result

    def _apply(self, decision: Decision) -> None:
        self._own_events.add(decision.id)
        rid, key = decision.response_id, (decision.code, decision.start, decision.end)
        held = self.spans.get(rid, frozenset())
        held = held | {key} if decision.action == "apply" else held - {key}
        self.spans[rid] = held
        self.codings[rid] = frozenset(code for code, _, _ in held)

    def _apply_all(self, decisions: object) -> None:
        for decision in decisions or ():  # type: ignore[attr-defined]
            self._apply(decision)

    def probability(self, response_id: str, code: str) -> float | None:
        for suggestion in self.suggestions_for(response_id) or ():
            if suggestion.code == code:
                return suggestion.probability
        return None

    def plan_toggle(self, code: str, response_id: str | None = None) -> Write:
        """Apply ``code`` if the response lacks it, else remove it (as stored when planned)."""
        rid = response_id or self.response.id
        action = "remove" if (code, None, None) in self.spans.get(rid, ()) else "apply"
        return self.plan_record([(rid, code, action, self.probability(rid, code), False)])

    def plan_segment(self, code: str, start: int, end: int, response_id: str | None = None, *,
                     from_suggestion: bool = False) -> Write:
        """Apply ``code`` to ``text[start:end]`` (code points), or remove it if that very segment
        holds it (as stored when planned); the whole-response coding is not touched."""
        rid = response_id or self.response.id
        action = "remove" if (code, start, end) in self.spans.get(rid, ()) else "apply"
        return self.plan_record([(rid, code, action, self.probability(rid, code), from_suggestion, start, end)])

    def plan_accept_evidence(self, spans: dict[str, tuple[int, int] | None],
                             response_id: str | None = None) -> Write | None:
        """Like :meth:`plan_accept`, but each suggested code lands on its evidence passage
        (``spans``: code -> (start, end), or None for the whole response) in one transaction."""
        rid = response_id or self.response.id
        have = self.codes_of(rid)
        items: list[tuple] = []  # type: ignore[type-arg]
        for s in self.suggestions_for(rid) or ():
            if s.suggested and s.code not in have:
                span = spans.get(s.code)
                items.append((rid, s.code, "apply", s.probability, True, *span) if span
                             else (rid, s.code, "apply", s.probability, True))
        return self.plan_record(items) if items else None

    def plan_accept(self, response_id: str | None = None) -> Write | None:
        """Apply every suggested code not yet applied, in one transaction."""
        rid = response_id or self.response.id
        have = self.codes_of(rid)
        items = [(rid, s.code, "apply", s.probability, True)
                 for s in self.suggestions_for(rid) or () if s.suggested and s.code not in have]
        return self.plan_record(items) if items else None

    def plan_record(self, items: Sequence[tuple]) -> Write:  # type: ignore[type-arg]
        uids = [new_uid() for _ in items]
        return Write(lambda wait: self.project.record_many(self.coder, items, suggestions_on=self.suggestions_on,
                                                           uids=uids, wait=wait),
                     self._apply_all)

    def plan_undo(self) -> Write:
        uid = new_uid()
        return Write(lambda wait: self.project.undo(self.coder, uid=uid, wait=wait),
                     lambda decision: self._apply(decision) if decision is not None else None)  # type: ignore[arg-type]

    def plan_mark(self, status: Status, response_id: str | None = None) -> Write:
        rid = response_id or self.response.id
        shown = self.suggestions_for(rid) if status is Status.DONE else None

        def store(wait: float) -> None:
            # What was shown is kept so that `codewell agree --model` can score the model as a coder.
            self.project.set_status(self.coder, rid, status, wait=wait,
                                    shown=[(s.code, s.probability, s.suggested) for s in shown or ()])

        return Write(store, lambda _: self._apply_status(rid, status))

    def _apply_status(self, rid: str, status: Status) -> None:
        before = self.statuses.get(rid)
        if status is Status.UNCODED:
            self.statuses.pop(rid, None)
        else:
            self.statuses[rid] = status
        if not self._whole and rid not in self.index_of:
            return
        if isinstance(self.rows, RowView) and self.filter == "uncoded":
            self.rows.keep_also(rid)  # stays in the list it was picked from, as in memory
        if before is not Status.DONE and status is Status.DONE:
            self.done += 1
            self.done_this_session += 1
        elif before is Status.DONE and status is not Status.DONE:
            self.done -= 1

    def plan_flag(self, response_id: str | None = None) -> Write:
        """Flag the response, or unflag it if it is flagged (its status is left as it is)."""
        rid = response_id or self.response.id
        on = not self.is_flagged(rid)

        def store(wait: float) -> None:
            self.project.set_flag(self.coder, rid, on, wait=wait)
            if not on and self.statuses.get(rid) is Status.FLAGGED:
                self.project.set_status(self.coder, rid, Status.UNCODED, wait=wait)

        def apply(_: object) -> None:
            (self.flagged.add if on else self.flagged.discard)(rid)
            if not on and self.statuses.get(rid) is Status.FLAGGED:
                self._apply_status(rid, Status.UNCODED)

        return Write(store, apply)

    def plan_memo(self, text: str, response_id: str | None = None) -> Write:
        rid = response_id or self.response.id

        def apply(_: object) -> None:
            if text:
                self.memos[rid] = text
            else:
                self.memos.pop(rid, None)

        return Write(lambda wait: self.project.set_memo(self.coder, rid, text, wait=wait), apply)

    def toggle(self, code: str) -> Decision:
        return self.perform(self.plan_toggle(code))[0]  # type: ignore[index]

    def accept_suggestions(self) -> list[Decision]:
        return list(self.perform(self.plan_accept()) or [])  # type: ignore[call-overload]

    def record_many(self, items: Sequence[tuple[str, str, str, float | None, bool]]) -> list[Decision]:
        return list(self.perform(self.plan_record(items)) or []) if items else []  # type: ignore[call-overload]

    def undo(self) -> Decision | None:
        return self.perform(self.plan_undo())  # type: ignore[return-value]

    def mark(self, status: Status) -> None:
        self.perform(self.plan_mark(status))

    def save_memo(self, text: str) -> None:
        self.perform(self.plan_memo(text))

    def change_codebook(self, kind: str, code: str, values: dict[str, object]) -> int:
        """Rename, edit, merge or retire ``code`` (a new codebook version); a rename or merge
        moves decisions, so this coder's codes are read back afterwards."""
        reason = str(values.pop("reason", ""))
        if kind == "rename":
            version = self.project.rename_code(code, str(values["new_id"]) or None,
                                               label=str(values["label"]), reason=reason)
        elif kind == "edit":
            version = self.project.edit_code(code, reason=reason, **values)
        elif kind == "merge":
            version = self.project.merge_codes(code, str(values["into"]), reason=reason)
        elif kind == "retire":
            version = self.project.retire_code(code, reason=reason)
        else:
            raise ValueError(f"kind must be rename, edit, merge or retire, not {kind!r}")
        self.codebook_version, self.codebook = self.project.versioned_codebook()
        self._events_seen, _ = self.project.events_after(self.coder, None)  # the moves were ours
        self._load_spans()
        return version

    def add_code(self, code: Code) -> int:
        version = self.project.add_code(code)
        self.codebook_version, self.codebook = self.project.versioned_codebook()
        return version
