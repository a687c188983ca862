"""SPSS (``.sav``) and Stata (``.dta``) files of the coded dataset, with their labels, via pyreadstat.

What an analyst opening the file gets without any cleaning:

* variable labels: the code labels, the survey's own column headers;
* value labels on every code column: ``0 = not applied``, ``1 = applied``;
* declared missing: a response the coder has not finished is a *user-missing* ``-1`` in SPSS and
  the extended missing ``.a`` in Stata, both labelled "not finished by the coder", so means and
  frequencies skip it while the reason stays visible;
* survey columns typed as an analyst expects (:mod:`codewell.io.stats_attributes`): numbers as
  numbers, a stray ``n/a`` among them as a labelled missing value, few distinct answers as a
  labelled categorical variable (a rating scale in its own order), free text as strings;
* in SPSS, a measurement level for every variable (nominal codes, ordinal scales, scale numbers),
  whole-number formats for 0/1 codes, and strings cut to the 32,767 bytes SPSS reads (the count
  is returned, for the summary; Stata keeps any length).

Column names come from :mod:`codewell.io.variable_names`, which already fit both formats (and
leave room for the counter pyreadstat appends to a Stata variable's value-label name).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codewell.errors import OutputError
from codewell.io.atomic_file import atomic_output
from codewell.io.stats_attributes import typed_attribute

if TYPE_CHECKING:
    from codewell.io.export_columns import Column

NOT_FINISHED = "not finished by the coder"
SPSS_MISSING = -1
STATA_MISSING = "a"
STATA_NAME = 32  # Stata's limit on variable and value-label names
SPSS_STRING = 32_767  # bytes: the widest string SPSS (and PSPP) reads
_LABEL_LIMIT = {"sav": 256, "dta": 80}  # variable labels, in UTF-8 bytes
_VALUE_LABEL_LIMIT = {"sav": 120, "dta": 32_000}


def write_stats_file(columns: list[Column], out: Path, format: str, file_label: str = "") -> int:
    """Write ``columns`` to ``out`` as ``sav`` or ``dta``, privately and atomically, with
    ``file_label`` (whose coding it is) as the file's label; returns how many text cells were
    cut to fit an SPSS string (always 0 for Stata)."""
    import pandas as pd
    import pyreadstat

    frame: dict[str, Any] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, list[Any]] = {}
    measures: dict[str, str] = {}
    formats: dict[str, str] = {}
    cut = 0
    limit = _LABEL_LIMIT[format]
    for column in columns:
        name = column.name
        labels[name] = _cut(column.label or name, limit)
        measures[name] = "scale" if column.kind in ("int", "float", "timestamp") else "nominal"
        typed = (typed_attribute(column.values, format)
                 if column.role == "attribute" else None)
        if column.kind in ("flag", "bool"):
            frame[name], value_labels[name], declared = _flags(column, format)
            formats[name] = "F2.0" if declared else "F1.0"
            if declared:
                missing[name] = declared
        elif column.kind in ("float", "int"):
            frame[name] = [math.nan if v is None else float(v) for v in column.values]
        elif column.kind == "timestamp":
            frame[name] = pd.to_datetime(
                [None if v is None else v for v in column.values], utc=True).tz_localize(None)
        elif typed is not None and typed.values is not None:
            frame[name], measures[name] = typed.values, typed.measure
            if typed.labels:
                value_labels[name] = {value: _cut(text, _VALUE_LABEL_LIMIT[format])
                                      for value, text in typed.labels.items()}
            if typed.missing:
                missing[name] = typed.missing
            formats[name] = _number_format(typed.values, typed.decimals)
        else:
            texts = ["" if v is None else str(v) for v in column.values]
            if format == "sav":
                wide = [i for i, text in enumerate(texts)
                        if len(text) > SPSS_STRING // 4 and len(text.encode("utf-8")) > SPSS_STRING]
                for i in wide:
                    texts[i] = _cut(texts[i], SPSS_STRING)
                cut += len(wide)
            # object, not pandas' Arrow-backed "str": pyreadstat walks every cell in Python,
            # and an Arrow string array is several times slower to walk.
            frame[name] = pd.Series(texts, dtype=object)
    if format == "dta":
        _check_label_set_names(list(value_labels))
    data = pd.DataFrame(frame)
    with atomic_output(out) as partial:
        try:
            if format == "sav":
                pyreadstat.write_sav(data, str(partial), file_label=_cut(file_label, 64),
                                     column_labels=labels, variable_value_labels=value_labels,
                                     missing_ranges=missing, variable_measure=measures,
                                     variable_format=formats)
            else:
                pyreadstat.write_dta(data, str(partial), file_label=file_label[:80],
                                     column_labels=labels, variable_value_labels=value_labels,
                                     missing_user_values=missing)
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
            raise OutputError(f"cannot write {out}: {exc}",
                              hint="check the disk has space, or export to CSV or Parquet") from None
    return cut


def _number_format(values: list[Any], decimals: int) -> str:
    """An SPSS print format wide enough for every number in ``values`` (missing codes too)."""
    numbers = [v for v in values if isinstance(v, float) and v == v]
    whole = max((len(str(int(abs(v)))) + (v < 0) for v in numbers), default=1)
    return f"F{whole + decimals + (decimals > 0)}.{decimals}"


def _check_label_set_names(labelled: list[str]) -> None:
    """Refuse, before writing, a Stata file whose value-label names would not fit: pyreadstat
    names the labels of the n-th labelled variable after it plus ``n``, within Stata's 32
    characters (codewell's names leave room up to the thousandth labelled variable), and
    readstat's own error does not say which name."""
    for count, name in enumerate(labelled):
        if len(name) + len(str(count)) > STATA_NAME:
            raise OutputError(f"column {name}: Stata would name its value labels '{name}{count}', longer than "
                              f"its {STATA_NAME}-character limit ({len(labelled)} labelled columns)",
                              hint="export fewer coders at once (--coder NAME), or to CSV, Parquet or .sav")


def _flags(column: Column, format: str) -> tuple[list[Any], dict[Any, str], list[Any]]:
    """0/1 values with their labels; a missing code is declared missing with its reason."""
    if column.role == "code":
        names = {0: "not applied", 1: "applied"}
    else:
        names = {0: "no", 1: "yes"}
    values = column.values
    if all(v is not None for v in values):
        return [int(v) for v in values], names, []
    if column.role != "code":
        return [math.nan if v is None else int(v) for v in values], names, []
    if format == "sav":
        return ([SPSS_MISSING if v is None else int(v) for v in values],
                {**names, SPSS_MISSING: NOT_FINISHED}, [SPSS_MISSING])
    return ([STATA_MISSING if v is None else int(v) for v in values],
            {**names, STATA_MISSING: NOT_FINISHED}, [STATA_MISSING])


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
