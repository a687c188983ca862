"""Read codings made outside codewell (coders sometimes code in a spreadsheet) and vet them.

The file is long format, one row per applied code: ``id``, ``coder``, ``code``. A response a coder
finished without applying any code has one row with an empty ``code``; a response a coder never
looked at has no row. Optional ``start`` and ``end`` columns make a row a segment coding: the
code applies to ``text[start:end]``, offsets in Unicode code points (end exclusive; what Python's
``str`` indexes, not bytes and not UTF-16 units); a row with both empty codes the whole response.
(codewell's ``--layout segments`` export has exactly these columns, so it reads back in.) :func:`read_codings` checks the file on its own terms; :func:`check_codings`
checks it against a project and reports every problem at once, so a caller can refuse the whole
import and leave the project as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codewell.errors import DataFileError
from codewell.fuzzy import did_you_mean
from codewell.io.sources import load_grid

_REQUIRED = ("id", "coder", "code")
Span = tuple[str, "int | None", "int | None"]
_LISTED = 5


@dataclass(frozen=True)
class CodingsTable:
    """coder -> response id -> codes applied; an empty set means "finished, no code applies".

    ``path`` is the file it came from (None when built by hand), so later checks can name it.
    """

    codings: dict[str, dict[str, frozenset[str]]]
    path: Path | None = None
    #: coder -> response id -> (code, start, end) keys, start/end None for a whole response;
    #: empty when built by hand (then ``codings`` are whole-response codings)
    spans: dict[str, dict[str, frozenset[Span]]] = field(default_factory=dict)
    #: the file row of each segment key, to name it when a span does not fit its response
    span_rows: dict[tuple[str, str, Span], int] = field(default_factory=dict)

    def keys(self) -> dict[str, dict[str, frozenset[Span]]]:
        """The spans, or the whole-response keys of ``codings`` when the table has none."""
        if self.spans:
            return self.spans
        return {coder: {rid: frozenset((code, None, None) for code in codes) for rid, codes in by_id.items()}
                for coder, by_id in self.codings.items()}


def read_codings(path: Path, *, sheet: str | None = None) -> CodingsTable:
    """Read a long-format codings file (CSV or XLSX); column names match ignoring case.

    Cells are stripped of surrounding whitespace. Other columns are ignored. A row with an empty
    coder or id is an error naming the rows; fully empty rows are skipped.
    """
    path = Path(path)
    grid = load_grid(path, sheet=sheet)
    header = [cell.strip().casefold() for cell in grid.row(0)]
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        found = ", ".join(repr(cell) for cell in grid.row(0) if cell.strip()) or "none"
        raise DataFileError(
            f"{path}: a codings file needs the columns id, coder and code; "
            f"missing {', '.join(repr(name) for name in missing)} (found {found})",
            _hint_for_missing(missing, grid.row(0)),
        )
    response_ids, coders, codes = (
        [cell.strip() for cell in grid.columns[header.index(name)]] for name in _REQUIRED
    )
    rows = [
        index
        for index in range(1, grid.n_rows)
        if response_ids[index] or coders[index] or codes[index]
    ]
    if not rows:
        raise DataFileError(f"{path}: there is a header but no codings under it")
    for column, label in ((coders, "coder"), (response_ids, "id")):
        empty = [str(grid.first_row + index) for index in rows if not column[index]]
        if empty:
            raise DataFileError(
                f"{path}: empty {label} at row{'s' if len(empty) > 1 else ''} {_listing(empty)}",
                f"every row needs a {label}",
            )
    applied = _applied_flags(path, grid, header, rows)
    offsets = _offsets(path, grid, header, rows, codes)
    gathered: dict[str, dict[str, set[Span]]] = {}
    span_rows: dict[tuple[str, str, Span], int] = {}
    for index in rows:
        keys_so_far = gathered.setdefault(coders[index], {}).setdefault(response_ids[index], set())
        if codes[index] and applied[index]:
            key = (codes[index], *offsets[index])
            keys_so_far.add(key)  # type: ignore[arg-type]
            span_rows.setdefault((coders[index], response_ids[index], key), grid.first_row + index)  # type: ignore[index]
    spans = {coder: {rid: frozenset(keys) for rid, keys in by_id.items()} for coder, by_id in gathered.items()}
    codings = {
        coder: {rid: frozenset(code for code, _, _ in keys) for rid, keys in by_id.items()}
        for coder, by_id in spans.items()
    }
    return CodingsTable(codings=codings, path=path, spans=spans, span_rows=span_rows)


def _offsets(path: Path, grid, header: Sequence[str], rows: Sequence[int],  # type: ignore[no-untyped-def]
             codes: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Per row, the segment's (start, end), or (None, None) for the whole response. Both or
    neither; whole numbers with 0 <= start < end (whether they fit the text is the project's check)."""
    if "start" not in header and "end" not in header:
        return [(None, None)] * grid.n_rows
    if "start" not in header or "end" not in header:
        have, lack = ("start", "end") if "start" in header else ("end", "start")
        raise DataFileError(f"{path}: a '{have}' column needs an '{lack}' column beside it",
                            "segment offsets come in pairs: start and end (end exclusive)")
    starts, ends = ([cell.strip() for cell in grid.columns[header.index(name)]] for name in ("start", "end"))
    found: list[tuple[int | None, int | None]] = [(None, None)] * grid.n_rows
    bad = []
    for index in rows:
        start, end = starts[index], ends[index]
        if not start and not end:
            continue
        try:
            pair = (int(start), int(end))
        except ValueError:
            bad.append(str(grid.first_row + index))
            continue
        if not 0 <= pair[0] < pair[1] or not codes[index]:
            bad.append(str(grid.first_row + index))
            continue
        found[index] = pair
    if bad:
        raise DataFileError(f"{path}: start and end must be whole numbers with 0 <= start < end, on a row "
                            f"with a code, at row{'s' if len(bad) > 1 else ''} {_listing(bad)}",
                            "leave both empty to code the whole response; offsets count characters "
                            "(Unicode code points) from 0, end exclusive")
    return found


