"""Reliability sets in the project facade: drawing them, coding them, agreement on them, and
the blinding rule that protects them.

**The blinding rule** (:meth:`Sets._hidden_in`, the one place it is decided): a project opened
for a coder (``Project.open(location, viewer="ben")``) never hands that coder another coder's
codes, memos, statuses or decisions on a response of an *open* set. A set is open until at least
two coders have opened it and every coder who opened it has finished all of it. Every read of
another coder's work in the facade goes through :meth:`Sets._visible`, so the coding screen,
search, review by code, the palette and ``status --coder`` cannot show it by accident. A
database that enforces permissions (row-level security on PostgreSQL) mirrors the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from codewell.errors import AgreementError, CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import Decision, Response

if TYPE_CHECKING:
    from codewell.agreement import MultilabelAgreement
    from codewell.agreement.planning import CodePlan
    from codewell.project import Project
    from codewell.store import Unit
    from codewell.store.sets import StoredSet

V = TypeVar("V")
DEFAULT_SET = "irr"
MAX_SET_NAME = 64


@dataclass(frozen=True)
class ReliabilitySet:
    """A named draw of responses that every coder codes in the same order (``ids``)."""

    name: str
    ids: tuple[str, ...]
    seed: int
    stratify: str | None
    allow_suggestions: bool
    created_at: datetime
    participants: tuple[str, ...]
    done: Mapping[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def is_open(self) -> bool:
        """Open until two or more coders opened it and every one of them finished all of it."""
        return len(self.participants) < 2 or any(self.done.get(c, 0) < self.size for c in self.participants)

    def to_dict(self, coders: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``status --json`` shape; ``coders`` limits whose progress is shown."""
        names = [c for c in dict.fromkeys([*self.participants, *self.done])
                 if coders is None or c in coders]
        return {"size": self.size, "ids": list(self.ids),
                "coders": {c: {"done": self.done.get(c, 0)} for c in names},
                "open": self.is_open, "seed": self.seed, "stratify": self.stratify,
                "suggestions_allowed": self.allow_suggestions, "participants": list(self.participants)}


@dataclass(frozen=True)
class AgreementReport:
    """Agreement and what it rests on: the set it was computed on (None: every response all
    coders finished), the overlap, the codebook version, and warnings in plain words."""

    result: MultilabelAgreement
    set_name: str | None
    overlap: int
    codebook_version: int
    warnings: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "overlap": self.overlap, "warnings": list(self.warnings),
                "set": self.set_name, "codebook_version": self.codebook_version}


