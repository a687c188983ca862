"""The coding half of the project facade: decisions, undo, statuses, memos, and reading them back.

Every write is one unit of work in the store. Validation against the codebook and the responses
happens inside that unit, on what is stored at that moment (a code added by another session a
second ago is known; a coder cache from a rolled-back transaction cannot exist). Each decision
carries a uid, generated here unless the caller brings one: a caller that retries a write with the
same uid (after a busy lock, a lost connection) gets the stored event back, never a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from codewell.coders import MAX_CODER_NAME, coder_name_problem
from codewell.errors import CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.project.segments import check_span
from codewell.values import Decision, Status

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.store import Unit

#: (response id, code, action, probability, from_suggestion), optionally followed by a segment's
#: (start, end) in code points of the response text (see :mod:`codewell.project.segments`)
DecisionItem = tuple[str, str, str, float | None, bool] | tuple[
    str, str, str, float | None, bool, int | None, int | None]


def new_uid() -> str:
    return uuid.uuid4().hex


def check_coder_name(coder: str) -> None:
    """Coder names appear in column headers, REFI-QDA users and messages: keep them plain."""
    if coder_name_problem(coder) is not None:
        raise UnknownNameError(f"'{coder[:80]}' is not a usable coder name",
                               hint=f"use a short name (up to {MAX_CODER_NAME} characters) without commas "
                                    "or control characters, e.g. 'ana'")


class Coding:
    """Recording and reading decisions for a :class:`~codewell.project.Project` (``self`` is one)."""

    def record(self: Project, coder: str, response_id: str, code: str, action: Literal["apply", "remove"], *,
               probability: float | None = None, from_suggestion: bool = False,
               suggestions_on: bool = False, uid: str | None = None, wait: float | None = None,
               on_wait: Callable[[], None] | None = None) -> Decision:
        return self.record_many(coder, [(response_id, code, action, probability, from_suggestion)],
                                suggestions_on=suggestions_on, uids=None if uid is None else [uid],
                                wait=wait, on_wait=on_wait)[0]

    def record_many(self: Project, coder: str, items: Sequence[DecisionItem], *, suggestions_on: bool = False,
                    uids: Sequence[str] | None = None, wait: float | None = None,
                    on_wait: Callable[[], None] | None = None) -> list[Decision]:
        """Append decisions in one transaction; every item is validated first, inside it."""
        check_coder_name(coder)
        for item in items:
            action, probability = item[2], item[3]
            if action not in ("apply", "remove"):
                raise ValueError(f"action must be 'apply' or 'remove', not {action!r}")
            if probability is not None and not 0.0 <= probability <= 1.0:
                raise ValueError(f"probability must be within [0, 1], not {probability}")
        ids = list(uids) if uids is not None else [new_uid() for _ in items]
        if len(ids) != len(items):
            raise ValueError(f"{len(items)} decisions but {len(ids)} uids")

        def work(unit: Unit) -> list[Decision]:
            version, codebook = self._codebook_in(unit)
            pks = self._pks_in(unit, [item[0] for item in items])
            texts = unit.existing_texts([item[0] for item in items if len(item) > 5])
            rows = []
            for item, uid in zip(items, ids):
                response_id, code, action, probability, from_suggestion = item[:5]
                if len(item) > 5:  # a segment: its span must fit the text as stored
                    check_span(texts[response_id], item[5], item[6], f"response '{response_id}': ")  # type: ignore[misc]
                if code not in codebook.ids:
                    raise UnknownNameError(f"no code '{code}' in the codebook", did_you_mean(code, codebook.ids))
                rows.append((pks[response_id], code, action, probability, from_suggestion, uid, *item[5:7]))
            return unit.decisions(coder, unit.append_events(coder, rows, version, suggestions_on))

        return self._write(work, wait=wait, on_wait=on_wait)

    def undo(self: Project, coder: str, *, uid: str | None = None, wait: float | None = None,
             on_wait: Callable[[], None] | None = None) -> Decision | None:
        """Reverse the coder's latest decision that is not already reversed (by any session)."""
        uid = uid or new_uid()

        def work(unit: Unit) -> Decision | None:
            version, _ = self._codebook_in(unit)
            event_id = unit.undo_last(coder, version, uid)
            return None if event_id is None else unit.decisions(coder, [event_id])[0]

        return self._write(work, wait=wait, on_wait=on_wait)

    def set_status(self: Project, coder: str, response_id: str, status: Status, *,
                   shown: Sequence[tuple[str, float, bool]] = (),
                   wait: float | None = None, on_wait: Callable[[], None] | None = None) -> None:
        """``shown``: the suggestions the coder saw as they finished (see :meth:`record_shown`),
        stored in the same transaction, so finishing a response is one write."""
        check_coder_name(coder)

        def work(unit: Unit) -> None:
            pk = self._pks_in(unit, [response_id])[response_id]
            unit.set_statuses(coder, [pk], status)
            if shown:
                unit.append_shown(coder, pk, shown)

        self._write(work, wait=wait, on_wait=on_wait)

    def set_memo(self: Project, coder: str, response_id: str, text: str, *,
                 wait: float | None = None, on_wait: Callable[[], None] | None = None) -> None:
        check_coder_name(coder)

        def work(unit: Unit) -> None:
            unit.set_memo(coder, self._pks_in(unit, [response_id])[response_id], text)

        self._write(work, wait=wait, on_wait=on_wait)

    def record_shown(self: Project, coder: str, response_id: str, shown: Sequence[tuple[str, float, bool]], *,
                     wait: float | None = None, on_wait: Callable[[], None] | None = None) -> None:
        """Remember the suggestions a coder saw (code, probability, suggested) for model agreement."""
        check_coder_name(coder)

        def work(unit: Unit) -> None:
            unit.append_shown(coder, self._pks_in(unit, [response_id])[response_id], shown)

        self._write(work, wait=wait, on_wait=on_wait)

    # -- reading back ------------------------------------------------------------------------
    def coders(self: Project) -> tuple[str, ...]:
        return tuple(self._db.read(lambda unit: unit.coder_names()))

    def refuse_another_login(self: Project, coder: str) -> None:
        """On a server a coder's login writes only as its own coder: opened as another coder,
        the screen showed what the login may see and refused every key. Refused here, first."""
        own = self._db.read(lambda unit: unit.login_coder())
        if own is not None and own != coder:
            raise CodewellError(f"this login codes as '{own}', not '{coder}'",
                                hint=f"use --coder {own}, or {coder}'s own login (codewell team list)")

    def refuse_case_twin(self: Project, coder: str) -> None:
        """Refuse ``coder`` when it is new but differs from a known coder only in case, before a
        screen opens for it (the store refuses it at the first decision anyway)."""
        from codewell.store.records import refuse_case_twin

        refuse_case_twin(coder, self.coders())

    def statuses(self: Project, coder: str) -> dict[str, Status]:
        return self._db.read(lambda unit: self._visible(unit, coder, unit.statuses(coder)))

    def marks_count(self: Project, coder: str) -> tuple[int, int]:
        """How many responses ``coder`` has marked (done, skipped or flagged as a status), and
        how many they flagged: counts only, so a screen can ask every few seconds whether its
        coder's marks changed in another session without reading them all."""
        def read(unit: Unit) -> tuple[int, int]:
            if self._hidden_in(unit, coder):  # another coder's work on an open set: count what is seen
                return (len(self._visible(unit, coder, unit.statuses(coder))),
                        len(self._visible(unit, coder, dict.fromkeys(unit.flags(coder)))))
            return unit.status_count(coder), unit.flag_count(coder)

        return self._db.read(read)

    def memos(self: Project, coder: str) -> dict[str, str]:
        return self._db.read(lambda unit: self._visible(unit, coder, unit.memos(coder)))

    def codings(self: Project, coder: str) -> dict[str, frozenset[str]]:
        return self._db.read(lambda unit: self._visible(unit, coder, unit.current_codings(coder)))

    def codes_for(self: Project, coder: str, response_id: str) -> frozenset[str]:
        """``coder``'s codes on one response as the viewer may see them, reading that response alone."""
        return self._db.read(lambda unit: self._visible(
            unit, coder, unit.current_codings(coder, response_id))).get(response_id, frozenset())

    def decisions(self: Project, coder: str | None = None) -> tuple[Decision, ...]:
        if coder is None and self.viewer is not None:
            coders = self.coders()
            return tuple(sorted((d for c in coders for d in self.decisions(c)), key=lambda d: d.id))
        return tuple(self._db.read(lambda unit: self._visible_decisions(unit, coder, unit.decisions(coder))))

    def latest_events(self: Project, coder: str) -> dict[tuple[str, str], Decision]:
        return self._db.read(lambda unit: {(d.response_id, d.code): d for d in self._visible_decisions(
            unit, coder, list(unit.latest_events(coder).values()))})

    def events_after(self: Project, coder: str, after: int | None) -> tuple[int, list[int]]:
        """(the newest decision id, ids of ``coder``'s decisions after ``after``, none when it is
        None): how a coding
        screen learns, reading only the rows since it last looked, that another session (the
        coder's other terminal, ``import --codings``) recorded for its coder."""
        return self._db.read(lambda unit: unit.events_after(coder, after))

    def finished(self: Project, coder: str) -> set[str]:
        return {rid for rid, s in self.statuses(coder).items() if s is Status.DONE}

    # -- inside a unit of work ----------------------------------------------------------------
    def _pks_in(self: Project, unit: Unit, response_ids: Sequence[str]) -> dict[str, int]:
        """Storage keys of ``response_ids``, read in the unit; an unknown id is an error."""
        pks = unit.response_pks(response_ids)
        for response_id in response_ids:
            if response_id not in pks:
                known = unit.sampling_frame(non_empty=False)[0]
                raise UnknownNameError(f"no response with id '{response_id}'", did_you_mean(response_id, known))
        return pks
