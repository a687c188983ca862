"""What other sessions changed while a coding screen is open, caught up with.

The owner at the command line, a second coder's screen and the coder's own other terminal all
write to the project a screen has open: a renamed code, a set drawn, decisions recorded for the
coder, responses imported. A screen that kept what it read when it opened showed stale codes,
leaked work a set had just hidden and lost memos. So it looks again as the coder moves on, at
most every ``LOOK_EVERY`` seconds (a fast coder's keys pay for no read), at once when a change
is refused, and at the end of its list for new responses. Mixed into
:class:`~codewell.tui.session.CodingSession`, which owns the state these methods read and renew.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from codewell.errors import ProjectBusyError

if TYPE_CHECKING:
    from codewell.project import Project

#: How often moving on looks at what other sessions changed (seconds).
LOOK_EVERY = 2.0


class ChangesElsewhere:
    """Catching up with other sessions (``self`` is a CodingSession)."""

    project: Project

    def _read_sets(self) -> tuple[frozenset[str], frozenset[str]]:
        """The project's sets now: (the open ones' names, the responses suggestions must stay
        off on: those of open sets that forbid them, since a model could carry earlier decisions)."""
        sets = self.project.sets()
        return (frozenset(s.name for s in sets if s.is_open),
                frozenset(rid for s in sets if s.is_open and not s.allow_suggestions for rid in s.ids))

    def _load_others(self) -> None:
        """Other coders' work as the project lets this coder see it now (never on an open set)."""
        self.others, self.others_statuses = {}, {}
        if self.blind:
            return
        for other in self.project.coders():
            if other != self.coder:
                self.others[other] = (self.project.codings(other), self.project.memos(other))
                self.others_statuses[other] = self.project.statuses(other)

    def look_for_more(self) -> int:
        """At the end of the list: how many responses another process imported since the list
        was read (now in it). Only the whole project grows; a set or a sample is fixed. Without
        this the screen said "the last response" and counted 20/20 done over 22."""
        if self._pages is None:
            return 0
        before = len(self._pages)
        try:
            self._pages.refresh()
        except ProjectBusyError:
            return 0
        if len(self._pages) == before:
            return 0
        self._rebuild_rows()
        return len(self._pages) - before

    def stored_memo(self, response_id: str) -> str:
        """The coder's memo on a response as stored now, kept here too: the same coder in
        another terminal may have written one since this session read them. Read when a memo
        is opened or saved, never on a coding key."""
        try:
            text = self.project.memos(self.coder).get(response_id, "")
        except ProjectBusyError:  # a server restarting: what this session knows
            return self.memos.get(response_id, "")
        if text:
            self.memos[response_id] = text
        else:
            self.memos.pop(response_id, None)
        return text

    # The direct forms, for tests and the benchmark: plan and perform in one call.

    def catch_up_own(self) -> str | None:
        """Read this coder's work again if another session recorded for them (their other
        terminal, ``import --codings``, an undo there), reading only the decisions since the
        last look. Without this the screen kept showing a code undone elsewhere, or not showing
        one imported, and Enter finished the response as it was stored, not as shown. Marks
        set elsewhere without a decision are looked for next (:meth:`_catch_up_marks`)."""
        newest, mine = self.project.events_after(self.coder, self._events_seen)
        foreign = [event for event in mine if event not in self._own_events]
        self._events_seen = max(self._events_seen, newest)
        self._own_events = {event for event in self._own_events if event > self._events_seen}
        if not foreign:
            return self._catch_up_marks()
        self._load_spans()
        self.statuses = dict(self.project.statuses(self.coder))
        self.memos = dict(self.project.memos(self.coder))
        self.flagged = self.project.flags(self.coder)
        self.done = self._count_done()
        return (f"{len(foreign)} decision(s) of yours were recorded in another session (another screen "
                "of yours, or an import); your codes shown are as stored now")

    def _catch_up_marks(self) -> str | None:
        """Read the coder's statuses and flags again if another session of theirs added some.

        Finishing a response left without codes, skipping or flagging it records no decision,
        so the decisions since the last look do not show it, and statuses carry no sequence. The
        store's count of marked and of flagged responses does: two counts from an index,
        compared with this screen's own, so a look reads no rows unless one changed. (A response
        moved from one mark to another elsewhere, skipped to done, keeps both counts and goes
        unseen until the screen is opened again.)"""
        if self.project.marks_count(self.coder) == (len(self.statuses), len(self.flagged)):
            return None
        self.statuses = dict(self.project.statuses(self.coder))
        self.flagged = self.project.flags(self.coder)
        self.done = self._count_done()
        return ("responses of yours were marked done, skipped or flagged in another session (another "
                "screen of yours); the marks shown are as stored now")

    def catch_up(self, *, now: bool = False) -> dict[str, str]:
        """Another session (the owner at the command line, a second coder's screen, this coder's
        other terminal) may have changed the codebook, the reliability sets or this coder's work
        since this one read them. Returns what changed ("codebook", "sets", "own" -> what, in
        words); empty when nothing did. Asked as the coder moves on, it looks at most every
        ``LOOK_EVERY`` seconds (a fast coder's keys pay for no read), and at once when
        ``now`` (a change was refused)."""
        if not now and time.monotonic() - self._looked < LOOK_EVERY:
            return {}
        self._looked = time.monotonic()
        found: dict[str, str] = {}
        for kind, look in (("codebook", self._catch_up_codebook), ("sets", self._catch_up_sets),
                           ("own", self.catch_up_own)):
            try:
                change = look()
            except ProjectBusyError:  # a server restarting: the next move looks again
                continue
            if change is not None:
                found[kind] = change
        if "codebook" in found:  # a rename or merge moved the coder's decisions: that is what changed
            found.pop("own", None)
        return found

    def _catch_up_codebook(self) -> str | None:
        """Read the newest codebook version, and this coder's codings again (a rename or merge
        moved them); returns what changed, in the history's words. Without this a renamed
        code's key said "no code" and a code added elsewhere never appeared."""
        if self.project.codebook_version == self.codebook_version:
            return None
        seen = self.codebook_version
        self.codebook_version, self.codebook = self.project.versioned_codebook()
        self._load_spans()
        notes = [note for version, _, _, note in self.project.codebook_history()
                 if seen < version <= self.codebook_version and note]
        return "; ".join(notes) or "a new version"

    def _catch_up_sets(self) -> str | None:
        """A set drawn elsewhere (``codewell sample``) is open at once: other coders' work on
        its responses, read when the screen opened, must leave the screen, and suggestions go
        off there; a set the last coder finished elsewhere closes and shows that work again.
        Without this an open screen kept showing ben's codes and memos on a fresh set."""
        before = self.open_sets
        open_sets, no_suggestions = self._read_sets()
        if open_sets == before:
            return None
        self._load_others()  # first: if it fails, the next look finds the change again
        self.open_sets, self.no_suggestions = open_sets, no_suggestions
        opened, closed = sorted(open_sets - before), sorted(before - open_sets)
        said = []
        if opened:
            said.append(f"set {', '.join(repr(n) for n in opened)} is open: other coders' work on its "
                        "responses is hidden, and suggestions are off there, until it closes")
        if closed:
            said.append(f"set {', '.join(repr(n) for n in closed)} is closed: other coders' work on it shows")
        return "; ".join(said)
