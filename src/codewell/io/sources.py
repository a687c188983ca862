"""Turn a spreadsheet-like file (CSV or XLSX) into a grid of exact text cells.

Survey exports arrive from Excel, Qualtrics, SurveyMonkey and Google Forms in a handful of
encodings and two container formats. Everything downstream (layout detection, column choice,
ids) wants the same thing: every cell as the string the user sees, and the spreadsheet row number
of every grid row, so errors can say "row 57". This module owns that step and nothing else.

Text is never altered: CSV files are decoded by us and parsed from memory, so ``\\r\\n`` inside a
quoted field stays ``\\r\\n`` and ``\\n`` stays ``\\n``; "NA", "007" and "" stay as they are.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from codewell.errors import DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other old Office files)
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {";": "semicolons", "\t": "tabs"}
_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_PANDAS_EOF = re.compile(r"EOF inside string starting at row (\d+)")


@dataclass(frozen=True)
class Grid:
    """A rectangular table of text cells, column by column, as the file holds it.

    ``columns[c][r]`` is the cell in column ``c`` of grid row ``r``; grid row ``r`` is spreadsheet
    row ``first_row + r`` (1-based, as Excel numbers it). Nothing has been treated as a header yet.
    """

    columns: tuple[list[str], ...]
    first_row: int
    encoding: str
    kind: str  # "csv" or "xlsx"
    sheet: str | None
    notes: tuple[str, ...]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def row(self, index: int) -> list[str]:
        return [column[index] for column in self.columns]


def load_grid(path: Path, *, sheet: str | None = None) -> Grid:
    """Read ``path`` (CSV, TSV or XLSX, told apart by content, not by name) into a :class:`Grid`."""
    data = _read_bytes(path)
    if data.startswith(_ZIP_MAGIC):
        return _load_xlsx(path, data, sheet)
    if data.startswith(_OLE_MAGIC):
        raise DataFileError(
            f"{path}: an old-style Excel .xls file or a password-protected workbook,"
            " which codewell cannot read",
            "save it as .xlsx (without a password) or as CSV UTF-8 and import that",
        )
    if sheet is not None:
        raise DataFileError(
            f"{path}: a sheet was given, but this is a CSV file, which has no sheets",
            "leave out the sheet, or import the .xlsx workbook",
        )
    return _load_csv(path, data)


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise DataFileError(f"{path}: is a folder, not a data file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise DataFileError(f"{path}: the file is empty")
    return data


def _decode(path: Path, data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """The file's text, the encoding it was read as, and what to tell the user about it.

    UTF-8 (with or without a byte-order mark) is tried first and strictly, because a file that
    decodes as UTF-8 almost surely is; otherwise Windows-1252, which is what Excel's plain
    "CSV" export writes on Windows. Excel's "Unicode text" (UTF-16 with a mark) is read too.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(path, data)
    if b"\x00" in data:
        raise DataFileError(
            f"{path}: not a text file (it contains NUL bytes)",
            "export the survey as CSV UTF-8 or .xlsx",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if data.startswith(codecs.BOM_UTF8):
            return text, "utf-8-sig", ("read as UTF-8 with a byte-order mark (Excel 'CSV UTF-8')",)
        return text, "utf-8", ()
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            f"{path}, line {line}: not UTF-8 or Windows-1252 text (byte 0x{data[exc.start]:02x})",
            "export the survey as CSV UTF-8 or .xlsx",
        ) from None
    return text, "cp1252", ("read as Windows-1252 (an Excel export): the file is not UTF-8",)


