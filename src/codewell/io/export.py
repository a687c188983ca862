"""The coded dataset as files for R, SPSS, Excel and pandas: wide or long; CSV, XLSX or Parquet.

**Wide** has one row per response: ``id``, ``response``, one 0/1 column per code in codebook
order (``<coder>:<code>`` for every coder with ``coder="all"``), then the survey's other columns
(attributes), then ``memo`` and ``status``. With one coder the first columns are exactly the
labelled-CSV layout (``id,response,<codes>``), so a wide CSV reads back into ``evaluate`` and
``import``. A 0 means "not applied"; ``status`` says whether the coder has finished the response,
so a 0 on an uncoded response is not read as a decision.

**Long** has one row per response, coder and code: whether it is applied, the coder's status,
and from the decision log the time of the latest decision on that code, whether it came from a
suggestion and the probability the suggestion showed. That is the audit trail REFI-QDA has no
place for.

CSV and XLSX cells that a spreadsheet could run as formulas are neutralised unless ``raw`` (see
:mod:`codewell.io.safety`); Parquet is never altered. ``redact`` masks identifiers in the response
text and memos. Writers work from plain column lists (no pandas; XLSX without openpyxl's
per-cell cost) so 100,000 responses take seconds.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from codewell.errors import CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.io.safety import find_pii, needs_neutralising, neutralise
from codewell.io.safety import redact as mask
from codewell.values import CodedDataset, Decision, Status

ExportFormat = Literal["csv", "xlsx", "parquet"]
Layout = Literal["wide", "long"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")
LAYOUTS: tuple[str, ...] = ("wide", "long")
CONSENSUS = "consensus"
ColumnKind = Literal["text", "flag", "bool", "float", "timestamp"]


@dataclass
class Column:
    """One output column: its name, what its values are, and the values (None = missing)."""

    name: str
    kind: ColumnKind
    values: list[Any]


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

    def summary(self) -> str:
        who = ", ".join(self.coders) if self.coders else "no coder"
        parts = [f"Wrote {self.rows} rows x {self.columns} columns ({self.layout} {self.format}, "
                 f"coder {who}) to {self.path}"]
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
                   redact: bool = False, redact_names: Sequence[str] = ()) -> ExportReport:
    """Write the coded dataset to ``out``; see the module docstring for the columns."""
    if format not in FORMATS:
        raise UnknownNameError(f"unknown export format '{format}' (use {', '.join(FORMATS)})",
                               did_you_mean(format, FORMATS))
    if layout not in LAYOUTS:
        raise UnknownNameError(f"unknown layout '{layout}' (use wide or long)",
                               did_you_mean(layout, LAYOUTS))
    coders = choose_coders(ds, coder)
    masker = _Masker(redact_names) if redact else None
    columns = wide_columns(ds, coders, masker) if layout == "wide" else long_columns(ds, coders)
    neutralised = 0 if raw or format == "parquet" else _neutralise(columns)
    out = Path(out)
    with replacing(out) as partial:
        if format == "csv":
            _write_csv(columns, partial)
        elif format == "xlsx":
            _write_xlsx(ds, coders, columns, partial, safe_text=not raw)
        else:
            _write_parquet(columns, partial)
    rows = len(columns[0].values) if columns else 0
    return ExportReport(out, format, layout, rows, len(columns), coders, neutralised,
                        masker.count if masker else 0)


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Write to a hidden file beside ``out`` and move it into place only once it is complete.

    An export that fails half-way (Excel's row limit, a full disk) then leaves no truncated
    file that looks like a dataset, and an earlier good export at ``out`` survives.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        yield partial
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


class _Masker:
    """Redacts texts and counts what it masked."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self.count = 0

    def __call__(self, text: str) -> str:
        matches = find_pii(text, self.names)
        self.count += len(matches)
        return mask(text, matches) if matches else text


def wide_columns(ds: CodedDataset, coders: Sequence[str],
                 masker: Callable[[str], str] | None = None) -> list[Column]:
    """The wide layout as columns (also used by the benchmarks and the tests)."""
    responses = ds.responses
    single = len(coders) == 1

    def prefixed(coder: str, name: str) -> str:
        return name if single else f"{coder}:{name}"

    texts = [r.text for r in responses]
    columns = [Column("id", "text", [r.id for r in responses]),
               Column("response", "text", [masker(t) for t in texts] if masker else texts)]
    for coder in coders:
        codings = ds.codings.get(coder, {})
        current = [codings.get(r.id, frozenset()) for r in responses]
        for code in ds.codebook.ids:
            columns.append(Column(prefixed(coder, code), "flag",
                                  [1 if code in codes else 0 for codes in current]))
    taken = {c.name for c in columns}
    taken |= {prefixed(c, n) for c in coders for n in ("memo", "status")}
    for name in _attribute_names(ds):
        label = f"attribute:{name}" if name in taken else name
        columns.append(Column(label, "text", [r.attributes.get(name) for r in responses]))
    for coder in coders:
        memos = ds.memos.get(coder, {})
        statuses = ds.statuses.get(coder, {})
        notes = [memos.get(r.id) for r in responses]
        if masker:
            notes = [masker(n) if n else n for n in notes]
        columns.append(Column(prefixed(coder, "memo"), "text", notes))
        columns.append(Column(prefixed(coder, "status"), "text",
                              [statuses.get(r.id, Status.UNCODED).value for r in responses]))
    return columns


