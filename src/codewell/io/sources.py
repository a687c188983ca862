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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from codewell.errors import DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other old Office files)
# Files people pick by mistake, told by their first bytes: read as text, a PDF's lines were
# imported as four responses, and an image or a codewell project failed on a row or a NUL byte.
_NOT_SURVEYS = (
    (b"%PDF", "a PDF document"), (b"{\\rtf", "an RTF document"), (b"SQLite format 3\x00", "a database (a codewell "
     "project, perhaps), not a survey export"), (b"\x89PNG", "an image"), (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {";": "semicolons", "\t": "tabs"}
_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_PANDAS_EOF = re.compile(r"EOF inside string starting at row (\d+)")
_SNIFF_BYTES = 512  # bytes looked at to recognise UTF-16 or UTF-32 without a byte-order mark
_WIDE_SHARE = 0.75  # share of those characters that must be ASCII-like (non-Latin text lowers it)


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
    for magic, what in _NOT_SURVEYS:
        if data.startswith(magic):
            raise DataFileError(f"{path}: {what}" + ("" if "survey" in what else ", not a survey export"),
                                "export the responses as CSV UTF-8 or .xlsx and import that")
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
    "CSV" export writes on Windows. UTF-16 and UTF-32 (Excel's "Unicode text", some database
    exports) are recognised by their byte-order mark or, without one, by where the NUL bytes of
    their ASCII characters fall; any other NUL byte means the file is not text.
    """
    wide = _wide_encoding(data)
    if wide is not None:
        return _decode_wide(path, data, wide)
    if data.count(b"\x00") > max(16, len(data) // 100):  # a few NULs: named by row once parsed
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


def _wide_encoding(data: bytes) -> str | None:
    """"utf-32"/"utf-16" (with a byte-order mark), "utf-32-le" ... (without one), or None.

    Without a mark, the first few hundred bytes decide: in UTF-32 every character of a header
    line has three NUL bytes, in UTF-16 one, always at the same offsets; UTF-8 text has none.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:_SNIFF_BYTES]
    if b"\x00" not in head:
        return None
    for width, encodings in ((4, ("utf-32-le", "utf-32-be")), (2, ("utf-16-le", "utf-16-be"))):
        usable = len(head) - len(head) % width
        if usable < width:
            continue
        units = [head[i:i + width] for i in range(0, usable, width)]
        pad = b"\x00" * (width - 1)
        if _share(units, lambda unit: unit[1:] == pad and unit[:1] != b"\x00") >= _WIDE_SHARE:
            return encodings[0]
        if _share(units, lambda unit: unit[:-1] == pad and unit[-1:] != b"\x00") >= _WIDE_SHARE:
            return encodings[1]
    return None


def _share(units: list[bytes], test: Callable[[bytes], bool]) -> float:
    return sum(map(test, units)) / len(units)


def _decode_wide(path: Path, data: bytes, encoding: str) -> tuple[str, str, tuple[str, ...]]:
    family = "UTF-32" if encoding.startswith("utf-32") else "UTF-16"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{path}: looks like {family} text but is not valid {family} (at byte {exc.start})",
            "export the survey as CSV UTF-8 or .xlsx",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]  # only the "utf-16"/"utf-32" codecs remove their own mark
    what = "Excel 'Unicode text'" if family == "UTF-16" else "rarely used for CSV"
    marked = "" if encoding in ("utf-16", "utf-32") else ", without a byte-order mark"
    return text, encoding, (f"read as {family} ({what}{marked})",)


def sniff_delimiter(text: str) -> str:
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


def _header_ends_in_cr(body: str) -> bool:
    """Whether the header line ends in a lone carriage return (classic Mac line ends)."""
    ends = [at for at in (body.find("\r"), body.find("\n")) if at != -1]
    header_end = min(ends, default=-1)
    return header_end != -1 and body[header_end] == "\r" and body[header_end + 1:header_end + 2] != "\n"


def _rows_end_in_cr(body: str) -> bool:
    """Whether rows end in a lone carriage return (as some survey tools still write) while line
    feeds appear too. Those line feeds are line breaks inside answers, often unquoted: read as
    row ends, they split an answer into two rows."""
    return _header_ends_in_cr(body) and "\n" in body and "\r\n" not in body


