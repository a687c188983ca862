"""The coded dataset as files for R, SPSS, Stata, Excel and pandas: the one door to them.

``export_dataset`` is what the CLI calls for a CSV, XLSX, Parquet, SPSS or Stata file: it checks
the format and layout, chooses whose coding goes out (:func:`choose_coders`), builds the layout's
columns (:mod:`codewell.io.export_layouts`, where the wide, long and segments layouts and their
missing values are described), and hands them to the format's writer:
:mod:`~codewell.io.export_csv`, :mod:`~codewell.io.export_xlsx`, :mod:`~codewell.io.export_parquet`
or :mod:`~codewell.io.stats_files`. :mod:`codewell.io.export_stream` writes the same files a
block of responses at a time.

A survey column of numbers (``age``, a rating coded 1-5) is a number column in XLSX and Parquet,
so Excel sums it and R reads it as numbers; CSV writes every cell as it was imported.

Safety is on by default. Only CSV cells that a spreadsheet would run as formulas are
neutralised, unless ``raw`` (see :mod:`codewell.io.safety`); XLSX cells are typed text, and
Parquet, SPSS and Stata never hold formulas, so none of those is altered. ``redact`` masks
identifiers in the response text and memos (:mod:`codewell.io.export_redaction`). Every file is
written privately and atomically (:mod:`codewell.io.atomic_file`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codewell.errors import CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.io.atomic_file import atomic_output, check_writable
from codewell.io.export_columns import provenance
from codewell.io.export_csv import neutralise_columns, sidecar_path, write_csv_pair
from codewell.io.export_layouts import long_columns, segment_columns, wide_columns
from codewell.io.export_parquet import write_parquet
from codewell.io.export_redaction import Masker, redact_dataset
from codewell.io.export_xlsx import write_dataset_xlsx
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset

#: What other modules import from here (``redact_dataset`` and ``wide_columns`` are defined beside it).
__all__ = ["ExportReport", "choose_coders", "export_dataset", "redact_dataset", "wide_columns"]

ExportFormat = Literal["csv", "xlsx", "parquet", "sav", "dta"]
Layout = Literal["wide", "long", "segments"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "sav", "dta")
LAYOUTS: tuple[str, ...] = ("wide", "long", "segments")
CONSENSUS = "consensus"
#: Formats whose survey columns of numbers are written as numbers (see
#: :mod:`codewell.io.attribute_kinds`): CSV has no types, SPSS and Stata type them their own way.
NUMBER_FORMATS = frozenset({"parquet", "xlsx"})


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
    too_long_for_excel: int = 0
    controls_in_xlsx: int = 0
    cut_for_spss: int = 0

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
        if self.too_long_for_excel:
            n = self.too_long_for_excel
            parts.append(f"{n} cell{'s are' if n != 1 else ' is'} longer than the 32,767 characters Excel "
                         f"shows: Excel cuts {'them' if n != 1 else 'it'} when it opens the file (CSV and Parquet keep "
                         "the whole text)")
        if self.controls_in_xlsx:
            n = self.controls_in_xlsx
            parts.append(f"{n} cell{'s' * (n != 1)} held control characters a workbook cannot store: "
                         "vertical tabs and form feeds became line breaks, any others were left out "
                         "(CSV and Parquet keep them as they are)")
        if self.cut_for_spss:
            n = self.cut_for_spss
            parts.append(f"{n} cell{'s are' if n != 1 else ' is'} longer than the 32,767 bytes an SPSS string "
                         f"holds: {'they were' if n != 1 else 'it was'} cut to fit (CSV, Parquet and Stata keep "
                         "the whole text)")
        return "; ".join(parts)


def choose_coders(ds: CodedDataset, coder: str | None) -> tuple[str, ...]:
    """Which coders an export covers: ``"all"``, one by name, or by default the only one.

    With several coders and no choice, ``consensus`` is the natural default (it is the settled
    coding); without it the user must choose, because picking one coder silently would hide
    the other's work.
    """
    if not ds.coders:
        raise CodewellError("nothing has been coded yet", hint="code some responses first: codewell code PROJECT "
                            "--coder NAME" if ds.responses else "import the survey first, then code it: "
                            "codewell import PROJECT SURVEY.csv")
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
    """Write the coded dataset to ``out``; see :mod:`codewell.io.export_layouts` for the columns."""
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
        columns = wide_columns(ds, coders, masker, non_answer, numbers=format in NUMBER_FORMATS)
    elif layout == "segments":
        columns = segment_columns(ds, coders, masker)
    else:
        columns = long_columns(ds, coders, include_uncoded, non_answer)
    neutralised = 0 if raw or format != "csv" else neutralise_columns(columns)
    sidecar = None
    notes = None
    cut = 0
    if format == "csv":
        sidecar = sidecar_path(out)
        write_csv_pair(columns, out, sidecar, raw)
    elif format in ("sav", "dta"):
        from codewell.io.stats_files import write_stats_file

        cut = write_stats_file(columns, out, format, provenance(coders, ds.codebook_version))
    else:
        with atomic_output(out) as partial:
            if format == "xlsx":
                notes = write_dataset_xlsx(ds, coders, columns, partial, non_answer)
            else:
                write_parquet(columns, partial, {"coders": list(coders),
                                                 "codebook_version": ds.codebook_version, "layout": layout})
    rows = len(columns[0].values) if columns else 0
    return ExportReport(out, format, layout, rows, len(columns), coders, neutralised,
                        masker.count if masker else 0, sidecar, ds.codebook_version,
                        notes.too_long if notes else 0, notes.controls if notes else 0, cut)

