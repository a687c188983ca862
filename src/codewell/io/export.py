"""The coded dataset as files for R, SPSS, Stata, Excel and pandas: wide or long.

The columns of each layout (wide, long, segments), what their missing values mean and how they
are named and labelled are in :mod:`codewell.io.export_layouts`; here they are written.

Only CSV cells that a spreadsheet would run as formulas are neutralised, unless ``raw`` (see
:mod:`codewell.io.safety`); XLSX cells are typed text, and Parquet, SPSS and Stata never hold
formulas, so none of those is altered. ``redact`` masks identifiers in the response text and
memos (:mod:`codewell.io.export_redaction`). Every file is written privately and atomically (:mod:`codewell.io.atomic_file`).
Writers work from plain column lists (no pandas for CSV; XLSX without openpyxl's per-cell cost)
so 100,000 responses take seconds.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codewell.errors import CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.io.atomic_file import atomic_output, check_writable
from codewell.io.export_columns import CODE_VALUES, Column, ColumnKind, utc
from codewell.io.export_layouts import long_columns, segment_columns, wide_columns
from codewell.io.export_redaction import Masker, redact_dataset
from codewell.io.safety import needs_neutralising, neutralise
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset

#: What other modules import from here (``redact_dataset`` and ``wide_columns`` are defined beside it).
__all__ = ["ExportReport", "choose_coders", "export_dataset", "redact_dataset", "wide_columns"]

ExportFormat = Literal["csv", "xlsx", "parquet", "sav", "dta"]
Layout = Literal["wide", "long", "segments"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "sav", "dta")
LAYOUTS: tuple[str, ...] = ("wide", "long", "segments")
CONSENSUS = "consensus"


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote, for the one-line summary the CLI prints."""

    path: Path
    format: str
    layout: str
    rows: int
    columns: int
    coders: tuple[str, ...]
    neutralised: int = 0
    redacted: int = 0
    sidecar: Path | None = None
    codebook_version: int | None = None

    def summary(self) -> str:
        who = ", ".join(self.coders) if self.coders else "no coder"
        version = f", codebook version {self.codebook_version}" if self.codebook_version is not None else ""
        parts = [f"Wrote {self.rows} rows x {self.columns} columns ({self.layout} {self.format}, "
                 f"coder {who}{version}) to {self.path}"]
        if self.sidecar:
            parts.append(f"variable labels in {self.sidecar}")
        if self.neutralised:
            parts.append(f"{self.neutralised} cell{'s' * (self.neutralised != 1)} neutralised "
                         "against formula injection (--raw keeps them as they are)")
        if self.redacted:
            parts.append(f"{self.redacted} identifier{'s' * (self.redacted != 1)} redacted")
        return "; ".join(parts)


def choose_coders(ds: CodedDataset, coder: str | None) -> tuple[str, ...]:
    """Which coders an export covers: ``"all"``, one by name, or by default the only one.

    With several coders and no choice, ``consensus`` is the natural default (it is the settled
    coding); without it the user must choose, because picking one coder silently would hide
    the other's work.
    """
    if not ds.coders:
        raise CodewellError("nothing has been coded yet", hint="code some responses first")
    if coder == "all":
        return ds.coders
    if coder is None:
        if len(ds.coders) == 1:
            return ds.coders
        if CONSENSUS in ds.coders:
            return (CONSENSUS,)
        raise CodewellError(f"this project has several coders ({', '.join(ds.coders)})",
                            hint="choose one with --coder NAME, or --coder all")
    if coder not in ds.coders:
        raise UnknownNameError(f"no coder named '{coder}' (coders: {', '.join(ds.coders)})",
                               did_you_mean(coder, (*ds.coders, "all")))
    return (coder,)


def export_dataset(ds: CodedDataset, out: str | Path, *, format: ExportFormat = "csv",
                   layout: Layout = "wide", coder: str | None = None, raw: bool = False,
                   redact: bool = False, redact_names: Sequence[str] = (),
                   include_uncoded: bool = False,
                   non_answer: NonAnswers | None = None) -> ExportReport:
    """Write the coded dataset to ``out``; see the module docstring for the columns."""
    if format not in FORMATS:
        raise UnknownNameError(f"unknown export format '{format}' (use {', '.join(FORMATS)})",
                               did_you_mean(format, FORMATS))
    if layout not in LAYOUTS:
        raise UnknownNameError(f"unknown layout '{layout}' (use wide, long or segments)",
                               did_you_mean(layout, LAYOUTS))
    out = Path(out)
    check_writable(out)
    coders = choose_coders(ds, coder)
    non_answer = non_answer or NonAnswers()
    masker = Masker(redact_names) if redact else None
    if layout == "wide":
        columns = wide_columns(ds, coders, masker, non_answer)
    elif layout == "segments":
        columns = segment_columns(ds, coders, masker)
    else:
        columns = long_columns(ds, coders, include_uncoded, non_answer)
    neutralised = 0 if raw or format != "csv" else _neutralise(columns)
    sidecar = None
    if format == "csv":
        sidecar = out.with_name(f"{out.stem}.variables.csv")
        _write_csv_pair(columns, out, sidecar, raw)
    elif format in ("sav", "dta"):
        from codewell.io.stats_files import write_stats_file

        write_stats_file(columns, out, format)
    else:
        with atomic_output(out) as partial:
            if format == "xlsx":
                _write_xlsx(ds, coders, columns, partial, non_answer)
            else:
                _write_parquet(columns, partial)
    rows = len(columns[0].values) if columns else 0
    return ExportReport(out, format, layout, rows, len(columns), coders, neutralised,
                        masker.count if masker else 0, sidecar, ds.codebook_version)


