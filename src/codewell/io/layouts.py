"""Recognise the header block survey platforms put above the data, and name the columns from it.

A plain export has one header row. Qualtrics adds two rows under it (each question's text, then
``{"ImportId":"QID1_TEXT"}`` JSON); SurveyMonkey splits the header over two rows (the question
text, written once above all of a question's columns, then a sub-header such as "Response",
"Open-Ended Response" or the option of a multiple-choice question). Treating those extra rows as
responses would import junk and shift every row number, so they are found and skipped here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from codewell.io.sources import Grid

_IMPORT_ID = re.compile(r"""^\s*\{\s*["']ImportId["']\s*:""")
_MONKEY_SUBHEADERS = frozenset({"response", "open-ended response"})
_MONKEY_ID = "respondent id"
_NUMBER = re.compile(r"^[-+]?[\d.,]+$")
# A header cell longer than this is more likely an answer than a column name.
_LONGEST_NAME = 60
# Free-text answers run at least this long, typically; rows looked at to tell.
_ANSWER_LENGTH = 20
_LOOK_BELOW = 50


@dataclass(frozen=True)
class Header:
    """How the top of a grid reads: the layout, one name per grid column, and its height.

    ``names[c]`` is None for a column with neither a name nor any data (the trailing empty
    columns spreadsheets like to export); such a column is not part of the survey.
    """

    layout: str  # "plain", "qualtrics" or "surveymonkey"
    names: tuple[str | None, ...]
    rows: int
    notes: tuple[str, ...]


def read_header(grid: Grid) -> Header:
    """Detect the layout of ``grid`` and give every column a unique, readable name."""
    title = _has_title(grid)
    top = [grid.row(index) for index in range(title, min(grid.n_rows, title + 3))]
    notes = []
    if title:
        notes.append(f"row {grid.first_row} ('{grid.row(0)[0].strip()[:60]}') reads as a title above "
                     f"the header; the header is row {grid.first_row + 1}")
    if _is_qualtrics(top):
        first, last = grid.first_row + title + 1, grid.first_row + title + 2
        layout, raw, rows = "qualtrics", [cell.strip() for cell in top[0]], 3
        notes.append(f"Qualtrics export: skipped the question-text and ImportId rows ({first}-{last})")
    elif _is_surveymonkey(top):
        layout, raw, rows = "surveymonkey", _surveymonkey_names(top[0], top[1]), 2
        notes.append("SurveyMonkey export: column names built from the two header rows")
    else:
        layout, raw, rows = "plain", [cell.strip() for cell in top[0]], 1
    rows += title
    names, renamed = _finish_names(raw, grid, rows)
    if renamed:
        notes.append("repeated column names were numbered: " + ", ".join(renamed))
    return Header(layout, tuple(names), rows, tuple(notes))


def _has_title(grid: Grid) -> int:
    """1 when the first row is a title typed above the header (a report's "Staff survey 2026"
    in A1 and nothing else), else 0: read as the header, it named one column and made the real
    header row a response.

    The row below must read as a header (two names or more, none a number, none a long text, no
    two alike, and in some column a name far shorter than the answers under it) above rows of
    data in two columns or more; a pandas export, whose first header cell is the blank index
    name, never starts that way.
    """
    if grid.n_rows < 3 or len(grid.columns) < 2:
        return 0
    first = [cell.strip() for cell in grid.row(0)]
    if not first[0] or any(first[1:]) or sum(1 for cell in grid.row(2) if cell.strip()) < 2:
        return 0
    names = [cell.strip() for cell in grid.row(1) if cell.strip()]
    header_like = (len(names) >= 2 and len(set(names)) == len(names)
                   and not any(_NUMBER.match(name) or len(name) > _LONGEST_NAME for name in names))
    return int(header_like and any(_names_answers(column) for column in grid.columns))


def _names_answers(column: Sequence[str]) -> bool:
    """Whether ``column``'s second cell is short beside the texts under it, as a column name
    above free-text answers is (and an answer above other answers is not)."""
    lengths = sorted(len(cell.strip()) for cell in column[2:2 + _LOOK_BELOW] if cell.strip())
    if not lengths:
        return False
    typical = lengths[len(lengths) // 2]
    return typical >= _ANSWER_LENGTH and 2 * len(column[1].strip()) <= typical


def _is_qualtrics(top: Sequence[Sequence[str]]) -> bool:
    if len(top) < 3:
        return False
    filled = [cell for cell in top[2] if cell.strip()]
    return bool(filled) and all(_IMPORT_ID.match(cell) for cell in filled)


def _is_surveymonkey(top: Sequence[Sequence[str]]) -> bool:
    """A sub-header row that says "Response" somewhere and is blank under the respondent id.

    The second condition keeps a plain file whose first answer happens to be "Response" from
    being mistaken for SurveyMonkey: a real data row has its id (first column) filled in.
    """
    if len(top) < 2:
        return False
    header, sub = top[0], top[1]
    if not any(cell.strip().casefold() in _MONKEY_SUBHEADERS for cell in sub):
        return False
    folded = [cell.strip().casefold() for cell in header]
    anchor = folded.index(_MONKEY_ID) if _MONKEY_ID in folded else 0
    return not sub[anchor].strip()


def _surveymonkey_names(header: Sequence[str], sub: Sequence[str]) -> list[str]:
    """The question text for single-answer columns; "question - option" for the others."""
    names = []
    question = ""
    for top, below in zip(header, sub, strict=True):
        if top.strip():
            question = top.strip()
        option = below.strip()
        if not option or option.casefold() in _MONKEY_SUBHEADERS:
            names.append(question)
        else:
            names.append(f"{question} - {option}" if question else option)
    return names


def _finish_names(
    raw: Sequence[str], grid: Grid, header_rows: int
) -> tuple[list[str | None], list[str]]:
    """Name unnamed columns that hold data after their letter; number repeats ("Q (2)")."""
    names: list[str | None] = []
    seen: set[str] = set()
    renamed = []
    for index, name in enumerate(raw):
        if not name:
            if not any(grid.columns[index][header_rows:]):
                names.append(None)
                continue
            name = f"column {_letter(index)}"
        unique, count = name, 1
        while unique.casefold() in seen:
            count += 1
            unique = f"{name} ({count})"
        if unique != name:
            renamed.append(f"'{unique}'")
        seen.add(unique.casefold())
        names.append(unique)
    return names, renamed


def _letter(index: int) -> str:
    """Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