def _load_csv(path: Path, data: bytes) -> Grid:
    import pandas as pd

    text, encoding, notes = _decode(path, data)
    body = text.lstrip("\r\n")
    if not body.strip():
        raise DataFileError(f"{path}: has no header row and no rows (only a byte-order mark "
                            "or blank lines)", "export the survey again; the file is empty")
    skipped = text[: len(text) - len(body)]
    leading = skipped.count("\n") + skipped.count("\r") - skipped.count("\r\n")
    delimiter = sniff_delimiter(body)
    if delimiter != ",":
        notes = (*notes, f"columns are separated by {_DELIMITER_NAMES[delimiter]}")
    cr_rows = _rows_end_in_cr(body)
    if cr_rows:
        notes = (*notes, "rows end in a carriage return (classic Mac line ends): line feeds inside "
                         "answers are kept as line breaks")
    if encoding.startswith(("utf-16", "utf-32")):
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
            lineterminator="\r" if cr_rows else None,
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(path, str(exc), leading) from None
    columns = tuple(frame[name].tolist() for name in frame.columns)
    if "\x00" in body:
        _refuse_nul(path, columns, 1 + leading)
    return Grid(columns, 1 + leading, encoding, "csv", None, notes)


def _refuse_nul(path: Path, columns: tuple[list[str], ...], first_row: int) -> None:
    """A NUL character in a cell: refused on every storage engine (PostgreSQL cannot store it)."""
    for column_index, column in enumerate(columns):
        for row_index, cell in enumerate(column):
            if "\x00" in cell:
                raise DataFileError(
                    f"{path}, row {first_row + row_index}: column {column_index + 1} holds a NUL "
                    "character, which is not text; refusing the file",
                    "remove the NUL characters (a damaged or binary export) and import again",
                )


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
    return DataFileError(f"{path}: not a readable CSV file ({' '.join(message.split())})")


def _load_xlsx(path: Path, data: bytes, sheet: str | None) -> Grid:
    """Read one sheet of a workbook, after :func:`_check_workbook` has vetted the archive."""
    from openpyxl import load_workbook

    _check_workbook(path, data)
    try:
        # From memory, because openpyxl refuses a path whose extension is not an Excel one.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _xlsx_errors() as exc:
        raise DataFileError(f"{path}: not a readable Excel workbook ({_reason(exc)})") from None
    sheet_names = list(workbook.sheetnames)
    name = sheet or (sheet_names[0] if sheet_names else "")
    try:
        if not sheet_names:
            raise DataFileError(f"{path}: the workbook has no sheets")
        name = _choose_sheet(path, sheet, sheet_names)
        worksheet = workbook[name]
        worksheet.reset_dimensions()  # some writers record a wrong used range; read every cell
        cells = worksheet.iter_rows(values_only=True)
        rows = [[_cell_text(value) for value in row] for row in cells]
        unsaved = _formulas_without_values(data, getattr(worksheet, "_worksheet_path", ""))
    except _xlsx_errors() as exc:
        raise DataFileError(f"{path}: sheet '{name}' cannot be read ({_reason(exc)})") from None
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
    if any("\x00" in cell for column in columns for cell in column):
        _refuse_nul(path, columns, 1 + leading)
    notes: tuple[str, ...] = ()
    if len(sheet_names) > 1 and sheet is None:  # with --sheet the user chose; no advice to choose
        notes = (f"read sheet '{name}' ({len(sheet_names)} sheets; pass --sheet to choose)",)
    if unsaved:
        notes += (f"{unsaved} cell{'s' if unsaved != 1 else ''} of sheet '{name}' "
                  f"{'hold' if unsaved != 1 else 'holds'} a formula with no saved value, read as empty "
                  "(a workbook written by a program, never opened in a spreadsheet); open it in Excel "
                  "or LibreOffice, save it, and import again",)
    return Grid(columns, 1 + leading, "utf-8", "xlsx", name, notes)


# A cell whose formula is followed by no value, or an empty one: written by a program that
# computes nothing (openpyxl, many exporters); openpyxl then reads the cell as empty.
_UNSAVED_FORMULA = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


def _formulas_without_values(data: bytes, member: str) -> int:
    """How many cells of the sheet part ``member`` hold a formula with no saved value."""
    if not member:
        return 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(member.lstrip("/"))
        except KeyError:  # openpyxl found the sheet by another name: no count, not an error
            return 0
    return len(_UNSAVED_FORMULA.findall(xml)) if b"<f" in xml else 0


def _check_workbook(path: Path, data: bytes) -> None:
    """Refuse a zip bomb or a DTD in any part of the workbook before openpyxl reads it.

    openpyxl parses with entity expansion off when defusedxml is installed (a runtime
    dependency), but its parser is chosen at import time by code we do not own; these checks do
    not depend on it, and they bound sizes, which no parser setting does.
    """
    from codewell.io.xml_safety import check_members, scan_xml_members

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_members(archive, str(path), DataFileError)
            _refuse_other_archives(path, archive.namelist())
            scan_xml_members(archive, str(path), DataFileError)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise DataFileError(f"{path}: not a readable Excel workbook ({exc})") from None


