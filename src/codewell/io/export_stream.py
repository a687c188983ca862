"""The wide CSV export written a block of responses at a time (issue 15).

The same file, byte for byte, as :func:`codewell.io.export.export_dataset` writes for the wide
layout, but memory follows one block: the header comes from the project's attribute names
(asked for up front), and each block's rows are built, neutralised and written before the next
block is read. The data file and its ``variables`` sidecar are replaced together, as before.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from codewell.io.atomic_file import atomic_output, check_writable
from codewell.io.export import (
    Column,
    ExportReport,
    _Masker,
    _neutralise,
    choose_coders,
    wide_columns,
    write_sidecar,
)
from codewell.io.safety import neutralise
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset


def export_wide_csv(blocks: Iterable[CodedDataset], attributes: Sequence[str], out: str | Path, *,
                    coder: str | None = None, raw: bool = False, redact: bool = False,
                    redact_names: Sequence[str] = (), non_answer: NonAnswers | None = None,
                    ) -> ExportReport:
    """Write ``blocks`` (one project's responses in import order, at least one block) as the
    wide CSV and its sidecar; the summary counts every block."""
    out = Path(out)
    check_writable(out)
    masker = _Masker(redact_names) if redact else None
    non_answer = non_answer or NonAnswers()
    sidecar = out.with_name(f"{out.stem}.variables.csv")
    rows = neutralised = 0
    coders: tuple[str, ...] = ()
    header: list[Column] = []
    with atomic_output(out) as data, data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for number, ds in enumerate(blocks):
            if number == 0:
                coders = choose_coders(ds, coder)
            columns = wide_columns(ds, coders, masker, non_answer, attributes)
            if not raw:
                neutralised += _neutralise(columns)
            if number == 0:
                header = columns
                writer.writerow([c.name if raw else neutralise(c.name) for c in columns])
            writer.writerows(zip(*(c.values for c in columns)))  # wide columns are all plain text or 0/1
            rows += len(ds.responses)
        handle.flush()
        write_sidecar(header, sidecar, raw)  # inside: a failed sidecar leaves the old data file
    return ExportReport(out, "csv", "wide", rows, len(header), coders, neutralised,
                        masker.count if masker else 0, sidecar, ds.codebook_version)
