"""Columns as an Excel workbook: the data with its labels, the codebook and the frequencies.

A researcher who opens one file in Excel should find everything needed to read the data and
check the paper's table: sheets ``data``, ``variables``, ``codebook`` and ``frequencies`` (a
block per coder). The sheets are written by :mod:`codewell.io.xlsx_writer`, row by row, so the
streamed export (:mod:`codewell.io.export_stream`) can pass the data a block at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codewell.io.export_columns import CODE_VALUES, Column
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset

if TYPE_CHECKING:
    from codewell.io.xlsx_writer import WorkbookNotes


def write_dataset_xlsx(ds: CodedDataset, coders: Sequence[str], columns: list[Column], out: Path,
                       non_answer: NonAnswers) -> WorkbookNotes:
    """Sheets ``data``, ``variables``, ``codebook`` and ``frequencies`` (a block per coder);
    returns what the workbook could not hold as given (cells too long, control characters).

    Every text is a typed text cell, which no spreadsheet evaluates, so nothing is prefixed.
    Times are written as spreadsheet date-times in UTC (a spreadsheet cell has no time zone).
    """
    from codewell.report import frequency_table

    return write_xlsx(out, columns, zip(*(c.values for c in columns)), ds,
               lambda: [frequency_table(ds, coder, non_answer) for coder in coders])


def write_xlsx(out: Path, columns: list[Column], data: Iterable[Sequence[Any]], ds: CodedDataset,
               frequencies: Callable[[], Sequence[Any]]) -> WorkbookNotes:
    """The workbook of :func:`write_dataset_xlsx` from ``data`` rows (a generator, consumed once,
    so a block at a time) under ``columns``' names; ``frequencies()`` is called after the data
    sheet is written (a streamed export counts while it writes). Returns what the workbook could
    not hold as given."""
    from codewell.io.xlsx_writer import write_workbook

    variable_rows = ([c.name, c.label or c.name, CODE_VALUES if c.role == "code" else None]
                     for c in columns)
    codebook_rows = ([code.id, code.label, code.group, code.parent, code.colour,
                      code.definition, *("\n".join(items) for items in (
                          code.include, code.exclude, code.keywords, code.examples))]
                     for code in ds.codebook.codes)
    frequency_rows = ([table.coder, row.code, row.label, row.n, row.denominator,
                       _finite(row.percent), _finite(row.ci_low), _finite(row.ci_high),
                       row.poster()]
                      for table in _later(frequencies) for row in table.rows)
    return write_workbook(out, [
        ("data", [c.name for c in columns], data),
        ("variables", ["variable", "label", "values"], variable_rows),
        ("codebook", ["id", "label", "group", "parent", "colour", "definition", "include",
                      "exclude", "keywords", "examples", "codebook_version"],
         (row + [ds.codebook_version] for row in codebook_rows)),
        ("frequencies", ["coder", "code", "label", "n", "denominator", "percent", "ci95_low",
                         "ci95_high", "as_published"], frequency_rows),
    ])


def _later(make: Callable[[], Sequence[Any]]) -> Iterator[Any]:
    """``make()``'s items, with ``make`` called only when the first one is asked for."""
    yield from make()


def _finite(value: float) -> float | None:
    """A percentage or bound as a cell: NaN (nothing to divide by) is an empty cell."""
    return None if value != value else round(value, 4)
