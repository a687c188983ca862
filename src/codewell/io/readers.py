"""Read a survey export into responses: which column is the text, which the id, what else to keep.

This is the pure half of ``codewell import``: it reads a file and returns a :class:`SurveyTable`,
or raises a :class:`~codewell.errors.DataFileError` (an
:class:`~codewell.errors.UnknownNameError` for a column or sheet name that does not exist) naming
the file, the row and the closest valid name. The project facade stores the result.

Conventions a caller can rely on:

- Every cell is text, exactly as the file has it. Responses keep their text byte for byte,
  including ``\\r\\n`` or ``\\n`` inside a quoted CSV cell (we decode the file ourselves; nothing
  translates newlines), surrounding spaces, and values such as "NA" or "007".
- Ids are the id column's cells with surrounding whitespace removed (a stray space would otherwise
  make "12 " and "12" different responses). Without an id column a response's id is its
  spreadsheet row: ``"row-2"`` for the first response under a one-row header.
- ``Response.row`` is the row number a person sees when opening the file in a spreadsheet,
  counting header rows (so the first Qualtrics response is row 4).
- A row whose cells are all empty is not a response (spreadsheets export trailing blank rows);
  a row with an id but empty or blank text is one, and is listed in ``empty_ids``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from codewell.errors import CodewellError, DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.io.layouts import Header, read_header
from codewell.io.sources import CsvStream, Grid, NotStreamable, load_grid, open_csv_stream
from codewell.io.survey_metadata import MetadataColumns, classify
from codewell.values import Response

# Column names (lower case, letters and digits only) that survey tools use for a response id.
_ID_NAMES = ("id", "responseid", "respondentid")
# Cells made only of digits and punctuation: numbers, dates, durations, coordinates, IP addresses.
_NUMERIC = re.compile(r"^[\d\s.,:;/+\-TZ%()]*$")
_CATEGORICAL_MAX = 12  # a column with at most this many distinct answers is a closed question
_LISTED = 5  # how many offending rows or ids an error message spells out
_GUESS_SAMPLE = 10_000  # rows looked at when guessing the text column (evenly spread)
# Names a survey tool or a researcher gives the free-text column: among columns that are not
# closed questions, one named so is the text even if its answers are shorter (a one-row file
# chose 'site' over 'response').
_TEXT_NAMES = frozenset({"response", "responses", "answer", "answers", "comment", "comments", "text",
                         "freetext", "feedback", "opentext", "openresponse", "verbatim"})


@dataclass(frozen=True)
class SurveyTable:
    """The responses of one survey export and how they were read.

    ``encoding`` is "utf-8", "utf-8-sig" (UTF-8 with a byte-order mark), "cp1252", "utf-16" or
    "utf-32" (with a byte-order mark; "utf-16-le", "utf-32-be" ... without one) for text files
    and "utf-8" for workbooks (XLSX stores UTF-8). ``layout`` is "qualtrics" or
    "surveymonkey" when the platform's header rows were found, else "xlsx" for a workbook and
    "plain" for a CSV. ``id_column`` is None when ids are generated from row numbers.
    """

    responses: tuple[Response, ...]
    text_column: str
    id_column: str | None
    text_column_guessed: bool
    encoding: str
    layout: str
    sheet: str | None
    empty_ids: tuple[str, ...]
    notes: tuple[str, ...]
    metadata_columns: tuple[str, ...] = ()  # platform metadata kept as attributes (hide them)
    dropped_columns: tuple[tuple[str, str], ...] = ()  # (column, why it was not imported)

    def column_details(self) -> dict[str, object]:
        """What an import report says about the columns (JSON-ready)."""
        return {"metadata_columns": list(self.metadata_columns),
                "dropped_columns": [{"column": c, "reason": r} for c, r in self.dropped_columns]}


def read_survey(
    path: Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    sheet: str | None = None,
    keep_metadata: bool = False,
    columns: Sequence[str] | None = None,
) -> SurveyTable:
    """Read the survey at ``path`` (CSV/TSV in UTF-8, UTF-8 with BOM or Windows-1252, or XLSX).

    ``text_column`` and ``id_column`` are column names (an exact match, or failing that a
    case-insensitive one); when ``text_column`` is None the obvious free-text column is used and
    a note says which; when ``id_column`` is None a conventional id column (id, ResponseId,
    Respondent ID, response_id) is used if there is one, else row numbers.

    Survey platforms' identifying metadata columns (IP address, location, recipient name and
    e-mail, external reference) are left out unless ``keep_metadata``; ``columns`` names the
    attribute columns to import instead, exactly (the text and id columns always come).
    """
    path = Path(path)
    grid = load_grid(path, sheet=sheet)
    header = read_header(grid)
    notes = [*grid.notes, *header.notes]
    rows = _data_rows(path, grid, header.rows, notes)
    columns_wanted = columns
    columns = {name: grid.columns[index] for index, name in enumerate(header.names) if name}
    id_name, text_name, platform = _text_and_id(path, columns, rows, header.layout, text_column,
                                                id_column, notes)
    spreadsheet_rows = [grid.first_row + index for index in rows]
    if id_name is None:
        ids = [f"row-{row}" for row in spreadsheet_rows]
        notes.append(_row_names_note(ids[0]))
    else:
        cells = [columns[id_name][index] for index in rows]
        ids = _checked_ids(path, id_name, cells, spreadsheet_rows, codings_like={"coder", "code"} <= {
            name.strip().casefold() for name in columns})
    kept, dropped = _attribute_columns(path, list(columns), text_name, id_name, platform,
                                       keep_metadata, columns_wanted, notes)
    attributes = {name: columns[name] for name in kept}
    responses = _responses(ids, columns[text_name], rows, spreadsheet_rows, attributes)
    empty_ids = tuple(response.id for response in responses if response.is_empty)
    notes += _empty_note(len(empty_ids))
    return SurveyTable(
        responses=responses,
        text_column=text_name,
        id_column=id_name,
        text_column_guessed=text_column is None,
        encoding=grid.encoding,
        layout=_layout(header.layout, grid.kind),
        sheet=grid.sheet,
        empty_ids=empty_ids,
        notes=tuple(notes),
        metadata_columns=tuple(name for name in platform.descriptive if name in attributes),
        dropped_columns=tuple(dropped),
    )


#: Rows read, checked and stored at a time by :func:`stream_survey`.
CHUNK_ROWS = 20_000


class SurveyStream:
    """A large CSV survey read a block of rows at a time (see :func:`stream_survey`).

    :meth:`chunks` yields the responses block by block and may be run again from the start (a
    write that waited for a lock runs again); :meth:`table` then describes the whole file as
    :func:`read_survey` would, with no responses in it. Whatever the blocks meet that the
    whole-file reader would treat specially (an empty id or one repeated within a block, a
    column that is unnamed in the first block but holds data later, a damaged row) raises
    :class:`~codewell.io.sources.NotStreamable`, so the caller reads the file whole instead and
    gives the user that reader's result or error, word for word. An id repeated in a later
    block is the caller's to notice (it finds the id stored by this very import), so no set of
    a million ids is held here.
    """

    def __init__(self, source: CsvStream, chunk_rows: int, header: Header,
                 text_and_id: tuple[str | None, str, MetadataColumns], kept: list[str],
                 dropped: list[tuple[str, str]], notes: tuple[list[str], list[str]],
                 text_guessed: bool) -> None:
        self._source, self._chunk_rows, self._header = source, chunk_rows, header
        self.id_name, self.text_name, self._platform = text_and_id
        self._kept, self._dropped, self._text_guessed = kept, dropped, text_guessed
        self._guess_notes, self._column_notes = notes  # in the order read_survey gives them
        self._blank = 0
        self._empty_ids: list[str] = []
        self._first_id = ""

    def chunks(self) -> Iterator[tuple[Response, ...]]:
        self._blank, self._empty_ids, self._first_id = 0, [], ""
        positions = {name: index for index, name in enumerate(self._header.names) if name}
        unnamed = [index for index, name in enumerate(self._header.names) if name is None]
        for number, grid in enumerate(self._source.grids(self._chunk_rows)):
            skip = self._header.rows if number == 0 else 0
            if number and any(any(grid.columns[index]) for index in unnamed):
                raise NotStreamable  # a column only named by its data, which the first block lacked
            filled = list(map(any, zip(*grid.columns)))
            rows = [index for index in range(skip, grid.n_rows) if filled[index]]
            self._blank += grid.n_rows - skip - len(rows)
            spreadsheet_rows = [grid.first_row + index for index in rows]
            if self.id_name is None:
                ids = [f"row-{row}" for row in spreadsheet_rows]
            else:
                column = grid.columns[positions[self.id_name]]
                ids = [column[index].strip() for index in rows]
                if not all(ids) or len(set(ids)) != len(ids):
                    raise NotStreamable  # an id repeated in another block: see store_block
            if ids and not self._first_id:
                self._first_id = ids[0]
            attributes = {name: grid.columns[positions[name]] for name in self._kept}
            responses = _responses(ids, grid.columns[positions[self.text_name]], rows,
                                   spreadsheet_rows, attributes)
            self._empty_ids += [response.id for response in responses if response.is_empty]
            yield responses
        if not self._first_id:
            raise NotStreamable  # a header and no responses: the whole-file reader says so

    def table(self) -> SurveyTable:
        """What :func:`read_survey` would say about the file, once :meth:`chunks` has run."""
        notes = [*self._source.notes, *self._header.notes]
        if self._blank:
            notes.append(f"skipped {self._blank} empty row{'s' if self._blank != 1 else ''}")
        notes += self._guess_notes
        if self.id_name is None:
            notes.append(_row_names_note(self._first_id))
        notes += self._column_notes + _empty_note(len(self._empty_ids))
        return SurveyTable(
            responses=(), text_column=self.text_name, id_column=self.id_name,
            text_column_guessed=self._text_guessed, encoding=self._source.encoding,
            layout=_layout(self._header.layout, "csv"), sheet=None, empty_ids=tuple(self._empty_ids),
            notes=tuple(notes),
            metadata_columns=tuple(name for name in self._platform.descriptive if name in self._kept),
            dropped_columns=tuple(self._dropped))


def stream_survey(path: Path, *, text_column: str | None = None, id_column: str | None = None,
                  keep_metadata: bool = False, columns: Sequence[str] | None = None,
                  chunk_rows: int = CHUNK_ROWS) -> SurveyStream:
    """A UTF-8 CSV of more than ``chunk_rows`` rows, to be read block by block (same options and
    meaning as :func:`read_survey`; no sheets: workbooks are read whole).

    The header, columns and text column are settled on the first block (a guessed text column is
    judged on that block's rows, not a sample of the whole file). Raises
    :class:`~codewell.io.sources.NotStreamable` for a small file, a workbook, another encoding or
    any error: :func:`read_survey` then reads it whole and reports as it always has.
    """
    path = Path(path)
    source = open_csv_stream(path)
    grids = source.grids(chunk_rows)
    try:
        first = next(grids, None)
    finally:
        grids.close()
    if first is None or first.n_rows < chunk_rows:
        raise NotStreamable  # it fits in one block: nothing to gain
    header = read_header(first)
    guess_notes: list[str] = []
    column_notes: list[str] = []
    filled = list(map(any, zip(*first.columns)))
    rows = [index for index in range(header.rows, first.n_rows) if filled[index]]
    named = {name: first.columns[index] for index, name in enumerate(header.names) if name}
    try:
        text_and_id = _text_and_id(path, named, rows, header.layout, text_column, id_column,
                                   guess_notes)
        kept, dropped = _attribute_columns(path, list(named), text_and_id[1], text_and_id[0],
                                           text_and_id[2], keep_metadata, columns, column_notes)
    except CodewellError:
        raise NotStreamable from None
    return SurveyStream(source, chunk_rows, header, text_and_id, kept, dropped,
                        (guess_notes, column_notes), text_column is None)


def _text_and_id(path: Path, columns: dict[str, list[str]], rows: Sequence[int], layout: str,
                 text_column: str | None, id_column: str | None,
                 notes: list[str]) -> tuple[str | None, str, MetadataColumns]:
    """The id column (None: rows name the responses), the text column, and the platform's
    metadata columns; a guessed text column gets a note."""
    names = list(columns)
    id_name = _resolve(path, id_column, names, "id") if id_column else _conventional_id(names)
    platform = classify(names, layout)
    if text_column is None:
        metadata = {name for name, _ in platform.identifying} | set(platform.descriptive)
        candidates = {name: column for name, column in columns.items() if name not in metadata}
        text_name = _guess_text_column(path, candidates or columns, rows, exclude=id_name)
        notes.append(f"using column '{text_name}' for the text (pass --text-column to choose)")
    else:
        text_name = _resolve(path, text_column, names, "text")
    if text_name == id_name:
        raise DataFileError(
            f"{path}: column '{text_name}' cannot be both the text and the id",
            "pass --id-column with a different column, or leave it out to number the rows",
        )
    return id_name, text_name, platform


def _attribute_columns(path: Path, names: list[str], text_name: str, id_name: str | None,
                       platform: MetadataColumns, keep_metadata: bool,
                       wanted: Sequence[str] | None, notes: list[str]
                       ) -> tuple[list[str], list[tuple[str, str]]]:
    """The attribute columns to import, and those left out with why (the notes say so too)."""
    for wanted_name in wanted or ():  # not "no column 'response'" when there is one
        for role, taken in (("text", text_name), ("id", id_name)):
            if taken is not None and wanted_name.strip().casefold() == taken.casefold():
                raise DataFileError(f"{path}: column '{taken}' is the {role} of each response, not an "
                                    "attribute", hint="leave it out of --columns; it is imported anyway")
    attribute_names = [name for name in names if name not in (text_name, id_name)]
    dropped = _dropped_columns(path, attribute_names, platform, keep_metadata, wanted)
    notes += _column_notes(platform, attribute_names, dropped, keep_metadata, wanted)
    left_out = {name for name, _ in dropped}
    return [name for name in attribute_names if name not in left_out], dropped


def _row_names_note(first_id: str) -> str:
    return f"no id column: responses are named by row ('{first_id}', ...); pass --id-column to choose"


def _empty_note(count: int) -> list[str]:
    if not count:
        return []
    were = "responses have" if count != 1 else "response has"
    return [f"{count} {were} no text (kept, marked empty)"]


def _layout(layout: str, kind: str) -> str:
    return layout if layout != "plain" or kind == "csv" else "xlsx"


def _dropped_columns(path: Path, names: list[str], platform: MetadataColumns,
                     keep_metadata: bool, wanted: Sequence[str] | None) -> list[tuple[str, str]]:
    """The attribute columns not to import, each with the reason an import summary gives."""
    if wanted is not None:
        chosen = {_resolve(path, name, names, "attribute") for name in wanted if name.strip()}
        return [(name, "not among --columns") for name in names if name not in chosen]
    if keep_metadata:
        return []
    return [(name, f"identifying: {reason}") for name, reason in platform.identifying
            if name in names]


def _column_notes(platform: MetadataColumns, names: list[str], dropped: list[tuple[str, str]],
                  keep_metadata: bool, wanted: Sequence[str] | None) -> list[str]:
    """What the import summary says about platform metadata and chosen columns."""
    notes = []
    source = f"{' and '.join(platform.platforms)} " if platform.platforms else ""
    if dropped and wanted is None:
        listed = ", ".join(f"{name} ({reason.removeprefix('identifying: ')})" for name, reason in dropped)
        notes.append(f"left out {len(dropped)} identifying {source}metadata column"
                     f"{'s' if len(dropped) != 1 else ''}: {listed}; pass --keep-metadata to "
                     "import them")
    elif dropped:
        notes.append(f"left out {len(dropped)} column{'s' if len(dropped) != 1 else ''} not named "
                     "in --columns: " + ", ".join(name for name, _ in dropped))
    elif keep_metadata and platform.identifying:
        notes.append("kept identifying metadata columns (--keep-metadata): "
                     + ", ".join(name for name, _ in platform.identifying))
    left_out = {name for name, _ in dropped}
    kept = [name for name in platform.descriptive if name in names and name not in left_out]
    if kept:
        notes.append(f"kept {len(kept)} {source}metadata column{'s' if len(kept) != 1 else ''} "
                     "as attributes, marked as metadata: " + ", ".join(kept))
    return notes


def _data_rows(path: Path, grid: Grid, header_rows: int, notes: list[str]) -> list[int]:
    """Grid indices of the rows under the header that hold anything; a note counts the rest."""
    filled = list(map(any, zip(*grid.columns)))
    rows = [index for index in range(header_rows, grid.n_rows) if filled[index]]
    if not rows:
        raise DataFileError(f"{path}: there is a header but no responses under it")
    blank = grid.n_rows - header_rows - len(rows)
    if blank:
        notes.append(f"skipped {blank} empty row{'s' if blank != 1 else ''}")
    return rows


def _responses(
    ids: Sequence[str],
    text: Sequence[str],
    rows: Sequence[int],
    spreadsheet_rows: Sequence[int],
    attributes: dict[str, list[str]],
) -> tuple[Response, ...]:
    """One :class:`Response` per data row, built with C-level ``map``/``zip`` loops.

    A survey of 100,000 responses builds as many objects and attribute dicts; keeping the
    per-row work out of Python bytecode is what keeps a large import quick (the garbage
    collector is left alone: pausing it would affect every thread in the process).
    """
    names = list(attributes)
    values = zip(*(map(column.__getitem__, rows) for column in attributes.values()))
    if not names:
        values = repeat(())
    dicts = map(dict, map(zip, repeat(names), values))
    return tuple(map(Response, ids, map(text.__getitem__, rows), spreadsheet_rows, dicts))


def _resolve(path: Path, wanted: str, names: Sequence[str], role: str) -> str:
    """The column called ``wanted``: exactly, else the one that matches ignoring case."""
    if wanted in names:
        return wanted
    folded = [name for name in names if name.casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    hint = did_you_mean(wanted, names) or "the columns are " + ", ".join(f"'{n}'" for n in names)
    raise UnknownNameError(f"{path}: no column '{wanted}' to use as the {role}", hint)


def _conventional_id(names: Sequence[str]) -> str | None:
    """The first column named like a response id, in the order of ``_ID_NAMES``."""
    squashed = {re.sub(r"[^a-z0-9]", "", name.casefold()): name for name in reversed(names)}
    return next((squashed[key] for key in _ID_NAMES if key in squashed), None)


def _checked_ids(path: Path, column: str, cells: list[str], rows: list[int], *,
                 codings_like: bool = False) -> list[str]:
    """Stripped ids, after making sure none is empty and none repeats (both are data errors).

    ``codings_like``: the file has coder and code columns, so repeated ids mean a codings file
    imported without ``--codings``, and the hint says so instead of asking to fix the ids."""
    ids = [cell.strip() for cell in cells]
    empty = [row for response_id, row in zip(ids, rows) if not response_id]
    if empty:
        raise DataFileError(
            f"{path}: empty id in column '{column}' at row{'s' if len(empty) > 1 else ''} "
            + _listing([str(row) for row in empty]),
            "every response needs an id; fill them in, or pick another column with --id-column",
        )
    counts = Counter(ids)
    if len(counts) != len(ids):
        where: dict[str, list[int]] = {}
        for response_id, row in zip(ids, rows):
            if counts[response_id] > 1:
                where.setdefault(response_id, []).append(row)
        described = [
            f"'{response_id}' (rows {', '.join(map(str, found))})"
            for response_id, found in where.items()
        ]
        raise DataFileError(
            f"{path}: {len(where)} id{'s are' if len(where) > 1 else ' is'} used more than once "
            f"in column '{column}': " + _listing(described),
            "this looks like a codings file (id, coder, code): import it with --codings" if codings_like
            else "ids must be unique; fix the file or pick another column with --id-column",
        )
    return ids


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    rest = len(items) - _LISTED
    return f"{shown} and {rest} more" if rest > 0 else shown


def _guess_text_column(
    path: Path, columns: dict[str, list[str]], rows: Sequence[int], exclude: str | None
) -> str:
    """The column that holds free text: the longest answers on average among open columns.

    Judged on an evenly spread sample of ``_GUESS_SAMPLE`` or so rows, which is plenty to tell
    a comment box from a Likert item and keeps a 100,000-row import quick.

    Never chosen: the id column, anything named like an id, and columns of numbers and dates.
    Preferred, in order: a column named like a free-text column (``_TEXT_NAMES``) that is not a
    closed question; then columns with many distinct answers some of which have a space; then
    single-word columns (emails, tokens); then closed questions (few distinct answers, each given
    by several people, as in Likert items), which only a tiny or repetitive file leaves.
    """
    sample = rows[:: max(1, len(rows) // _GUESS_SAMPLE)]
    ranked: list[tuple[int, float, str]] = []
    for name, column in columns.items():
        if name == exclude or _conventional_id([name]) is not None:
            continue
        cells = [column[index] for index in sample]
        filled = [cell for cell in cells if cell.strip()]
        if not filled or all(_NUMERIC.match(cell) for cell in filled):
            continue
        distinct = len(set(filled))
        if distinct <= _CATEGORICAL_MAX and len(filled) >= 2 * distinct:
            tier = 0
        elif any(any(ch.isspace() for ch in cell.strip()) for cell in filled):
            tier = 2
        else:
            tier = 1
        named = tier > 0 and re.sub(r"[^a-z0-9]", "", name.casefold()) in _TEXT_NAMES
        ranked.append((named, tier, sum(map(len, cells)) / len(cells), name))
    if not ranked:
        raise DataFileError(
            f"{path}: no column looks like free text",
            "pass --text-column; the columns are " + ", ".join(f"'{n}'" for n in columns),
        )
    return max(ranked, key=lambda candidate: candidate[:3])[3]
