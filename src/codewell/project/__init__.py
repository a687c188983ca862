"""The one facade the CLI and the TUI use: a project file and everything done to it.

Every method that records something commits before it returns, so whatever a screen shows as
saved is on disk. Validation (unknown codes, responses, coders) happens here, before the store is
touched, so a bad request leaves the project exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codewell.adjudication import CONSENSUS
from codewell.codebook import check_code_id, codebook_from_json, codebook_to_json
from codewell.errors import DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import Code, Codebook, CodeSuggestion, CodedDataset, Decision, Response, Status
from codewell.project.reliability import Reliability
from codewell.store import Database, create_database, open_database



@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the CLI to print and scripts to read."""

    source: str
    added: int
    unchanged: int
    notes: tuple[str, ...] = ()
    empty_ids: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class Project(Reliability):
    """An open project. Create with :meth:`create`, open with :meth:`open`; close when done."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.location = db.location
        self.name = Path(db.location).stem if "://" not in db.location else db.location.rsplit("/", 1)[-1]
        self._codebook: tuple[int, Codebook] | None = None
        self._responses: tuple[Response, ...] | None = None
        self._by_id: dict[str, Response] | None = None

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def create(cls, location: str | Path, codebook: Codebook) -> Project:
        db = create_database(location)
        db.add_codebook_version(codebook, codebook_to_json(codebook), note="created")
        return cls(db)

    @classmethod
    def open(cls, location: str | Path) -> Project:
        return cls(open_database(location))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- codebook ------------------------------------------------------------------------
    @property
    def codebook(self) -> Codebook:
        return self._current_codebook()[1]

    @property
    def codebook_version(self) -> int:
        return self._current_codebook()[0]

    def _current_codebook(self) -> tuple[int, Codebook]:
        if self._codebook is None:
            version, body = self._db.latest_codebook()
            self._codebook = (version, codebook_from_json(body))
        return self._codebook

    def add_code(self, code: Code) -> int:
        """Inductive coding: the code joins a new codebook version; older decisions keep theirs."""
        return self.add_codes([code])

    def add_codes(self, codes: Sequence[Code]) -> int:
        """Several new codes in one new codebook version (e.g. brought in from another tool)."""
        updated = self.codebook
        for code in codes:
            check_code_id(code.id, updated, source="new code")
            if code.parent is not None and code.parent not in updated.ids:
                raise UnknownNameError(f"no code '{code.parent}' to nest under",
                                       did_you_mean(code.parent, updated.ids))
            updated = updated.with_code(code)
        note = "added " + ", ".join(code.id for code in codes)
        version = self._db.add_codebook_version(updated, codebook_to_json(updated), note=note)
        self._codebook = (version, updated)
        return version

    def codebook_history(self) -> list[tuple[int, str, str, str]]:
        return [(v, at.isoformat(), h, note) for v, at, h, note in self._db.codebook_history()]

    # -- responses -----------------------------------------------------------------------
    def responses(self) -> tuple[Response, ...]:
        if self._responses is None:
            self._responses = tuple(self._db.load_responses())
            self._by_id = {r.id: r for r in self._responses}
        return self._responses

    def response(self, response_id: str) -> Response:
        self.responses()
        assert self._by_id is not None
        try:
            return self._by_id[response_id]
        except KeyError:
            raise UnknownNameError(f"no response with id '{response_id}'",
                                   did_you_mean(response_id, self._by_id)) from None

    def import_responses(self, path: str | Path, *, text_column: str | None = None,
                         id_column: str | None = None, sheet: str | None = None) -> ImportReport:
        """Add a survey export's responses; re-importing the same file adds nothing."""
        path = Path(path)
        if path.suffix.lower() == ".qdpx":
            from codewell.project.refi import import_qdpx

            return import_qdpx(self, path)
        from codewell.io.readers import read_survey

        table = read_survey(path, text_column=text_column, id_column=id_column, sheet=sheet)
        added, unchanged = self.add_responses(table.responses, path)
        return ImportReport(
            source=str(path), added=added, unchanged=unchanged, notes=table.notes,
            empty_ids=table.empty_ids,
            details={"text_column": table.text_column, "text_column_guessed": table.text_column_guessed,
                     "id_column": table.id_column, "encoding": table.encoding, "layout": table.layout,
                     "sheet": table.sheet})

    def add_responses(self, responses: Sequence[Response], source: str | Path) -> tuple[int, int]:
        """Store new responses in one transaction; (added, already present). Same id, other text: error."""
        incoming = {r.id: r.text for r in responses}
        existing = self._db.existing_texts(incoming)
        changed = sorted(rid for rid, text in existing.items() if text != incoming[rid])
        if changed:
            raise DataFileError(
                f"{source}: {len(changed)} response id(s) already in the project with different text: "
                + ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else ""),
                hint="ids must identify one response; use --id-column to pick another id column")
        new = [r for r in responses if r.id not in existing]
        self._db.insert_responses(new, str(source))
        self._responses = None
        return len(new), len(existing)

    def import_codings(self, path: str | Path) -> ImportReport:
        """Codings made in a spreadsheet: each listed response becomes done for its coder.

        The coder's codes are made to match the file exactly (apply what is missing, remove what
        is extra), so importing the same file twice records nothing the second time.
        """
        from codewell.io.codings_reader import check_codings, read_codings

        table = read_codings(Path(path))
        check_codings(table, self._pks(), self.codebook.ids)
        return self.apply_codings(table.codings, source=str(path))

    def apply_codings(self, codings: dict[str, dict[str, frozenset[str]]], source: str) -> ImportReport:
        pks = self._pks()
        recorded = 0
        with self._db.engine.begin() as conn:
            for coder, by_response in codings.items():
                self._check_coder_name(coder)
                current = self.codings(coder)
                rows = []
                for rid, codes in by_response.items():
                    had = current.get(rid, frozenset())
                    rows += [(pks[rid], code, "apply", None, False) for code in sorted(codes - had)]
                    rows += [(pks[rid], code, "remove", None, False) for code in sorted(had - codes)]
                recorded += len(rows)
                self._db.append_events(coder, rows, self.codebook_version, False, conn)
                coder_id = self._db.coder_id(conn, coder)
                assert coder_id is not None
                self._db.set_statuses(conn, coder_id, [pks[rid] for rid in by_response], Status.DONE)
        n = sum(len(v) for v in codings.values())
        return ImportReport(source=source, added=recorded, unchanged=0,
                            details={"coders": sorted(codings), "responses_done": n})

    # -- coding --------------------------------------------------------------------------
    def coders(self) -> tuple[str, ...]:
        return tuple(self._db.coder_names())

    def record(self, coder: str, response_id: str, code: str, action: Literal["apply", "remove"], *,
               probability: float | None = None, from_suggestion: bool = False,
               suggestions_on: bool = False) -> Decision:
        return self.record_many(coder, [(response_id, code, action, probability, from_suggestion)],
                                suggestions_on=suggestions_on)[0]

    def record_many(self, coder: str, items: Sequence[tuple[str, str, str, float | None, bool]], *,
                    suggestions_on: bool = False) -> list[Decision]:
        """Append decisions in one transaction; every item is validated first."""
        self._check_coder_name(coder)
        pks = self._pks()
        ids = self.codebook.ids
        rows = []
        for response_id, code, action, probability, from_suggestion in items:
            if response_id not in pks:
                raise UnknownNameError(f"no response with id '{response_id}'", did_you_mean(response_id, pks))
            if code not in ids:
                raise UnknownNameError(f"no code '{code}' in the codebook", did_you_mean(code, ids))
            if action not in ("apply", "remove"):
                raise ValueError(f"action must be 'apply' or 'remove', not {action!r}")
            if probability is not None and not 0.0 <= probability <= 1.0:
                raise ValueError(f"probability must be within [0, 1], not {probability}")
            rows.append((pks[response_id], code, action, probability, from_suggestion))
        event_ids = self._db.append_events(coder, rows, self.codebook_version, suggestions_on)
        return self._db.decisions(coder, event_ids)

    def undo(self, coder: str) -> Decision | None:
        event_id = self._db.undo_last(coder, self.codebook_version)
        return None if event_id is None else self._db.decisions(coder, [event_id])[0]

    def set_status(self, coder: str, response_id: str, status: Status) -> None:
        self._check_coder_name(coder)
        self._db.set_status(coder, self._pk(response_id), status)

    def statuses(self, coder: str) -> dict[str, Status]:
        return self._db.statuses(coder)

    def set_memo(self, coder: str, response_id: str, text: str) -> None:
        self._check_coder_name(coder)
        self._db.set_memo(coder, self._pk(response_id), text)

    def memos(self, coder: str) -> dict[str, str]:
        return self._db.memos(coder)

    def codings(self, coder: str) -> dict[str, frozenset[str]]:
        return self._db.current_codings(coder)

    def codes_for(self, coder: str, response_id: str) -> frozenset[str]:
        return self.codings(coder).get(response_id, frozenset())

    def decisions(self, coder: str | None = None) -> tuple[Decision, ...]:
        return tuple(self._db.decisions(coder))

    def latest_events(self, coder: str) -> dict[tuple[str, str], Decision]:
        return self._db.latest_events(coder)

    def record_shown(self, coder: str, response_id: str, shown: Sequence[tuple[str, float, bool]]) -> None:
        """Remember the suggestions a coder saw (code, probability, suggested) for model agreement."""
        self._check_coder_name(coder)
        self._db.append_shown(coder, self._pk(response_id), shown)

    # -- suggestions ---------------------------------------------------------------------
    def default_coder(self) -> str | None:
        """Whose codes a report, export or suggestion run means when nobody is named."""
        coders = self.coders()
        if CONSENSUS in coders:
            return CONSENSUS
        return coders[0] if len(coders) == 1 else None

    def suggest(self, coder: str | None = None, *, limit: int | None = None,
                include_coded: bool = False) -> list[tuple[Response, tuple[CodeSuggestion, ...]]]:
        """Suggestions for the responses ``coder`` has not finished, from a model trained on
        the responses they have (the codebook alone when there are none)."""
        from codewell.suggest import Suggester

        if coder is not None:
            self.require_coder(coder)
        texts, labels = self.training_examples(coder) if coder is not None else ([], [])
        finished = self.finished(coder) if coder is not None and not include_coded else set()
        todo = [r for r in self.responses() if r.id not in finished and not r.is_empty]
        todo = todo[:limit] if limit is not None else todo
        suggester = Suggester(self.codebook).fit(texts, labels)
        return list(zip(todo, suggester.suggest_many([r.text for r in todo])))

    # -- reading it all back ---------------------------------------------------------------
    def require_coder(self, coder: str) -> None:
        """Fail with a hint when ``coder`` has never coded anything here."""
        known = self.coders()
        if coder not in known:
            raise UnknownNameError(f"no coder '{coder}' in this project", did_you_mean(coder, known)
                                   or (f"coders: {', '.join(known)}" if known else "nobody has coded yet"))

    def training_examples(self, coder: str) -> tuple[list[str], list[frozenset[str]]]:
        """Texts and codes of the responses ``coder`` finished (done), non-answers left out."""
        done = {rid for rid, s in self.statuses(coder).items() if s is Status.DONE}
        codings = self.codings(coder)
        texts, labels = [], []
        for response in self.responses():
            if response.id in done and not response.is_empty:
                texts.append(response.text)
                labels.append(codings.get(response.id, frozenset()) & frozenset(self.codebook.ids))
        return texts, labels

    def dataset(self, coders: Sequence[str] | None = None, *, with_log: bool = True) -> CodedDataset:
        """Everything about ``coders`` (default: all); ``with_log=False`` skips the decision log,
        which only the long export needs and which is by far the largest part."""
        names = tuple(coders) if coders is not None else self.coders()
        for name in names:
            self.require_coder(name)
        return CodedDataset(
            codebook=self.codebook, responses=self.responses(), coders=names,
            codings={c: self.codings(c) for c in names}, statuses={c: self.statuses(c) for c in names},
            memos={c: self.memos(c) for c in names},
            decisions=tuple(d for c in names for d in self._db.decisions(c)) if with_log else ())

    def summary(self) -> dict[str, Any]:
        """The ``codewell status --json`` document (keys relied on by scripts)."""
        total, empty = self._db.response_counts()
        counts = self._db.status_counts()
        decisions = self._db.decision_counts()
        coders = {}
        for name in self.coders():
            mine = counts.get(name, {})
            done = mine.get("done", 0)
            coders[name] = {"done": done, "skipped": mine.get("skipped", 0), "flagged": mine.get("flagged", 0),
                            "decisions": decisions.get(name, 0), "remaining": total - done}
        cb = self.codebook
        return {"project": self.location, "responses": total, "empty": empty,
                "codebook": {"version": self.codebook_version, "title": cb.title, "hash": cb.content_hash(),
                             "codes": list(cb.ids)},
                "coders": coders}

    # -- internals -----------------------------------------------------------------------
    def _pks(self) -> dict[str, int]:
        return self._db.response_pks()

    def _pk(self, response_id: str) -> int:
        pks = self._pks()
        if response_id not in pks:
            raise UnknownNameError(f"no response with id '{response_id}'", did_you_mean(response_id, pks))
        return pks[response_id]

    @staticmethod
    def _check_coder_name(coder: str) -> None:
        if not coder.strip() or len(coder) > 128 or "," in coder:
            raise UnknownNameError(f"'{coder}' is not a usable coder name",
                                   hint="use a short name without commas, e.g. 'ana'")
