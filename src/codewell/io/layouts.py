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
    top = [grid.row(index) for index in range(min(grid.n_rows, 3))]
    if _is_qualtrics(top):
        first, last = grid.first_row + 1, grid.first_row + 2
        layout, raw, rows = "qualtrics", [cell.strip() for cell in top[0]], 3
        notes = [f"Qualtrics export: skipped the question-text and ImportId rows ({first}-{last})"]
    elif _is_surveymonkey(top):
        layout, raw, rows = "surveymonkey", _surveymonkey_names(top[0], top[1]), 2
        notes = ["SurveyMonkey export: column names built from the two header rows"]
    else:
        layout, raw, rows = "plain", [cell.strip() for cell in top[0]], 1
        notes = []
    names, renamed = _finish_names(raw, grid, rows)
    if renamed:
        notes.append("repeated column names were numbered: " + ", ".join(renamed))
    return Header(layout, tuple(names), rows, tuple(notes))


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
