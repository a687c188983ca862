"""Checking a whole project against codewell's rules, and repairing what is derived data.

A hand-edited file can hold rows codewell never writes (see :mod:`codewell.store.integrity`); most
commands only stumble on them when they read that row, some never notice and count wrong. A check
reads every rule once and says, for each broken one, where, what was expected and what to do. Only
derived data is ever repaired (the search index and the indexes that keep reads fast, rebuilt from
the stored rows): what a coder decided is never changed or deleted, because no program can know
what the coder meant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from codewell.store import open_database
from codewell.store.integrity import DERIVED, SEARCH_INDEXES, Problem, Problems

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.store import Unit

#: How many rows of each kind a report holds (the rest are counted).
SHOWN = 20
_BACKUP = ("restore the project from your latest backup (codewell restore BACKUP PROJECT; on a server, "
           "its own restore)")
_ROWS = _BACKUP + "; if you edited the file by hand, undo that edit"
#: kind -> (what the rows are, what codewell expected there, what to do)
KINDS: dict[str, tuple[str, str, str]] = {
    "missing_tables": ("tables missing from the file", "every table of a codewell project", _BACKUP),
    "missing_columns": ("columns missing from the file's tables", "every column of a codewell project's tables",
                        _BACKUP + "; if you dropped or renamed a column by hand, undo that edit"),
    "missing_keys": ("keys missing from the file's tables (a table rebuilt by hand without its rules)",
                     "every primary key and unique rule of a codewell project's tables",
                     _BACKUP + "; if you rebuilt a table by hand, undo that edit"),
    "codebook": ("the stored codebook", "a readable codebook", _BACKUP),
    "storage": ("damage to the file itself (SQLite's integrity check)", "a file SQLite reads as sound",
                _BACKUP + "; the rules below were not checked, since rows read from a damaged file prove nothing"),
    "constraint": ("rows breaking a rule of the project's tables (SQLite's integrity check)",
                   "every row within the tables' rules", _ROWS),
    "not_text": ("ids, texts and names that are not text, or are empty",
                 "text in every response's id and words and in every coder's name", _ROWS),
    "duplicate_rows": ("rows that must be unique but are not (a table rebuilt by hand without its rule)",
                       "one row per key (one coder per name, one response per id, one status per coder and response)",
                       _ROWS),
    "foreign_key": ("rows pointing at rows that are not there", "every row pointed at to exist", _ROWS),
    "unknown_coder": ("decisions by a coder who is not in the project", "a coder of this project", _ROWS),
    "unknown_response": ("decisions on responses that are not in the project", "a response of this project", _ROWS),
    "unknown_code": ("decisions naming a code that no codebook version ever held",
                     "a code of one of the codebook versions (codewell codebook show lists them)", _ROWS),
    "bad_span": ("coded segments whose end is not after their start",
                 "a start of 0 or more and an end after it (both, or neither for the whole response)", _ROWS),
    "span_past_text": ("coded segments running past the end of their response", "a segment inside the text", _ROWS),
    "bad_status": ("statuses codewell never writes", "done, skipped or flagged", _ROWS),
    "bad_undo": ("undos that do not reverse an earlier decision of the same coder on the same response",
                 "an undo after the decision it reverses, by its coder, on its response", _ROWS),
    "bad_attributes": ("response attributes that are not a JSON object of text values",
                       'an object such as {"profession": "Radiographer"}', _ROWS),
    "bad_reference": ("parts of the reference set codewell never writes",
                      "a JSON list of code ids per reference answer, and the reference's source, codes and date",
                      "codewell reference {project} FILE.csv adds it again; codewell reference {project} --clear drops it"),
    "search_index_missing": ("the search index is missing", "a full-text index of every response",
                             "codewell check {project} --repair rebuilds it from the responses"),
    "search_index_stale": ("the search index is out of step with the responses", "every response indexed, once",
                           "codewell check {project} --repair rebuilds it from the responses"),
    "missing_index": ("indexes missing, which keep the project fast", "every index of a codewell project",
                      "codewell check {project} --repair rebuilds them from the stored rows"),
    "missing_rule_index": ("indexes missing that keep a decision from being stored or undone twice",
                           "every index of a codewell project", _BACKUP),
}


@dataclass(frozen=True)
class Finding:
    """One row that breaks a rule: where it is, what was found, what was expected, what to do."""

    kind: str
    found: str
    expected: str
    action: str
    response_id: str | None = None
    coder: str | None = None
    decision_id: int | None = None
    code: str | None = None
    row: str | None = None

    @property
    def where(self) -> str:
        """"response R003, coder ana, decision 14" (what applies), or "" for the whole project."""
        if self.row is not None:
            return self.row
        parts = [("response", self.response_id), ("coder", self.coder), ("decision", self.decision_id),
                 ("code", self.code)]
        return ", ".join(f"{name} {value}" for name, value in parts if value is not None)


@dataclass(frozen=True)
class FindingGroup:
    """Every row breaking one rule: how many, and the first :data:`SHOWN` of them."""

    kind: str
    title: str
    total: int
    findings: tuple[Finding, ...]
    repairable: bool

    @property
    def more(self) -> int:
        return self.total - len(self.findings)


@dataclass(frozen=True)
class CheckReport:
    """What a check found in a project (nothing: it is sound), and what a repair did first."""

    location: str
    responses: int | None
    decisions: int | None
    groups: tuple[FindingGroup, ...]
    repaired: tuple[str, ...] = ()
    not_repaired: str | None = None

    @property
    def sound(self) -> bool:
        return not self.groups

    @property
    def repairable(self) -> bool:
        return any(group.repairable for group in self.groups)


def _finding(kind: str, problem: Problem, location: str) -> Finding:
    _, expected, action = KINDS[kind]
    return Finding(kind, problem.found, expected, action.format(project=location), problem.response_id,
                   problem.coder, problem.decision_id, problem.code, problem.row)


def _group(problems: Problems, location: str) -> FindingGroup:
    return FindingGroup(problems.kind, KINDS[problems.kind][0], problems.total,
                        tuple(_finding(problems.kind, p, location) for p in problems.first),
                        problems.kind in DERIVED)


class Checking:
    """The whole-project check for a :class:`~codewell.project.Project` (``self`` is one)."""

    @classmethod
    def open_to_check(cls, location: str | Path) -> Project:
        """Open a project without changing it: no upgrade of an older schema (refused instead),
        and none of the open-time checks, which :meth:`check` does in full."""
        return cls(open_database(location, check=False, upgrade=False))  # type: ignore[call-arg,return-value]

    def refuse_if_damaged(self: Project) -> None:
        """Refuse a project that failed its open-time check before a screen that writes opens on
        it: one error then, not a screen whose every key fails (or whose reads crash on a table
        or column dropped by hand)."""
        self._db.refuse_if_damaged()

    def check(self: Project, limit: int = SHOWN) -> CheckReport:
        """Every rule the stored rows break, reading only (one snapshot)."""
        def read(unit: Unit) -> CheckReport:
            problems = unit.integrity_problems(limit)
            size = (None, None) if any(p.kind == "missing_tables" for p in problems) else unit.project_size()
            return CheckReport(self.location, *size, tuple(_group(p, self.location) for p in problems))

        return self._db.read(read)

    def repair(self: Project, limit: int = SHOWN) -> CheckReport:
        """Rebuild what the check found damaged among derived data (the indexes), in one
        transaction, then check again. Nothing is written when nothing derived is damaged, or when
        the file itself is (writing into a damaged file can spread the damage)."""
        before = self.check(limit)
        kinds = {group.kind for group in before.groups}
        if kinds & {"missing_tables", "missing_columns", "missing_keys", "storage"}:  # its search index was not even looked at
            return replace(before, not_repaired="the file itself is damaged, so nothing was written to it")
        if not kinds & DERIVED:
            return before
        rebuilt = self._write(lambda unit: unit.repair_derived(kinds))
        after = self.check(limit)
        return replace(after, repaired=tuple(
            f"rebuilt the search index from the {after.responses} responses" if name in SEARCH_INDEXES
            else f"rebuilt the index {name}" for name in rebuilt))
