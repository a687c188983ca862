"""``codewell agree CODINGS.csv``: agreement on any long-format table of codings.

The file has one row per unit, coder and value; an empty cell is a missing value. Reading is
checked before computing, so that every problem names the file, and where it can, the line and
the closest column name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from codewell.errors import AgreementError, CodewellError, DataFileError, UnknownNameError
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
    from codewell.agreement.planning import table_warnings
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
    warnings = table_warnings(result)
    if as_json:
        emit_json({**result.to_dict(), "warnings": warnings})
    else:
        typer.echo(render_table_agreement(result, str(path)))
        if warnings:
            typer.echo("\nWarnings\n" + "\n".join(f"  ! {warning}" for warning in warnings))
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
    if path.is_dir():
        raise DataFileError(f"{path} is a folder, not a codings file")
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    delimiter = _delimiter(path)
    columns = _header(path, delimiter)
    _distinct_columns(path, {"--unit": unit, "--coder": coder, "--value": value})
    for name in dict.fromkeys((unit, coder, value)):
        if name not in columns:
            raise UnknownNameError(f"{path}: no column {name!r} (columns: {', '.join(columns)})",
                                   did_you_mean(name, columns))
    label = pa.dictionary(pa.int32(), pa.string())
    options = csv.ConvertOptions(
        include_columns=list(dict.fromkeys((unit, coder, value))),
        column_types={unit: pa.string(), coder: label}, null_values=[""], strings_can_be_null=True)
    try:
        frame = csv.read_csv(path, parse_options=csv.ParseOptions(delimiter=delimiter),
                             convert_options=options).to_pandas()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None
    names = list(dict.fromkeys((unit, coder, value)))
    frame = frame[frame[names].notna().any(axis=1)]  # a spreadsheet's trailing ",," rows
    lines = _Lines(path, delimiter)
    _named_rows(frame, path, lines, {"unit": unit, "coder": coder})
    if level in NUMERIC_LEVELS:
        frame[value] = _numeric(frame[value], path, value, level, lines)
    _one_value_per_cell(frame, path, unit, coder, value)
    return frame


def _one_value_per_cell(frame: Any, path: Path, unit: str, coder: str, value: str) -> None:
    """Reliability data has one value per unit and coder. Two rows giving one are either the
    same row twice or, most often, a project's codings (one row per code applied), which
    ``agree PROJECT --coders`` compares code by code."""
    given = frame[frame[value].notna()]
    repeated = given.duplicated([unit, coder], keep=False)
    if not repeated.any():
        return
    first = given[repeated].iloc[0]
    same = given[repeated & (given[unit] == first[unit]) & (given[coder] == first[coder])][value]
    shown = list(dict.fromkeys(map(str, same)))
    if len(shown) == 1:
        raise DataFileError(f"{path}: the row {first[unit]}, {first[coder]}, {shown[0]} appears "
                            f"{len(same)} times (one value per unit and coder)",
                            hint="remove the repeated rows")
    raise AgreementError(
        f"{path}: coder {str(first[coder])!r} gave unit {str(first[unit])!r} more than one value "
        f"({', '.join(repr(v) for v in shown[:3])}{', ...' if len(shown) > 3 else ''}); "
        "reliability data has one value per unit and coder",
        hint="codings with several codes per response: codewell import PROJECT FILE --codings, "
             "then codewell agree PROJECT --coders A,B")


def _delimiter(path: Path) -> str:
    """Tab for a .tsv file; else as a survey export's is found (comma, semicolon from a
    comma-decimal locale, or tab: whichever splits the header most outside quotes)."""
    from codewell.io.sources import sniff_delimiter

    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open("rb") as handle:
        first = handle.readline(65536).decode("utf-8", errors="replace")
    return sniff_delimiter(first)


def _distinct_columns(path: Path, options: dict[str, str]) -> None:
    """Two options naming one column would read the same cells as, e.g., both unit and coder."""
    seen: dict[str, str] = {}
    for option, name in options.items():
        if name in seen:
            raise DataFileError(f"{path}: {seen[name]} and {option} both name the column {name!r}",
                                hint="each needs its own column, e.g. --unit id --coder coder --value code")
        seen[name] = option


def _header(path: Path, delimiter: str = ",") -> list[str]:
    import pandas as pd

    try:
        return [str(c) for c in pd.read_csv(path, nrows=0, encoding="utf-8-sig", sep=delimiter).columns]
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise DataFileError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None


class _Lines:
    """The file line each data row starts on, worked out only when an error needs one: a quoted
    answer may span lines and blank lines are skipped, so a row's position is not its line."""

    def __init__(self, path: Path, delimiter: str) -> None:
        self._path, self._delimiter = path, delimiter
        self._starts: list[int] | None = None

    def of(self, row: int) -> int:
        if self._starts is None:
            import csv

            starts = []
            with self._path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle, delimiter=self._delimiter)
                ended = 0
                for cells in reader:
                    if cells:  # pyarrow skips empty lines, as csv yields them: []
                        starts.append(ended + 1)
                    ended = reader.line_num
            self._starts = starts[1:]  # the header
        return self._starts[row] if row < len(self._starts) else row + 2


def _named_rows(frame: Any, path: Path, lines: _Lines, columns: dict[str, str]) -> None:
    """Every row with a value or a name in it needs its unit and coder: a value nobody gave, or
    given to no unit, cannot be placed in the table."""
    for label, name in columns.items():
        empty = frame[name].isna()
        if empty.any():
            row = int(frame.index[empty.to_numpy().nonzero()[0][0]])
            raise DataFileError(f"{path}, line {lines.of(row)}: the {label} ({name}) is empty",
                                f"every row needs a {label}; a row with nothing in it is skipped")


def _numeric(column: Any, path: Path, name: str, level: str, lines: _Lines) -> Any:
    """The column as numbers; the first non-number is an error naming its line."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.astype(float)
    text = column.astype("string").str.strip()
    numbers = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
    bad = numbers.isna() & text.notna() & (text != "")
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise DataFileError(
            f"{path}, line {lines.of(int(column.index[position]))}: {name} "
            f"{column.iloc[position]!r} is not a number",
            f"the {level} level needs numeric values; use --level nominal for categories")
    return numbers


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
