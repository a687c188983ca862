"""SPSS (``.sav``) and Stata (``.dta``) files of the coded dataset, with their labels, via pyreadstat.

What an analyst opening the file gets without any cleaning:

* variable labels: the code labels, the survey's own column headers;
* value labels on every code column: ``0 = not applied``, ``1 = applied``;
* declared missing: a response the coder has not finished is a *user-missing* ``-1`` in SPSS and
  the extended missing ``.a`` in Stata, both labelled "not finished by the coder", so means and
  frequencies skip it while the reason stays visible;
* attributes with few distinct values (profession, setting) as labelled categorical variables
  (``1 = Radiographer`` ...); free-text attributes stay strings.

Column names come from :mod:`codewell.io.variable_names`, which already fit both formats (and
leave room for the counter pyreadstat appends to a Stata variable's value-label name).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codewell.errors import OutputError
from codewell.io.atomic_file import atomic_output

if TYPE_CHECKING:
    from codewell.io.export_columns import Column

NOT_FINISHED = "not finished by the coder"
SPSS_MISSING = -1
STATA_MISSING = "a"
STATA_NAME = 32  # Stata's limit on variable and value-label names
MAX_CATEGORIES = 30
_LABEL_LIMIT = {"sav": 256, "dta": 80}  # variable labels, in UTF-8 bytes
_VALUE_LABEL_LIMIT = {"sav": 120, "dta": 32_000}


def write_stats_file(columns: list[Column], out: Path, format: str) -> None:
    """Write ``columns`` to ``out`` as ``sav`` or ``dta``, privately and atomically."""
    import pandas as pd
    import pyreadstat

    frame: dict[str, Any] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, list[Any]] = {}
    limit = _LABEL_LIMIT[format]
    for column in columns:
        labels[column.name] = _cut(column.label or column.name, limit)
        if column.kind in ("flag", "bool"):
            frame[column.name], value_labels[column.name], declared = _flags(column, format)
            if declared:
                missing[column.name] = declared
        elif column.kind in ("float", "int"):
            frame[column.name] = [math.nan if v is None else float(v) for v in column.values]
        elif column.kind == "timestamp":
            frame[column.name] = pd.to_datetime(
                [None if v is None else v for v in column.values], utc=True).tz_localize(None)
        elif column.role == "attribute" and _is_categorical(column.values):
            frame[column.name], names = _categories(column.values)
            value_labels[column.name] = {number: _cut(text, _VALUE_LABEL_LIMIT[format])
                                         for number, text in names.items()}
        else:
            # object, not pandas' Arrow-backed "str": pyreadstat walks every cell in Python,
            # and an Arrow string array is several times slower to walk.
            frame[column.name] = pd.Series(["" if v is None else str(v) for v in column.values],
                                           dtype=object)
    if format == "dta":
        _check_label_set_names(list(value_labels))
    data = pd.DataFrame(frame)
    with atomic_output(out) as partial:
        try:
            if format == "sav":
                pyreadstat.write_sav(data, str(partial), column_labels=labels,
                                     variable_value_labels=value_labels, missing_ranges=missing)
            else:
                pyreadstat.write_dta(data, str(partial), column_labels=labels,
                                     variable_value_labels=value_labels,
                                     missing_user_values=missing)
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
            raise OutputError(f"cannot write {out}: {exc}",
                              hint="check the disk has space, or export to CSV or Parquet") from None


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


def _is_categorical(values: list[Any]) -> bool:
    """Few distinct values, each used on average at least twice: a category, not free text."""
    present = [v for v in values if v not in (None, "")]
    distinct = set(present)
    return bool(present) and len(distinct) <= MAX_CATEGORIES and len(distinct) * 2 <= len(present)


def _categories(values: list[Any]) -> tuple[list[float], dict[int, str]]:
    """Numbers 1..k in sorted order of the values, labelled with them; blanks are missing."""
    order = sorted({v for v in values if v not in (None, "")}, key=lambda v: (str(v).casefold(), v))
    number = {value: i for i, value in enumerate(order, start=1)}
    return ([math.nan if v in (None, "") else float(number[v]) for v in values],
            {i: str(value) for value, i in number.items()})


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