class Sets:
    """Reliability sets and blinding for a :class:`~codewell.project.Project` (``self`` is one)."""

    viewer: str | None

    # -- the blinding rule ------------------------------------------------------------------
    def _hidden_in(self: Project, unit: Unit, coder: str) -> frozenset[str]:
        """Response ids on which ``coder``'s work is hidden from this project's viewer."""
        if self.viewer is None or coder == self.viewer:
            return frozenset()
        hidden: set[str] = set()
        for stored in unit.stored_sets():
            ids = unit.set_member_ids(stored.name)
            if _from_stored(stored, ids).is_open:
                hidden.update(ids)
        return frozenset(hidden)

    def _visible(self: Project, unit: Unit, coder: str, by_response: Mapping[str, V]) -> dict[str, V]:
        """``by_response`` (response id -> anything of ``coder``'s) as the viewer may see it."""
        hidden = self._hidden_in(unit, coder)
        if not hidden:  # the common case: no viewer, or no open set; no copy of a large mapping
            return by_response if isinstance(by_response, dict) else dict(by_response)
        return {rid: value for rid, value in by_response.items() if rid not in hidden}

    def _visible_decisions(self: Project, unit: Unit, coder: str | None,
                           decisions: Sequence[Decision]) -> list[Decision]:
        """The log as the viewer may see it: ``coder`` None means the decisions are anyone's."""
        if self.viewer is None:
            return list(decisions)
        hidden = {c: self._hidden_in(unit, c) for c in {d.coder for d in decisions}}
        return [d for d in decisions if d.response_id not in hidden[d.coder]]

    def _visible_counts(self: Project, unit: Unit) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """``summary``'s status and decision counts per coder, as the viewer may see them."""
        counts, decisions = unit.status_counts(), unit.decision_counts()
        for coder in unit.coder_names():
            hidden = self._hidden_in(unit, coder)
            if not hidden:
                continue
            mine: dict[str, int] = {}
            for rid, status in unit.statuses(coder).items():
                if rid not in hidden:
                    mine[status.value] = mine.get(status.value, 0) + 1
            counts[coder] = mine
            decisions[coder] = sum(1 for d in unit.decisions(coder) if d.response_id not in hidden)
        return counts, decisions

    # -- drawing and reading sets -----------------------------------------------------------
    def draw_set(self: Project, size: int, *, name: str = DEFAULT_SET, seed: int = 1,
                 stratify: str | None = None, allow_suggestions: bool = False) -> ReliabilitySet:
        """Draw ``size`` non-empty responses (reproducibly from ``seed``; by ``stratify``'s shares
        when given) as a named set, in a seeded coding order the same for every coder."""
        from codewell.sampling import random_order, sample_positions, stratified_positions

        _check_set_name(name)
        if size < 1:
            raise CodewellError(f"--size must be at least 1, not {size}")
        if not -2**63 <= seed < 2**63:  # the set keeps its seed in a 64-bit column
            raise CodewellError(f"--seed must be between -2**63 and 2**63 - 1, not {seed}")
        total, empty = self._db.read(lambda unit: unit.response_counts())
        if total == empty:
            raise CodewellError("the project has no non-empty responses to sample",
                                hint=f"codewell import {self.location} DATA.csv")
        if stratify is not None:
            known = sorted(self._db.read(lambda unit: unit.attribute_names()))
            if stratify not in known:
                raise UnknownNameError(f"no attribute '{stratify}' to stratify by",
                                       did_you_mean(stratify, known) or
                                       (f"attributes: {', '.join(known)}" if known else "the responses have none"))
        ids, strata = self._db.read(lambda unit: unit.sampling_frame(non_empty=True, attribute=stratify))
        positions = (stratified_positions(ids, strata, size, seed) if stratify is not None
                     else sample_positions(ids, size, seed))
        chosen = [ids[p] for p in positions]
        ordered = [chosen[i] for i in random_order(chosen, seed)]

        def work(unit: Unit) -> None:
            existing = {s.name for s in unit.stored_sets()}
            if name in existing:
                raise CodewellError(f"there is already a set '{name}'",
                                    hint="pick another --name; a drawn set never changes")
            twin = next((other for other in existing if other.casefold() == name.casefold()), None)
            if twin is not None:  # 'IRR' beside 'irr': two sets a reader cannot tell apart
                raise CodewellError(f"there is already a set '{twin}', which differs from '{name}' only in case",
                                    hint=f"to use it, name '{twin}'; a new set needs a name that differs "
                                         "by more than upper and lower case")
            pks = self._pks_in(unit, ordered)
            unit.add_set(name, seed, stratify, allow_suggestions, [pks[rid] for rid in ordered],
                         note=f"drawn {len(ordered)} of {len(ids)}")

        self._write(work)
        return self.reliability_set(name)

    def sets(self: Project) -> tuple[ReliabilitySet, ...]:
        return self._db.read(self._sets_in)

    def _sets_in(self: Project, unit: Unit) -> tuple[ReliabilitySet, ...]:
        return tuple(_from_stored(s, unit.set_member_ids(s.name)) for s in unit.stored_sets())

    def reliability_set(self: Project, name: str) -> ReliabilitySet:
        found = {s.name: s for s in self.sets()}
        if name not in found:
            raise UnknownNameError(f"no set '{name}' in this project",
                                   did_you_mean(name, found) or
                                   (f"sets: {', '.join(found)}" if found else
                                    f"draw one with: codewell sample {self.location} --size 30"))
        return found[name]

    def default_set(self: Project) -> ReliabilitySet | None:
        """The set agreement means when none is named: 'irr' if there is one, else the newest."""
        sets = self.sets()
        named = [s for s in sets if s.name == DEFAULT_SET]
        return named[0] if named else (sets[-1] if sets else None)

    def set_responses(self: Project, name: str) -> tuple[Response, ...]:
        """The set's responses in its coding order."""
        ids = self.reliability_set(name).ids
        found = self.responses_by_id(ids)
        return tuple(found[rid] for rid in ids)

    def sample_responses(self: Project, size: int, seed: int) -> tuple[Response, ...]:
        """A reproducible random subset of ``size`` responses (``code --sample``), in import
        order; asking for more than there are gives them all."""
        from codewell.sampling import sample_positions

        ids = self.response_ids()
        chosen = [ids[p] for p in sample_positions(ids, size, seed)]
        found = self.responses_by_id(chosen)
        return tuple(found[rid] for rid in chosen)

    def join_set(self: Project, name: str, coder: str) -> ReliabilitySet:
        """``coder`` opens the set: from now on it stays open until they have finished it."""
        from codewell.project.coding import check_coder_name

        check_coder_name(coder)
        self.reliability_set(name)
        self._write(lambda unit: unit.join_set(name, coder))
        return self.reliability_set(name)

    def _sets_summary_in(self: Project, unit: Unit) -> dict[str, Any]:
        """``status --json``'s ``sets``: only the viewer's own progress while a set is open."""
        return {s.name: s.to_dict(None if self.viewer is None or not s.is_open else [self.viewer])
                for s in self._sets_in(unit)}

    # -- agreement on a set -------------------------------------------------------------------
    def agreement_report(self: Project, coders: Sequence[str], *, set_name: str | None = None,
                         all_responses: bool = False, ci: bool = False, seed: int = 0,
                         n_boot: int = 1000, masi: str = "passonneau") -> AgreementReport:
        """Agreement on a set (named, else the default set when there is one, unless
        ``all_responses``), with the overlap it rests on and warnings where it is thin."""
        from codewell.agreement.planning import overlap_warnings

        chosen = None
        if set_name is not None:
            chosen = self.reliability_set(set_name)
        elif not all_responses:
            chosen = self.default_set()
        notes = []
        ids = None
        if chosen is not None:
            ids = chosen.ids
            notes.append(f"computed on set '{chosen.name}' ({chosen.size} responses)"
                         + ("" if set_name else "; --all-responses compares every response instead"))
            if chosen.is_open:
                notes.append(f"set '{chosen.name}' is still open: "
                             + ", ".join(f"{c} {chosen.done.get(c, 0)}/{chosen.size}"
                                         for c in chosen.participants or coders))
        try:
            result = self.agreement(coders, ci=ci, seed=seed, n_boot=n_boot, masi=masi, ids=ids)
        except AgreementError as error:
            if chosen is None:
                raise
            raise AgreementError(f"on set '{chosen.name}': {error.message}",
                                 hint=error.hint or f"each coder codes it with: codewell code "
                                                    f"{self.location} --coder NAME --set {chosen.name}") from None
        warnings = tuple(overlap_warnings(result))
        return AgreementReport(result, chosen.name if chosen else None, result.n_units,
                               self.codebook_version, warnings, tuple(notes))

    # -- planning ------------------------------------------------------------------------------
    def plan_sample(self: Project, *, alpha_min: float = 0.8, level: float = 0.05,
                    coders: int = 2, expected: float = 0.1) -> list[CodePlan]:
        """Units needed per code, from each code's observed prevalence (over every finished
        response of every coder) or, for a code nobody has applied yet, ``expected``."""
        from codewell.agreement.planning import plan_sample

        if not 0.0 < expected < 1.0:
            raise CodewellError(f"--expected must be between 0 and 1, not {expected}")
        if not 0.0 < alpha_min < 1.0:
            raise CodewellError(f"--alpha-min must be between 0 and 1, not {alpha_min}")
        if not 0.0 < level < 0.5:
            raise CodewellError(f"--level must be between 0 and 0.5, not {level}")
        codebook = self.codebook
        applied = dict.fromkeys(codebook.ids, 0)
        finished = 0
        for coder in self.coders():
            codings = self.codings(coder)
            for rid in self.finished(coder):
                finished += 1
                for code in codings.get(rid, ()):
                    if code in applied:
                        applied[code] += 1
        prevalences = {}
        for code in codebook.ids:
            if finished and applied[code]:
                prevalences[code] = (applied[code] / finished, f"observed ({applied[code]} of {finished})")
            else:
                prevalences[code] = (expected, "expected")
        return plan_sample(prevalences, alpha_min=alpha_min, level=level, coders=coders)


def _from_stored(stored: StoredSet, ids: Sequence[str]) -> ReliabilitySet:
    return ReliabilitySet(name=stored.name, ids=tuple(ids), seed=stored.seed,
                          stratify=stored.stratify, allow_suggestions=stored.allow_suggestions,
                          created_at=stored.created_at, participants=stored.participants,
                          done=dict(stored.done))


def _check_set_name(name: str) -> None:
    if (not name.strip() or name != name.strip() or len(name) > MAX_SET_NAME
            or any(ord(ch) < 32 for ch in name)):
        raise CodewellError(f"'{name[:80]}' is not a usable set name",
                            hint="use a short name such as 'irr' or 'pilot'")
