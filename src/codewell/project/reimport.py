"""What importing a file again finds in the rows the project already holds.

A response is known by its id. Another text under a known id is refused: the id no longer names
one response. Other attribute values are ordinary (a corrected site, a column added to the survey
export) but they feed every export and every agreement by group, so they are never taken
silently: by default the stored values stay and the import says which differ; told to, the
import takes the file's values, keeping stored attributes the file does not name.

Ids are matched exactly, so an id that differs from another only in upper and lower case
("is001" beside "IS001", after a tool lower-cased the export) would be a second response: the
same answer coded and counted twice. Such an id is refused, whether its twin is stored or in the
same file (:class:`CaseTwins`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codewell.errors import DataFileError
from codewell.values import Response

if TYPE_CHECKING:
    from codewell.store import Unit

SHOWN = 3  # changes spelled out in the note; the rest are counted


@dataclass
class AttributeChanges:
    """Known responses whose file row holds attribute values the store does not, in file order."""

    merged: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> stored values updated by the file's
    examples: list[str] = field(default_factory=list)

    def add(self, responses: Iterable[Response], stored: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        """Compare ``responses`` with the ``stored`` attributes of those already stored; returns
        this block's changes (id -> merged values) and keeps them."""
        found: dict[str, dict[str, str]] = {}
        for response in responses:
            before = stored.get(response.id)
            if before is None:
                continue
            differing = {name: value for name, value in response.attributes.items() if before.get(name, "") != value}
            if not differing:
                continue
            found[response.id] = {**before, **response.attributes}
            if len(self.examples) < SHOWN:
                self.examples.append(f"{response.id}: " + ", ".join(
                    f"{name} {before[name]!r} → {value!r}" if name in before else f"{name} {value!r} (new)"
                    for name, value in differing.items()))
        self.merged.update(found)
        return found

    def note(self, taken: bool) -> str | None:
        """The line the import prints, or None when nothing differs."""
        if not self.merged:
            return None
        count = len(self.merged)
        more = f"; and {count - len(self.examples)} more" if count > len(self.examples) else ""
        listed = "; ".join(self.examples) + more
        if taken:
            return f"updated the attributes of {count} response(s) already in the project from this file ({listed})."
        return (f"{count} response(s) already in the project have other attribute values in this file "
                f"({listed}). The stored values were kept: add --update-attributes to take the file's.")


def changed_texts(source: str | Path, changed: Sequence[str]) -> DataFileError:
    """The refusal of ids already stored with another text (``changed`` sorted)."""
    return DataFileError(
        f"{source}: {len(changed)} response id(s) already in the project with different text: "
        + ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else ""),
        hint="ids must identify one response; use --id-column to pick another id column")


class CaseTwins:
    """The case-folded ids one import has met: the file's, block after block, and the project's,
    read at the first id the project lacks (a file imported again as it was never reads them).
    They are read inside the import's write, and writers follow one another (SQLite's write
    lock; on PostgreSQL the advisory lock every write takes first), so two people importing
    twins at once cannot both pass. Only these sets are held, never the rows."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit
        self._file: set[str] = set()
        self._project: set[str] | None = None

    def found(self, responses: Sequence[Response], stored: Collection[str]) -> list[tuple[Response, Response | None]]:
        """Each of ``responses`` (in file order) whose id is not ``stored`` as it is but folds like
        an id met before, with its twin in ``responses`` (None: an earlier block's or the project's)."""
        twins: list[tuple[Response, Response | None]] = []
        here: dict[str, Response] = {}  # this batch's first response of each folded id
        for response in responses:
            key = response.id.casefold()
            first = here.setdefault(key, response)
            if response.id in stored:
                continue  # known as it is (a project may hold twins stored before they were refused)
            if first is not response:
                if first.id != response.id:  # the same id twice is the reader's to refuse
                    twins.append((response, first))
            elif key in self._file or key in self._stored():
                twins.append((response, None))
        self._file.update(here)
        return twins

    def _stored(self) -> set[str]:
        if self._project is None:
            self._project = self._unit.folded_response_ids()
        return self._project


def refuse_case_twins(unit: Unit, responses: Sequence[Response], stored: Collection[str],
                      source: str | Path) -> None:
    """Refuse the whole import when an id of ``responses`` differs only in case from a stored id
    or from another of the file's, naming the first such row and counting the rest."""
    twins = CaseTwins(unit).found(responses, stored)
    if not twins:
        return
    response, first = twins[0]
    if first is not None and first.id not in stored:
        twin, where = first.id, f" on {_place(source)} {first.row}"
        hint = "each response needs its own id; fix the file or pick another column with --id-column"
    else:
        twin = first.id if first is not None else unit.case_twins([response.id.casefold()])[response.id.casefold()]
        where = ", already in the project,"
        hint = "the same answer would be stored and counted twice; fix the ids in the file, then import it again"
    more = f"; {len(twins) - 1} more id(s) in this file do the same" if len(twins) > 1 else ""
    raise DataFileError(f"{source}, {_place(source)} {response.row}: response id '{response.id}' differs from "
                        f"'{twin}'{where} only in upper and lower case{more}",
                        hint=f"did you mean '{twin}'? {hint}")


def listed_ids(unit: Unit, ids: Sequence[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Storage keys of those ``ids`` stored as they are and, by case-folded id, a stored id that
    each of the others differs from only in case: what a codings file naming "is001" for the
    stored "IS001" is told, instead of only that "is001" is not in the project."""
    known = unit.response_pks(ids)
    unknown = [rid.casefold() for rid in ids if rid not in known]
    return known, unit.case_twins(unknown) if unknown else {}


def _place(source: str | Path) -> str:
    """How the file numbers a response: a REFI-QDA project lists sources, a survey has rows."""
    return "source" if str(source).lower().endswith(".qdpx") else "row"
