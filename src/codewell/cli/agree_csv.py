"""``codewell agree CODINGS.csv``: agreement on any long-format table of codings.

The file has one row per unit, coder and value; an empty cell is a missing value. Reading is
checked before computing, so that every problem names the file, and where it can, the line and
the closest column name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from codewell.errors import CodewellError, DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean

NUMERIC_LEVELS = ("ordinal", "interval", "ratio")


# The agreement functions' parameter names, as the options a user passes them by.
_OPTIONS = {"n_categories": "--categories", "method": "--percent", "level": "--level"}


def agree_csv(path: Path, unit: str, coder: str, value: str, level: str = "nominal",
              ci: bool = False, as_json: bool = False, *, seed: int = 0, n_boot: int = 1000,
              confidence: float = 0.95, percent: str = "pairwise",
              n_categories: int | None = None) -> int:
    """Read ``path``, compute every applicable coefficient, print JSON or a table; returns 0.

    Raises CodewellError (DataFileError, UnknownNameError, AgreementError) for bad input.
    """
    from codewell.agreement import long_table_agreement
    from codewell.cli.agree_render import render_table_agreement
    from codewell.cli.output import emit_json

    frame = read_codings(path, unit, coder, value, level)
    try:
        result = long_table_agreement(frame, unit, coder, value, level=level, ci=ci, seed=seed,
                                      n_boot=n_boot, confidence=confidence, percent=percent,
                                      n_categories=n_categories)
    except CodewellError as exc:
        raise type(exc)(f"{path}: {exc.message}", exc.hint) from None
    except ValueError as exc:  # the library names its parameters; the user typed the options
        message = str(exc)
        for parameter, option in _OPTIONS.items():
            if message.startswith(f"{parameter}: "):
                message = f"{option}: {message[len(parameter) + 2:]}"
        raise DataFileError(f"{path}: {message}") from None
    if as_json:
        emit_json(result.to_dict())
    else:
        typer.echo(render_table_agreement(result, str(path)))
    return 0


def read_codings(path: Path, unit: str, coder: str, value: str, level: str) -> Any:
    """The three columns of ``path`` as a DataFrame; values are numbers at ordered levels, and at
    the nominal level when every value is a number, else text.

    pyarrow's CSV reader does the work: it reads in parallel, dictionary-encodes the unit and
    coder columns as it goes (the factorisation the table needs) and infers numeric values.
    """
    import pyarrow as pa
    from pyarrow import csv

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    columns = _header(path)
    for name in dict.fromkeys((unit, coder, value)):
        if name not in columns:
            raise UnknownNameError(f"{path}: no column {name!r} (columns: {', '.join(columns)})",
                                   did_you_mean(name, columns))
    label = pa.dictionary(pa.int32(), pa.string())
    options = csv.ConvertOptions(
        include_columns=list(dict.fromkeys((unit, coder, value))),
        column_types={unit: pa.string(), coder: label}, null_values=[""], strings_can_be_null=True)
    try:
        frame = csv.read_csv(path, convert_options=options).to_pandas()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None
    if level in NUMERIC_LEVELS:
        frame[value] = _numeric(frame[value], path, value, level)
    return frame


def _header(path: Path) -> list[str]:
    import pandas as pd

    try:
        return [str(c) for c in pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns]
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise DataFileError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None


def _numeric(column: Any, path: Path, name: str, level: str) -> Any:
    """The column as numbers; the first non-number is an error naming its line."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.astype(float)
    text = column.astype("string").str.strip()
    numbers = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
    bad = numbers.isna() & text.notna() & (text != "")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataFileError(
            f"{path}, line {row + 2}: {name} {column.iloc[row]!r} is not a number",
            f"the {level} level needs numeric values; use --level nominal for categories")
    return numbers


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