#: The first characters of every cell :func:`codewell.io.safety.needs_neutralising` can flag
#: (a control character, or after spaces = @ + -): any other cell is passed over unexamined.
_FORMULA_START = frozenset("\t\r\n =@+-")


def _neutralise(columns: list[Column]) -> int:
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


def _cell(kind: ColumnKind, value: Any) -> Any:
    """A value as CSV text: missing is empty, booleans are 0/1, times are ISO 8601 in UTC."""
    if value is None:
        return ""
    if kind == "bool":
        return 1 if value else 0
    if kind == "timestamp":
        return utc(value).isoformat()
    return value



def _write_csv_pair(columns: list[Column], out: Path, sidecar: Path, raw: bool) -> None:
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
    plain = {"text", "flag", "int", "float"}
    series = [c.values if c.kind in plain else [_cell(c.kind, v) for v in c.values]
              for c in columns]
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([c.name if raw else neutralise(c.name) for c in columns])
        writer.writerows(zip(*series))


def _write_parquet(columns: list[Column], out: Path) -> None:
    """Nullable types (a missing code is null, not 0), labels as field metadata, and pandas
    metadata so ``pandas.read_parquet`` gives nullable ``Int8``/``boolean`` columns."""
    import pyarrow.parquet as pq

    pq.write_table(parquet_table(columns, parquet_schema(columns)), out)


def parquet_schema(columns: list[Column]) -> Any:
    """The Parquet schema of ``columns`` (a ``pyarrow.Schema``), for a file written whole or a
    block at a time."""
    import pandas as pd
    import pyarrow as pa

    dtypes = {"text": "string", "flag": "Int8", "bool": "boolean", "int": "Int64", "float": "Float64",
              "timestamp": "datetime64[us, UTC]"}
    fields = [pa.field(c.name, _arrow_type(c.kind), metadata={"label": c.label or c.name}) for c in columns]
    empty = pd.DataFrame({c.name: pd.Series([], dtype=dtypes[c.kind]) for c in columns})
    pandas_meta = pa.Table.from_pandas(empty, preserve_index=False).schema.metadata
    return pa.schema(fields, metadata=pandas_meta)


def parquet_table(columns: list[Column], schema: Any) -> Any:
    """``columns`` as a ``pyarrow.Table`` of ``schema``."""
    import pyarrow as pa

    arrays = []
    for column in columns:
        values = column.values
        if column.kind == "timestamp":
            values = [None if v is None else utc(v) for v in values]
        arrays.append(pa.array(values, type=_arrow_type(column.kind)))
    return pa.Table.from_arrays(arrays, schema=schema)


def _arrow_type(kind: ColumnKind) -> Any:
    import pyarrow as pa

    return {"text": pa.string(), "flag": pa.int8(), "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(),
            "timestamp": pa.timestamp("us", tz="UTC")}[kind]


def _write_xlsx(ds: CodedDataset, coders: Sequence[str], columns: list[Column], out: Path,
                non_answer: NonAnswers) -> None:
    """Sheets ``data``, ``variables``, ``codebook`` and ``frequencies`` (a block per coder).

    Every text is a typed text cell, which no spreadsheet evaluates, so nothing is prefixed.
    Times are written as spreadsheet date-times in UTC (a spreadsheet cell has no time zone).
    """
    from codewell.report import frequency_table

    write_xlsx(out, columns, zip(*(c.values for c in columns)), ds,
               lambda: [frequency_table(ds, coder, non_answer) for coder in coders])


def write_xlsx(out: Path, columns: list[Column], data: Iterable[Sequence[Any]], ds: CodedDataset,
               frequencies: Callable[[], Sequence[Any]]) -> None:
    """The workbook of :func:`_write_xlsx` from ``data`` rows (a generator, consumed once, so a
    block at a time) under ``columns``' names; ``frequencies()`` is called after the data sheet
    is written (a streamed export counts while it writes)."""
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
    write_workbook(out, [
        ("data", [c.name for c in columns], data),
        ("variables", ["variable", "label", "values"], variable_rows),
        ("codebook", ["id", "label", "group", "parent", "colour", "definition", "include",
                      "exclude", "keywords", "examples", "codebook_version"],
         (row + [ds.codebook_version] for row in codebook_rows)),
        ("frequencies", ["coder", "code", "label", "n", "denominator", "percent", "ci95_low",
                         "ci95_high", "as_published"], frequency_rows),
    ])


def _later(make: Callable[[], Sequence[Any]]) -> Iterator[Any]:
    yield from make()


def _finite(value: float) -> float | None:
    return None if value != value else round(value, 4)
