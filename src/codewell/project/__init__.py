"""The one facade the CLI and the TUI use: a project and everything done to it.

Every command's writes are one unit of work in the store (:meth:`Database.write`): they commit
together before the method returns, so whatever a screen shows as saved is on disk, and an error
anywhere (bad input, a full disk, a busy lock that never cleared) leaves the project exactly as it
was. Nothing read from the store is trusted across units: the codebook version a write uses is
read inside that write, so a code added by another session is never dropped by this one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from codewell.adjudication import CONSENSUS
from codewell.codebook import check_code_id, codebook_from_json, codebook_to_json
from codewell.errors import DamagedProjectError, OutputError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.project.browse import Browse
from codewell.project.changes import CodebookChanges
from codewell.project.check import Checking
from codewell.project.coding import Coding
from codewell.project.flags import Flags
from codewell.project.reference import References
from codewell.project.reliability import Reliability
from codewell.project.segments import Segments
from codewell.project.sets import Sets
from codewell.project.reimport import AttributeChanges, changed_texts, listed_ids, refuse_case_twins
from codewell.project.streaming import CHUNK_ROWS, Streaming
from codewell.project.suggesting import Suggesting
from codewell.store import Database, create_database, default_backup_path, open_database
from codewell.values import Code, Codebook, CodedDataset, Response

if TYPE_CHECKING:
    from codewell.store import Unit

T = TypeVar("T")


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the CLI to print and scripts to read."""

    source: str
    added: int
    unchanged: int
    notes: tuple[str, ...] = ()
    empty_ids: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=16)
def _parse_codebook(body: str) -> Codebook:
    """Codebook versions never change once stored, so one parse per body is enough. A body that
    parses but breaks the codebook's rules (two codes with one id: an export then dropped one
    code's codings without a word) is refused by reading commands too, not only by writes."""
    from codewell.store.structure import unreadable_codebook

    problem = unreadable_codebook(body)
    if problem is not None:
        raise DamagedProjectError(f"the stored codebook {problem}",
                                  hint="codewell check PROJECT says more; restore your latest backup "
                                       "(codewell restore BACKUP PROJECT)")
    return codebook_from_json(body)


