"""Columns as CSV: the data file, its ``variables`` sidecar, and the formula guard CSV needs.

CSV is the one export a spreadsheet opens by running what it reads, so it alone has cells
neutralised against formula injection (unless ``raw``; see :mod:`codewell.io.safety`), and it
alone carries no labels, hence the ``<name>.variables.csv`` sidecar. Rows are written from
plain column lists with :mod:`csv` (no pandas), so 100,000 responses take seconds; the streamed
export (:mod:`codewell.io.export_stream`) writes the same header and rows a block at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codewell.io.atomic_file import atomic_output
from codewell.io.export_columns import CODE_VALUES, Column, ColumnKind, utc
from codewell.io.safety import needs_neutralising, neutralise

#: The first characters of every cell :func:`codewell.io.safety.needs_neutralising` can flag
#: (a control character, or after spaces = @ + -): any other cell is passed over unexamined.
_FORMULA_START = frozenset("\t\r\n =@+-")
#: Kinds whose values go into a CSV cell as they are.
_PLAIN = frozenset({"text", "flag", "int", "float"})


def neutralise_columns(columns: list[Column]) -> int:
    """Prefix formula-like CSV text cells with an apostrophe, in place; returns how many."""
    count = 0
    start = _FORMULA_START
    for column in columns:
        if column.kind != "text":
            continue
        values = column.values
        for i in [i for i, value in enumerate(values) if value and value[0] in start]:
            if needs_neutralising(values[i]):
                values[i] = "'" + values[i]
                count += 1
    return count


def csv_header(columns: list[Column], raw: bool) -> list[str]:
    """The header row: the column names, neutralised unless ``raw``."""
    return [c.name if raw else neutralise(c.name) for c in columns]


def csv_rows(columns: list[Column]) -> Iterator[tuple[Any, ...]]:
    """The data rows of ``columns``, each value as its CSV cell (see :func:`_cell`)."""
    series = [c.values if c.kind in _PLAIN else [_cell(c.kind, v) for v in c.values]
              for c in columns]
    return zip(*series)


def _cell(kind: ColumnKind, value: Any) -> Any:
    """A value as CSV text: missing is empty, booleans are 0/1, times are ISO 8601 in UTC."""
    if value is None:
        return ""
    if kind == "bool":
        return 1 if value else 0
    if kind == "timestamp":
        return utc(value).isoformat()
    return value


def sidecar_path(out: Path) -> Path:
    """Where the labels of the CSV ``out`` go: ``<stem>.variables.csv`` beside it."""
    return out.with_name(f"{out.stem}.variables.csv")


def write_csv_pair(columns: list[Column], out: Path, sidecar: Path, raw: bool) -> None:
    """The data and its ``variables`` sidecar (name, label, values), replaced together."""
    with atomic_output(out) as data:
        _write_csv(columns, data, raw)
        write_sidecar(columns, sidecar, raw)


def write_sidecar(columns: list[Column], sidecar: Path, raw: bool) -> None:
    """The ``variables`` file: each column's name, label and values, written whole or not at all."""
    rows = [[c.name, c.label or c.name, CODE_VALUES if c.role == "code" else ""] for c in columns]
    if not raw:
        rows = [[neutralise(v) for v in row] for row in rows]
    with atomic_output(sidecar) as labels, labels.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["variable", "label", "values"])
        writer.writerows(rows)


def _write_csv(columns: list[Column], out: Path, raw: bool = False) -> None:
    """RFC 4180 CSV: CRLF between rows, so a field holding CR, LF or a quote is always quoted.

    (Python's writer quotes only the characters of its own line terminator: with a bare ``\\n``
    a lone carriage return went out unquoted and split the row in every reader.)
    """
    rows = csv_rows(columns)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(csv_header(columns, raw))
        writer.writerows(rows)
