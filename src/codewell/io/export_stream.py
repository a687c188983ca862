"""The wide and long exports to CSV, Parquet and XLSX written a block of responses at a time
(issue 15).

The same files as :func:`codewell.io.export.export_dataset` writes (CSV byte for byte; Parquet
the same table in row groups of a block; XLSX the same sheets), but memory follows one block:
the header comes from the project's attribute names and types (asked for up front: a Parquet
schema is fixed before the first block, so whether ``age`` is a column of numbers, or
``agreement`` a rating scale, must be known over every response first; see
:meth:`codewell.project.streaming.Streaming.export_stream`), and each block's rows are built,
neutralised and written before the next block is read. The data file and its ``variables``
sidecar are replaced together, as before.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from codewell.io.atomic_file import atomic_output, check_writable
from codewell.io.export import NUMBER_FORMATS, ExportReport, choose_coders
from codewell.io.export_columns import AttributeType, Column
from codewell.io.export_csv import csv_header, csv_rows, neutralise_columns, sidecar_path, write_sidecar
from codewell.io.export_layouts import decisions_by_response, long_columns, wide_columns
from codewell.io.export_parquet import parquet_schema, parquet_table
from codewell.io.export_redaction import Masker
from codewell.io.export_xlsx import write_xlsx
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset


#: Layouts and formats written a block at a time (the rest are written from the whole dataset).
STREAMED = {("wide", "csv"), ("long", "csv"), ("wide", "parquet"), ("long", "parquet"),
            ("wide", "xlsx"), ("long", "xlsx")}


def export_blocks(blocks: Callable[[str | None], Iterable[CodedDataset]],
                  attributes: Mapping[str, AttributeType], out: str | Path, *, format: str = "csv",
                  layout: str = "wide", coder: str | None = None,
                  raw: bool = False, redact: bool = False, redact_names: Sequence[str] = (),
                  include_uncoded: bool = False, non_answer: NonAnswers | None = None) -> ExportReport:
    """Write what :func:`codewell.io.export.export_dataset` writes from the whole dataset, a
    block of responses at a time: the same CSV bytes, the same XLSX sheets, the same Parquet
    table (in row groups of a block). Memory follows a block. ``attributes``: each attribute
    column's type over the whole project (:func:`codewell.io.export_layouts.attribute_types`).

    ``blocks(None)`` yields every response in import order, in blocks (at least one, each with
    the whole codings, statuses, memos and, for the long layout, decision log);
    ``blocks(coder)`` only the responses ``coder`` finished: a long CSV or Parquet file reads
    those alone (one pass per coder, as the long layout lists coder by coder), so its cost
    follows the rows it writes."""
    if (layout, format) not in STREAMED:
        raise ValueError(f"{layout} {format} is written from the whole dataset, not streamed")
    out = Path(out)
    check_writable(out)
    masker = Masker(redact_names) if redact else None
    state = _Blocks(blocks, coder, layout, format, attributes, masker, non_answer or NonAnswers(),
                    include_uncoded, neutral=format == "csv" and not raw)
    header = state.header
    sidecar = None
    notes = None
    if format == "csv":
        sidecar = sidecar_path(out)
        with atomic_output(out) as data, data.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(csv_header(header, raw))
            for columns in state.all():
                writer.writerows(csv_rows(columns))
            handle.flush()
            write_sidecar(header, sidecar, raw)  # inside: a failed sidecar leaves the old data file
    elif format == "parquet":
        import pyarrow.parquet as pq

        schema = parquet_schema(header, {"coders": list(state.coders),
                                         "codebook_version": state.base.codebook_version, "layout": layout})
        with atomic_output(out) as partial, pq.ParquetWriter(partial, schema) as writer:
            for columns in state.all():
                writer.write_table(parquet_table(columns, schema))
    else:
        with atomic_output(out) as partial:
            rows = (row for columns in state.all() for row in zip(*(c.values for c in columns)))
            notes = write_xlsx(partial, header, rows, state.base, state.frequencies)
    return ExportReport(out, format, layout, state.rows, len(header), state.coders, state.neutralised,
                        masker.count if masker else 0, sidecar, state.base.codebook_version,
                        notes.too_long if notes else 0, notes.controls if notes else 0)


class _Blocks:
    """The columns of each block in turn, counting rows, neutralised cells and, for the XLSX
    frequencies sheet, each coder's frequency table as it goes."""

    def __init__(self, blocks: Callable[[str | None], Iterable[CodedDataset]], coder: str | None,
                 layout: str, format: str, attributes: Mapping[str, AttributeType], masker: Masker | None,
                 non_answer: NonAnswers, include_uncoded: bool, neutral: bool) -> None:
        from dataclasses import replace

        self._blocks, self._layout, self._attributes = blocks, layout, attributes
        self._numbers = format in NUMBER_FORMATS
        self._masker, self._non_answer, self._uncoded, self._neutral = masker, non_answer, include_uncoded, neutral
        self._finished_only = layout == "long" and not include_uncoded and format != "xlsx"
        self._counting = format == "xlsx"  # the frequencies sheet
        first = iter(blocks(None))
        self.base = next(first)
        self.coders = choose_coders(self.base, coder)
        self._first: Iterator[CodedDataset] | None = itertools.chain([self.base], first)
        self._decided = decisions_by_response(self.base.decisions) if layout == "long" else None
        self.rows = self.neutralised = 0
        self._counts: dict[str, list[int]] = {}  # coder -> n per code, then kept, non-answers, not done
        self.header = self._build(replace(self.base, responses=()), self.coders)

    def _build(self, ds: CodedDataset, coders: tuple[str, ...]) -> list[Column]:
        if self._layout == "wide":
            return wide_columns(ds, coders, self._masker, self._non_answer, self._attributes, self._numbers)
        return long_columns(ds, coders, self._uncoded, self._non_answer, self._decided)

    def _passes(self) -> Iterator[tuple[tuple[str, ...], Iterable[CodedDataset]]]:
        """(coders, blocks) in the order the file lists them."""
        if self._layout == "wide":
            yield self.coders, self._source(None)
            return
        for coder in self.coders:
            yield (coder,), self._source(coder if self._finished_only else None)

    def _source(self, coder: str | None) -> Iterable[CodedDataset]:
        if coder is None and self._first is not None:
            first, self._first = self._first, None
            return first
        return self._blocks(coder)

    def all(self) -> Iterator[list[Column]]:
        for coders, source in self._passes():
            for ds in source:
                columns = self._build(ds, coders)
                self.rows += len(columns[0].values) if columns else 0
                if self._neutral:
                    self.neutralised += neutralise_columns(columns)
                for coder in coders if self._counting else ():
                    self._count(ds, coder)
                yield columns

    def _count(self, ds: CodedDataset, coder: str) -> None:
        from codewell.report.frequencies import coded_responses

        kept, non_answers, not_done = coded_responses(ds, coder, self._non_answer)
        codings = ds.codings.get(coder, {})
        ids = ds.codebook.ids
        counts = self._counts.setdefault(coder, [0] * (len(ids) + 3))
        for response in kept:
            held = codings.get(response.id, ())
            for i, code in enumerate(ids):
                counts[i] += code in held
        counts[-3] += len(kept)
        counts[-2] += non_answers
        counts[-1] += not_done

    def frequencies(self) -> list[object]:
        """Each coder's frequency table over every block (as ``frequency_table`` over all)."""
        import math

        from codewell.report.frequencies import FrequencyRow, FrequencyTable, wilson_interval

        tables: list[object] = []
        for coder in self.coders:
            counts = self._counts.get(coder, [0] * (len(self.base.codebook.ids) + 3))
            total = counts[-3]
            rows = []
            for i, code in enumerate(self.base.codebook.codes):
                low, high = wilson_interval(counts[i], total)
                rows.append(FrequencyRow(code.id, code.label, counts[i], total,
                                         100 * counts[i] / total if total else math.nan, low, high, code.colour))
            tables.append(FrequencyTable(coder, total, counts[-2], counts[-1], tuple(rows)))
        return tables