def long_columns(ds: CodedDataset, coders: Sequence[str]) -> list[Column]:
    """The long layout: one row per response x coder x code, with its latest decision.

    Built column by column with comprehensions: at 100,000 responses this is millions of cells.
    """
    latest = latest_decisions(ds.decisions)
    codes = ds.codebook.ids
    rids = [r.id for r in ds.responses]
    ids: list[Any] = []
    who: list[Any] = []
    applied: list[Any] = []
    status: list[Any] = []
    events: list[Decision | None] = []
    for coder in coders:
        codings = ds.codings.get(coder, {})
        statuses = ds.statuses.get(coder, {})
        by_response: dict[str, dict[str, Decision]] = {}
        for (who_, rid, code), event in latest.items():
            if who_ == coder:
                by_response.setdefault(rid, {})[code] = event
        ids += [rid for rid in rids for _ in codes]
        who += [coder] * (len(rids) * len(codes))
        current = [codings.get(rid, frozenset()) for rid in rids]
        applied += [1 if code in codes_now else 0 for codes_now in current for code in codes]
        states = [statuses.get(rid, Status.UNCODED).value for rid in rids]
        status += [state for state in states for _ in codes]
        none: dict[str, Decision] = {}
        events += [by_response.get(rid, none).get(code) for rid in rids for code in codes]
    return [
        Column("id", "text", ids),
        Column("coder", "text", who),
        Column("code", "text", list(codes) * (len(rids) * len(coders))),
        Column("applied", "flag", applied),
        Column("status", "text", status),
        Column("decided_at", "timestamp", [e.at if e else None for e in events]),
        Column("from_suggestion", "bool", [e.from_suggestion if e else None for e in events]),
        Column("probability_shown", "float", [e.probability if e else None for e in events]),
    ]


def latest_decisions(decisions: Sequence[Decision]) -> dict[tuple[str, str, str], Decision]:
    """The last event on each (coder, response, code); the log's ids give the order."""
    latest: dict[tuple[str, str, str], Decision] = {}
    for event in sorted(decisions, key=lambda d: d.id):
        latest[(event.coder, event.response_id, event.code)] = event
    return latest


def _attribute_names(ds: CodedDataset) -> list[str]:
    seen: dict[str, None] = {}
    for response in ds.responses:
        for name in response.attributes:
            seen.setdefault(name, None)
    return list(seen)


def _neutralise(columns: list[Column]) -> int:
    """Prefix formula-like text cells with an apostrophe, in place; returns how many."""
    count = 0
    for column in columns:
        if column.kind != "text":
            continue
        values = column.values
        for i, value in enumerate(values):
            if value and needs_neutralising(value):
                values[i] = "'" + value
                count += 1
    return count


def _cell(kind: ColumnKind, value: Any) -> Any:
    """A value as CSV text: missing is empty, booleans are 0/1, times are ISO 8601 in UTC."""
    if value is None:
        return ""
    if kind == "bool":
        return 1 if value else 0
    if kind == "timestamp":
        return _utc(value).isoformat()
    return value


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _write_csv(columns: list[Column], out: Path) -> None:
    plain = {"text", "flag", "float"}
    series = [c.values if c.kind in plain else [_cell(c.kind, v) for v in c.values]
              for c in columns]
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        writer.writerows(zip(*series))


def _write_parquet(columns: list[Column], out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"text": pa.string(), "flag": pa.int8(), "bool": pa.bool_(), "float": pa.float64(),
             "timestamp": pa.timestamp("us", tz="UTC")}
    arrays = []
    for column in columns:
        values = column.values
        if column.kind == "timestamp":
            values = [None if v is None else _utc(v) for v in values]
        arrays.append(pa.array(values, type=types[column.kind]))
    table = pa.Table.from_arrays(arrays, names=[c.name for c in columns])
    pq.write_table(table, out)


def _write_xlsx(ds: CodedDataset, coders: Sequence[str], columns: list[Column], out: Path,
                *, safe_text: bool) -> None:
    """Sheets ``data``, ``codebook`` and ``frequencies`` (one block of rows per coder).

    Times are written as spreadsheet date-times in UTC (a spreadsheet cell has no time zone).
    """
    from codewell.io.xlsx_writer import write_workbook
    from codewell.report import frequency_table

    def safe(row: Sequence[Any]) -> list[Any]:
        return [neutralise(v) if safe_text and isinstance(v, str) else v for v in row]

    series = [c.values for c in columns]
    codebook_rows = (safe([code.id, code.label, code.group, code.parent, code.colour,
                           code.definition, *("\n".join(items) for items in (
                               code.include, code.exclude, code.keywords, code.examples))])
                     for code in ds.codebook.codes)
    frequency_rows = (safe([coder, row.code, row.label, row.n, row.denominator,
                            _finite(row.percent), _finite(row.ci_low), _finite(row.ci_high),
                            row.poster()])
                      for coder in coders for row in frequency_table(ds, coder).rows)
    write_workbook(out, [
        ("data", [c.name for c in columns], zip(*series)),
        ("codebook", ["id", "label", "group", "parent", "colour", "definition", "include",
                      "exclude", "keywords", "examples"], codebook_rows),
        ("frequencies", ["coder", "code", "label", "n", "denominator", "percent", "ci95_low",
                         "ci95_high", "as_published"], frequency_rows),
    ])


def _finite(value: float) -> float | None:
    return None if value != value else round(value, 4)


def redact_dataset(ds: CodedDataset, names: Sequence[str] = ()) -> tuple[CodedDataset, int]:
    """A copy of ``ds`` with identifiers masked in response texts and memos, and how many.

    For formats written from a whole dataset (REFI-QDA), where masking cannot happen column by
    column. Masking changes text lengths, so it happens before any positions are computed.
    """
    from dataclasses import replace

    masker = _Masker(names)
    responses = tuple(replace(r, text=masker(r.text)) if r.text else r for r in ds.responses)
    memos = {coder: {rid: masker(text) for rid, text in notes.items()}
             for coder, notes in ds.memos.items()}
    return replace(ds, responses=responses, memos=memos), masker.count