def _applied_flags(path: Path, grid, header: Sequence[str], rows: Sequence[int]) -> list[bool]:  # type: ignore[no-untyped-def]
    """An optional ``applied`` column (as codewell's long export writes) marks rows whose code was
    decided against: the response counts as coded, the code does not."""
    if "applied" not in header:
        return [True] * grid.n_rows
    cells = [cell.strip().casefold() for cell in grid.columns[header.index("applied")]]
    bad = [str(grid.first_row + index) for index in rows if cells[index] not in _FLAGS]
    if bad:
        raise DataFileError(f"{path}: 'applied' must be 1 or 0 (or true/false) at row"
                            f"{'s' if len(bad) > 1 else ''} {_listing(bad)}")
    return [_FLAGS.get(cell, True) for cell in cells]


#: Unknown response ids named in the error (the rest are counted: a file of a whole other survey
#: would otherwise print hundreds of ids on one line).
LISTED = 10
_FLAGS = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False, "": True}


def check_codings(
    table: CodingsTable, response_ids: Collection[str], code_ids: Collection[str],
    case_twins: Mapping[str, str] | None = None,
) -> None:
    """Raise one :class:`DataFileError` listing every unknown response id and every unknown code.

    Unknown codes get a "did you mean" each, since they are usually typos of codebook ids; an
    unknown response id gets one when ``case_twins`` (case-folded id -> stored id) holds the
    stored id it differs from only in case, as after a tool lower-cased the file.
    """
    known_responses = set(response_ids)
    known_codes = set(code_ids)
    unknown_responses: set[str] = set()
    unknown_codes: set[str] = set()
    for by_id in table.codings.values():
        unknown_responses.update(set(by_id) - known_responses)
        for codes in by_id.values():
            unknown_codes.update(code for code in codes if code not in known_codes)
    if not unknown_responses and not unknown_codes:
        return
    problems = []
    advice = "nothing was imported; fix the file and import it again"
    if unknown_responses:
        twins = case_twins or {}
        named = sorted(unknown_responses)
        listed = ", ".join(f"'{rid}' (did you mean '{twins[rid.casefold()]}'?)" if rid.casefold() in twins
                           else f"'{rid}'" for rid in named[:LISTED])
        more = f" and {len(named) - LISTED} more" if len(named) > LISTED else ""
        problems.append(f"{len(unknown_responses)} response id(s) not in the project: {listed}{more}")
        if unknown_responses == {rid for by_id in table.codings.values() for rid in by_id}:
            # not one row matches: the survey was not imported, or another survey was
            advice = ("nothing was imported; none of the file's response ids is in the project: import the "
                      "survey these codings belong to first (codewell import PROJECT SURVEY.csv), then this file")
    if unknown_codes:
        described = []
        for code in sorted(unknown_codes):
            hint = did_you_mean(code, known_codes)
            described.append(f"'{code}' ({hint})" if hint else f"'{code}'")
        problems.append(f"{len(unknown_codes)} code(s) not in the codebook: {', '.join(described)}")
    source = f"{table.path}: " if table.path is not None else ""
    raise DataFileError(source + "; ".join(problems), advice)


def _hint_for_missing(missing: Sequence[str], header: Sequence[str]) -> str | None:
    """A "did you mean" per missing column, among the columns that are not already one of id,
    coder and code ('code' is no hint for a missing 'coder'); a file with a ``response`` column
    and neither coder nor code is a survey export or a labelled file, not a typo."""
    names = [cell.strip() for cell in header if cell.strip() and cell.strip().casefold() not in _REQUIRED]
    if {"coder", "code"} <= set(missing) and "response" in {name.casefold() for name in names}:
        return ("this looks like responses or a labelled file (one column per code); a codings file "
                "has one row per response, coder and code applied, as 'codewell export --layout long' "
                "writes")
    hints = [did_you_mean(name, names) for name in missing]
    return "; ".join(f"for '{name}': {hint}" for name, hint in zip(missing, hints) if hint) or None


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    rest = len(items) - _LISTED
    return f"{shown} and {rest} more" if rest > 0 else shown