def _refuse_other_archives(path: Path, names: list[str]) -> None:
    """A zip that is no workbook (a zipped export, a Word document) named as what it is: "not a
    readable Excel workbook (There is no item named '[Content_Types].xml')" left the user to
    guess."""
    if "xl/workbook.xml" in names:
        return
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise DataFileError(f"{path}: a {'Word' if 'word/document.xml' in names else 'PowerPoint'} document, "
                            "not a survey export", "export the responses as CSV UTF-8 or .xlsx and import that")
    files = [name for name in names if not name.endswith("/")]
    inside = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    raise DataFileError(f"{path}: a zip archive ({inside or 'empty'}), not an Excel workbook",
                        "unzip it and import the survey export inside (CSV, TSV or .xlsx)")


def _xlsx_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl and the XML parsers under it raise for a damaged or hostile workbook.

    Asked for lazily, because the parsers are heavy imports for the CLI's start-up.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from lxml.etree import LxmlError
    from openpyxl.utils.exceptions import InvalidFileException

    # LookupError: an XML declaration naming an encoding Python does not know ("ATF-8")
    return (zipfile.BadZipFile, zipfile.LargeZipFile, InvalidFileException, KeyError, ValueError,
            TypeError, IndexError, AttributeError, OSError, EOFError, NotImplementedError,
            LookupError, ParseError, LxmlError, DefusedXmlException)


def _reason(exc: BaseException) -> str:
    """A parser's complaint on one short line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


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


# -- reading a large CSV a block of rows at a time ---------------------------------------------
_SCAN_BYTES = 2**21  # bytes decoded at a time while checking that a file is clean UTF-8
_HEAD_BYTES = 2**20  # the header line must end within this many bytes to stream the file


class NotStreamable(Exception):
    """The file is not one the chunked reader takes as it comes (another encoding, a NUL byte, a
    workbook, a damaged row, a repeated id ...): read it whole instead, which gives the same
    result or the same error message. Never shown to the user."""


@dataclass(frozen=True)
class CsvStream:
    """A clean UTF-8 CSV file, checked end to end, ready to be parsed a block of rows at a time.

    ``start`` is the byte offset of the header line (after a byte-order mark and blank lines);
    grids come with the same encoding, notes and row numbers :func:`load_grid` gives.
    """

    path: Path
    start: int
    first_row: int
    delimiter: str
    encoding: str
    notes: tuple[str, ...]

    def grids(self, chunk_rows: int) -> Iterator[Grid]:
        """Consecutive grids of at most ``chunk_rows`` rows; memory follows one block, not the file."""
        import pandas as pd

        with self.path.open("rb") as handle:
            handle.seek(self.start)
            offset = 0
            try:
                with pd.read_csv(handle, encoding="utf-8", sep=self.delimiter, header=None, dtype=object,
                                 na_filter=False, skip_blank_lines=False, engine="c",
                                 chunksize=chunk_rows) as reader:
                    for frame in reader:
                        columns = tuple(frame[name].tolist() for name in frame.columns)
                        yield Grid(columns, self.first_row + offset, self.encoding, "csv", None, self.notes)
                        offset += len(frame)
            except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError):
                raise NotStreamable from None


def open_csv_stream(path: Path) -> CsvStream:
    """Check ``path`` is a UTF-8 CSV without NUL bytes, a block at a time, and say how to parse it.

    Raises :class:`NotStreamable` for anything else; :func:`load_grid` then reads the file whole
    and gives its usual result or error. The scan holds one block in memory, never the file.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if (head.startswith((_ZIP_MAGIC, _OLE_MAGIC, *(magic for magic, _ in _NOT_SURVEYS)))
                    or _wide_encoding(head) is not None):
                raise NotStreamable
            decoder = codecs.getincrementaldecoder("utf-8")()
            block = head
            while block:
                if b"\x00" in block:
                    raise NotStreamable
                decoder.decode(block)
                block = handle.read(_SCAN_BYTES)
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        raise NotStreamable from None
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    text = codecs.getincrementaldecoder("utf-8")().decode(head[bom:])
    body = text.lstrip("\r\n")
    if not body.strip() or ("\n" not in body and "\r" not in body) or _header_ends_in_cr(body):
        raise NotStreamable  # classic Mac line ends: the whole-file reader tells line feeds apart
    skipped = text[: len(text) - len(body)]
    leading = skipped.count("\n") + skipped.count("\r") - skipped.count("\r\n")
    delimiter = sniff_delimiter(body)
    notes: tuple[str, ...] = ("read as UTF-8 with a byte-order mark (Excel 'CSV UTF-8')",) if bom else ()
    if delimiter != ",":
        notes = (*notes, f"columns are separated by {_DELIMITER_NAMES[delimiter]}")
    return CsvStream(path, bom + len(skipped), 1 + leading, delimiter, "utf-8-sig" if bom else "utf-8", notes)