class Project(Coding, Segments, Reliability, Sets, CodebookChanges, Flags, Streaming, Browse,
              Suggesting, Checking, References):
    """An open project. Create with :meth:`create`, open with :meth:`open`; close when done.

    Opened for a ``viewer`` (the coder at the screen), it hides other coders' work on open
    reliability sets from every read (see :mod:`codewell.project.sets`).
    """

    def __init__(self, db: Database, viewer: str | None = None) -> None:
        self._db = db
        self.viewer = viewer
        self.location = db.location
        self.name = Path(db.location).stem if "://" not in db.location else db.location.rsplit("/", 1)[-1]
        self._responses: tuple[Response, ...] | None = None

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def create(cls, location: str | Path, codebook: Codebook) -> Project:
        """A new project holding ``codebook`` as version 1 (all or nothing: no half-made file)."""
        body = codebook_to_json(codebook)
        return cls(create_database(location, lambda unit: unit.add_codebook_version(codebook, body, "created")))

    @classmethod
    def open(cls, location: str | Path, *, viewer: str | None = None) -> Project:
        """Open a project; a damaged one opens for reading only, a read-only file likewise.
        ``viewer``: the coder it is opened for (blinding applies to what they read)."""
        return cls(open_database(location), viewer)

    @property
    def notes(self) -> tuple[str, ...]:
        """What opening did that the user should hear about (an upgrade and its backup)."""
        return tuple(self._db.notes)

    @property
    def damage(self) -> str | None:
        return self._db.damage

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backup(self, out: str | Path | None = None) -> Path:
        """An online copy of the project, safe while others code (SQLite backup API)."""
        target = Path(out) if out is not None else default_backup_path(Path(self.location))
        if target.is_dir():  # "already exists; a backup never overwrites a file" read as a refusal to use it
            raise OutputError(f"{target}: is a folder, not a file",
                              hint=f"give a file name inside it, e.g. {target / default_backup_path(Path(self.location)).name}")
        return self._db.backup(target)

    def _write(self, work: Callable[[Unit], T], *, wait: float | None = None,
               on_wait: Callable[[], None] | None = None) -> T:
        return self._db.write(work, wait=wait, on_wait=on_wait)

    # -- codebook ------------------------------------------------------------------------
    @property
    def codebook(self) -> Codebook:
        return self._db.read(self._codebook_in)[1]

    @property
    def codebook_version(self) -> int:
        return self._db.read(lambda unit: unit.latest_codebook_version())

    def versioned_codebook(self) -> tuple[int, Codebook]:
        """The newest codebook and its version, read together (another session may add one)."""
        return self._db.read(self._codebook_in)

    @staticmethod
    def _codebook_in(unit: Unit) -> tuple[int, Codebook]:
        version, body = unit.latest_codebook()
        return version, _parse_codebook(body)

    def add_code(self, code: Code) -> int:
        """Inductive coding: the code joins a new codebook version; older decisions keep theirs."""
        return self.add_codes([code])

    def add_codes(self, codes: Sequence[Code]) -> int:
        """Several new codes in one new codebook version (e.g. brought in from another tool)."""
        return self._write(lambda unit: self._add_codes_in(unit, codes))

    def _add_codes_in(self, unit: Unit, codes: Sequence[Code]) -> int:
        """Built on the latest stored version, inside the write: a code another session added
        a moment ago stays in."""
        _, updated = self._codebook_in(unit)
        for code in codes:
            check_code_id(code.id, updated, source="new code")
            if code.parent is not None and code.parent not in updated.ids:
                raise UnknownNameError(f"no code '{code.parent}' to nest under",
                                       did_you_mean(code.parent, updated.ids))
            updated = updated.with_code(code)
        note = "added " + ", ".join(code.id for code in codes)
        return unit.add_codebook_version(updated, codebook_to_json(updated), note=note)

    def codebook_history(self) -> list[tuple[int, str, str, str]]:
        return [(v, at.isoformat(), h, note)
                for v, at, h, note in self._db.read(lambda unit: unit.codebook_history())]

    # -- responses -----------------------------------------------------------------------
    def responses(self) -> tuple[Response, ...]:
        """Every response in import order (read once: responses are only ever added)."""
        if self._responses is None:
            self._responses = tuple(self._db.read(lambda unit: unit.load_responses()))
        return self._responses

    def response(self, response_id: str) -> Response:
        return self.responses_by_id([response_id])[response_id]

    def responses_by_id(self, ids: Sequence[str]) -> dict[str, Response]:
        """These responses by id, read alone: a project may hold a million, and a command that
        needs a few must not read them all. An unknown id is an error with a "did you mean"."""
        found = {r.id: r for _, r in self._db.read(lambda unit: unit.responses_by_ids(list(ids)))}
        for response_id in ids:
            if response_id not in found:
                raise UnknownNameError(f"no response with id '{response_id}'",
                                       did_you_mean(response_id, self.response_ids()))
        return found

    def response_ids(self) -> list[str]:
        """Every response id in import order (ids only: what ordering and sampling need)."""
        return self._db.read(lambda unit: unit.sampling_frame(non_empty=False))[0]

    def in_import_order(self, ids: Collection[str]) -> list[str]:
        """``ids`` (those that exist) in import order, found by their storage keys."""
        pks = self._db.read(lambda unit: unit.response_pks(sorted(ids)))
        return sorted(pks, key=pks.__getitem__)

    def import_responses(self, path: str | Path, *, text_column: str | None = None,
                         id_column: str | None = None, sheet: str | None = None,
                         keep_metadata: bool = False, columns: Sequence[str] | None = None,
                         update_attributes: bool = False, chunk_rows: int = CHUNK_ROWS) -> ImportReport:
        """Add a survey export's responses; re-importing the same file adds nothing.

        Survey platforms' identifying columns are left out unless ``keep_metadata``; ``columns``
        chooses the attribute columns exactly (see :func:`codewell.io.readers.read_survey`).
        Responses already stored keep their attributes, and a note names those the file gives
        other values, unless ``update_attributes`` (see :mod:`codewell.project.reimport`).
        A CSV of more than ``chunk_rows`` rows is read and stored that many rows at a time.
        """
        path = Path(path)
        if path.suffix.lower() == ".qdpx":
            from codewell.project.refi import import_qdpx

            return import_qdpx(self, path, update_attributes)
        from codewell.io.readers import read_survey

        streamed = None if sheet is not None else self._import_streaming(
            path, text_column=text_column, id_column=id_column, keep_metadata=keep_metadata,
            columns=columns, chunk_rows=chunk_rows, update_attributes=update_attributes)
        if streamed is None:
            table = read_survey(path, text_column=text_column, id_column=id_column, sheet=sheet,
                                keep_metadata=keep_metadata, columns=columns)
            added, unchanged, attributes = self._write(
                lambda unit: self._add_responses_in(unit, table.responses, path, update_attributes))
        else:
            table, added, unchanged, attributes = streamed
        note = attributes.note(taken=update_attributes)
        return ImportReport(
            source=str(path), added=added, unchanged=unchanged,
            notes=table.notes + ((note,) if note else ()), empty_ids=table.empty_ids,
            details={"text_column": table.text_column, "text_column_guessed": table.text_column_guessed,
                     "id_column": table.id_column, "encoding": table.encoding, "layout": table.layout,
                     "sheet": table.sheet, "attributes_differ": len(attributes.merged),
                     "attributes_updated": len(attributes.merged) if update_attributes else 0,
                     **table.column_details()})

    def add_responses(self, responses: Sequence[Response], source: str | Path) -> tuple[int, int]:
        """Store new responses in one transaction; (added, already present). Same id, other text: error."""
        added, unchanged, _ = self._write(lambda unit: self._add_responses_in(unit, responses, source, False))
        return added, unchanged

    def _add_responses_in(self, unit: Unit, responses: Sequence[Response], source: str | Path,
                          update_attributes: bool) -> tuple[int, int, AttributeChanges]:
        incoming = {r.id: r.text for r in responses}
        stored = unit.stored_responses(list(incoming))
        refuse_case_twins(unit, responses, stored, source)
        changed = sorted(rid for rid, known in stored.items() if known.text != incoming[rid])
        if changed:
            raise changed_texts(source, changed)
        attributes = AttributeChanges()
        updates = attributes.add(responses, {rid: known.attributes for rid, known in stored.items()})
        if update_attributes:
            unit.update_attributes(updates)
        new = [r for r in responses if r.id not in stored]
        unit.insert_responses(new, str(source))
        self._responses = None
        return len(new), len(stored), attributes

    def import_codings(self, path: str | Path) -> ImportReport:
        """Codings made in a spreadsheet: each listed response becomes done for its coder.

        The coder's codes are made to match the file exactly (apply what is missing, remove what
        is extra), so importing the same file twice records nothing the second time.
        """
        from codewell.io.codings_reader import check_codings, read_codings

        table = read_codings(Path(path))
        listed = sorted({rid for by_id in table.codings.values() for rid in by_id})
        known, twins = self._db.read(lambda unit: listed_ids(unit, listed))
        check_codings(table, known, self.codebook.ids, twins)
        recorded = self._write(lambda unit: self._apply_keys_in(unit, table.keys(), table.span_rows, str(path)))
        return ImportReport(source=str(path), added=recorded, unchanged=0,
                            details={"coders": sorted(table.codings),
                                     "responses_done": sum(len(v) for v in table.codings.values()),
                                     "done_by_coder": {c: len(table.codings[c]) for c in sorted(table.codings)}})

    def apply_codings(self, codings: dict[str, dict[str, frozenset[str]]], source: str) -> ImportReport:
        recorded = self._write(lambda unit: self._apply_codings_in(unit, codings))
        n = sum(len(v) for v in codings.values())
        return ImportReport(source=source, added=recorded, unchanged=0,
                            details={"coders": sorted(codings), "responses_done": n})

    def _apply_codings_in(self, unit: Unit, codings: dict[str, dict[str, frozenset[str]]]) -> int:
        """Whole-response codings: each listed (coder, response) holds exactly these codes, whole."""
        return self._apply_keys_in(unit, {coder: {rid: frozenset((code, None, None) for code in codes)
                                                  for rid, codes in by_response.items()}
                                          for coder, by_response in codings.items()})

    # -- suggestions ---------------------------------------------------------------------
    def default_coder(self) -> str | None:
        """Whose codes a report, export or suggestion run means when nobody is named."""
        coders = self.coders()
        if CONSENSUS in coders:
            return CONSENSUS
        return coders[0] if len(coders) == 1 else None

    def require_coder(self, coder: str) -> None:
        """Fail with a hint when ``coder`` has never coded anything here."""
        known = self.coders()
        if coder not in known:
            raise UnknownNameError(f"no coder '{coder}' in this project", did_you_mean(coder, known)
                                   or (f"coders: {', '.join(known)}" if known else "nobody has coded yet"))

    def dataset(self, coders: Sequence[str] | None = None, *, with_log: bool = True) -> CodedDataset:
        """Everything about ``coders`` (default: all), read in one snapshot; ``with_log=False``
        skips the decision log, which only the long export needs and which is by far the largest."""
        names = tuple(coders) if coders is not None else self.coders()
        for name in names:
            self.require_coder(name)
        responses = self.responses()
        return self._db.read(lambda unit: self._dataset_in(unit, names, responses, with_log=with_log))

    def _dataset_in(self, unit: Unit, names: tuple[str, ...], responses: tuple[Response, ...], *,
                    with_log: bool) -> CodedDataset:
        version, codebook = self._codebook_in(unit)
        return CodedDataset(
            codebook=codebook, codebook_version=version, responses=responses, coders=names,
            codings={c: self._visible(unit, c, unit.current_codings(c)) for c in names},
            statuses={c: self._visible(unit, c, unit.statuses(c)) for c in names},
            memos={c: self._visible(unit, c, unit.memos(c)) for c in names},
            decisions=tuple(d for c in names for d in self._visible_decisions(unit, c, unit.decisions(c)))
            if with_log else (),
            segments={c: self._visible_segments(unit, c) for c in names})

    def summary(self) -> dict[str, Any]:
        """The ``codewell status --json`` document (keys relied on by scripts)."""
        def read(unit: Unit) -> dict[str, Any]:
            total, empty = unit.response_counts()
            counts = unit.status_counts()
            decisions = unit.decision_counts()
            if self.viewer is not None:  # others' progress on open sets is theirs alone
                counts, decisions = self._visible_counts(unit)
            coders = {}
            for name in unit.coder_names():
                mine = counts.get(name, {})
                done = mine.get("done", 0)
                coders[name] = {"done": done, "skipped": mine.get("skipped", 0),
                                "flagged": mine.get("flagged", 0) + len(self._visible(unit, name, dict.fromkeys(
                                    unit.flags(name)))), "decisions": decisions.get(name, 0),
                                "remaining": total - done}
            version, cb = self._codebook_in(unit)
            return {"project": self.location, "responses": total, "empty": empty,
                    "codebook": {"version": version, "title": cb.title, "hash": cb.content_hash(),
                                 "codes": list(cb.ids)},
                    "coders": coders, "sets": self._sets_summary_in(unit),
                    "reference": unit.reference_summary()}

        return self._db.read(read)

