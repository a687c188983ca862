"""A small streaming XLSX writer: plain sheets of text, numbers and date-times, written fast.

openpyxl spends about 10 µs of Python per cell, so the long layout of 100,000 responses (several
million cells) took over a minute. A worksheet is just XML in a zip, so rows are written here as
strings straight into the zip stream. Every text is an inline string cell, which a spreadsheet
never evaluates, whatever it starts with. XML cannot carry control characters other than tab,
newline and carriage return: a vertical tab or form feed ends a line where it came from (Word
writes its manual line break as a vertical tab) and becomes a line break, the others are dropped,
and such cells are counted so the export can say so. A carriage return is written as a character
reference so CRLF text survives XML's line-end normalisation. Excel's limits are enforced with a
clear error. A text longer than Excel's 32,767 characters per cell is written whole (other
readers take it all), and counted, so the export can say that Excel will cut it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from codewell.errors import CodewellError

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767  # Excel's limit on a cell's text, in UTF-16 code units
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Dropped, a vertical tab or form feed between two words would run them together.
_LINE_ENDS = str.maketrans("\x0b\x0c", "\n\n")
_EPOCH = datetime(1899, 12, 30)
_DATE_STYLE = 1


@dataclass
class WorkbookNotes:
    """What a workbook could not hold as given, counted as it is written, for the summary."""

    too_long: int = 0  # text cells longer than Excel shows (MAX_CELL_CHARS)
    controls: int = 0  # text cells with control characters XML cannot carry (see the module)


def column_letters(n: int) -> list[str]:
    """``A``, ``B``, ... ``AA`` ... for the first ``n`` columns."""
    letters = []
    for index in range(1, n + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def write_workbook(path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
                   ) -> WorkbookNotes:
    """Write ``(name, header, rows)`` sheets to ``path``; a cell is str, int, float, datetime or None.

    ``rows`` may be a generator; it is consumed once, row by row.
    """
    notes = WorkbookNotes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        # The package parts first, as Office writes them; some readers look for them there.
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _workbook([name for name, _, _ in sheets]))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        archive.writestr("xl/styles.xml", _STYLES)
        for index, (name, header, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{index}.xml", "w") as handle:
                _write_sheet(handle, name, header, rows, notes)
    return notes


def _write_sheet(handle: Any, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                 notes: WorkbookNotes) -> None:
    if len(header) > MAX_COLUMNS:
        raise CodewellError(f"sheet '{name}' would have {len(header)} columns; Excel holds "
                            f"at most {MAX_COLUMNS:,}", hint="export to CSV or Parquet instead")
    letters = column_letters(len(header))
    handle.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  f'<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
                  '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                  '</sheetView></sheetViews><sheetData>').encode())
    chunk: list[str] = [_row(1, header, letters, notes)]
    number = 1
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise CodewellError(f"sheet '{name}' would have more than {MAX_ROWS:,} rows, "
                                "Excel's limit", hint="export to CSV or Parquet instead")
        chunk.append(_row(number, row, letters, notes))
        if len(chunk) >= 2000:
            handle.write("".join(chunk).encode("utf-8"))
            chunk = []
    chunk.append("</sheetData></worksheet>")
    handle.write("".join(chunk).encode("utf-8"))


def _row(number: int, values: Sequence[Any], letters: list[str], notes: WorkbookNotes) -> str:
    """One ``<row>``, its texts counted in ``notes`` where Excel will not show them as given."""
    cells = []
    for letter, value in zip(letters, values):
        if value is None or value == "":
            continue
        ref = f"{letter}{number}"
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS // 2 and len(value.encode("utf-16-le")) > 2 * MAX_CELL_CHARS:
                notes.too_long += 1
            if _ILLEGAL.search(value):
                notes.controls += 1
                value = _ILLEGAL.sub("", value.translate(_LINE_ENDS))
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                         f"{_text(value)}</t></is></c>")
        elif isinstance(value, bool):
            cells.append(f'<c r="{ref}"><v>{int(value)}</v></c>')
        elif isinstance(value, datetime):
            cells.append(f'<c r="{ref}" s="{_DATE_STYLE}"><v>{_serial(value)!r}</v></c>')
        elif isinstance(value, float) and value != value:
            continue
        else:
            cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _text(value: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


def _serial(value: datetime) -> float:
    """Excel's date serial (days since 1899-12-30), in UTC for aware times."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return round((value - _EPOCH).total_seconds() / 86400, 9)


def _escape_attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _content_types(n: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>')


_RELS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
         f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')


def _workbook(names: Sequence[str]) -> str:
    sheets = "".join(f'<sheet name="{_escape_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, name in enumerate(names, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>')


def _workbook_rels(n: int) -> str:
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG}/relationships">{rels}<Relationship Id="rId{n + 1}" '
            f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>')


_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
           '</cellStyles></styleSheet>')