def _decode_utf16(path: Path, data: bytes) -> tuple[str, str, tuple[str, ...]]:
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: starts like UTF-16 text but is not valid UTF-16") from None
    return text, "utf-16", ("read as UTF-16 (Excel 'Unicode text')",)


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (European Excel) or tab: whichever splits the header line most.

    Only delimiters outside double quotes count, so a quoted header "Age; years" stays one name.
    """
    end = len(text)
    for terminator in ("\n", "\r"):
        found = text.find(terminator)
        if found != -1:
            end = min(end, found)
    unquoted = "".join(text[:end].split('"')[::2])
    counts = {delimiter: unquoted.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _load_csv(path: Path, data: bytes) -> Grid:
    import pandas as pd

    text, encoding, notes = _decode(path, data)
    body = text.lstrip("\r\n")
    skipped = text[: len(text) - len(body)]
    leading = skipped.count("\n") + skipped.count("\r") - skipped.count("\r\n")
    delimiter = _sniff_delimiter(body)
    if delimiter != ",":
        notes = (*notes, f"columns are separated by {_DELIMITER_NAMES[delimiter]}")
    if encoding == "utf-16":
        source: io.IOBase = io.StringIO(body)
    else:
        # pandas parses bytes faster than a str; both encodings spend one byte per "\r" or "\n"
        start = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        source = io.BytesIO(data[start + len(skipped) :])
    try:
        frame = pd.read_csv(
            source,
            encoding="cp1252" if encoding == "cp1252" else "utf-8",
            sep=delimiter,
            header=None,
            dtype=object,  # plain Python str cells; pandas' string dtype costs a conversion
            na_filter=False,  # nothing is missing: "NA", "null" and "" stay text
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(path, str(exc), leading) from None
    columns = tuple(frame[name].tolist() for name in frame.columns)
    return Grid(columns, 1 + leading, encoding, "csv", None, notes)


def _parser_error(path: Path, message: str, leading: int) -> DataFileError:
    """pandas' tokenizer message, in the user's row numbers and words."""
    fields = _PANDAS_FIELDS.search(message)
    if fields:
        expected, row, saw = (int(group) for group in fields.groups())
        return DataFileError(
            f"{path}, row {row + leading}: {saw} cells, but the first row has {expected}",
            "a text cell containing the separator must be in double quotes",
        )
    eof = _PANDAS_EOF.search(message)
    if eof:
        row = int(eof.group(1)) + 1 + leading
        return DataFileError(
            f"{path}, row {row}: a double quote opens a cell that is never closed",
            'a quote inside a quoted cell is written twice: ""',
        )
    return DataFileError(f"{path}: not a readable CSV file ({message.strip()})")


def _load_xlsx(path: Path, data: bytes, sheet: str | None) -> Grid:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # From memory, because openpyxl refuses a path whose extension is not an Excel one.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise DataFileError(f"{path}: not a readable Excel workbook ({exc})") from None
    sheet_names = list(workbook.sheetnames)
    try:
        name = _choose_sheet(path, sheet, sheet_names)
        worksheet = workbook[name]
        worksheet.reset_dimensions()  # some writers record a wrong used range; read every cell
        cells = worksheet.iter_rows(values_only=True)
        rows = [[_cell_text(value) for value in row] for row in cells]
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    leading = 0
    while leading < len(rows) and not any(rows[leading]):
        leading += 1
    rows = rows[leading:]
    if not rows:
        raise DataFileError(f"{path}: sheet '{name}' is empty")
    width = max(len(row) for row in rows)
    columns = tuple([row[c] if c < len(row) else "" for row in rows] for c in range(width))
    notes = ()
    if len(sheet_names) > 1:
        notes = (f"read sheet '{name}' ({len(sheet_names)} sheets; pass --sheet to choose)",)
    return Grid(columns, 1 + leading, "utf-8", "xlsx", name, notes)


def _choose_sheet(path: Path, sheet: str | None, names: list[str]) -> str:
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    folded = [name for name in names if name.casefold() == sheet.casefold()]
    if len(folded) == 1:
        return folded[0]
    listing = ", ".join(f"'{name}'" for name in names)
    hint = did_you_mean(sheet, names)
    raise UnknownNameError(f"{path}: no sheet '{sheet}' (the sheets are {listing})", hint)


def _cell_text(value: object) -> str:
    """A cell as the text a person reads in Excel, so ids like 12 come out "12", not "12.0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)
