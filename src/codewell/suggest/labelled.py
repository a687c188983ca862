"""Labelled CSV files: ``id,response,<one 0/1 column per code id>``, read against a codebook.

Used by ``codewell evaluate``, the samples and the benchmarks. Every problem a researcher can fix
is a :class:`~codewell.errors.DataFileError` naming the file, the row and the column; what can be
worked around (an extra column, a codebook code the file does not label) is a warning carried on
the result, for the command to print.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from codewell.errors import DataFileError
from codewell.fuzzy import did_you_mean
from codewell.values import Codebook, ReferenceSet

if TYPE_CHECKING:
    import numpy as np

REQUIRED = ("id", "response")
# How an .xlsx (a zip) or an old .xls (OLE2) file begins.
_WORKBOOK_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass(frozen=True)
class LabelledData:
    """Texts and gold labels. ``gold`` has shape (n, len(codes)), 0/1, columns in ``codes`` order."""

    path: str
    ids: tuple[str, ...]
    texts: tuple[str, ...]
    codes: tuple[str, ...]
    gold: np.ndarray
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.texts)

    def label_sets(self, rows: Sequence[int] | None = None) -> list[frozenset[str]]:
        """The codes applied to each row (all rows, or ``rows`` in that order)."""
        picked = range(len(self.texts)) if rows is None else rows
        return [frozenset(c for c, v in zip(self.codes, self.gold[i], strict=True) if v)
                for i in picked]

    def as_reference(self, added_at: str = "") -> ReferenceSet:
        """These rows as a project's reference set (see :mod:`codewell.project.reference`)."""
        return ReferenceSet(Path(self.path).name, self.codes, added_at, self.ids, self.texts,
                            tuple(self.label_sets()))

    def subset(self, rows: Sequence[int]) -> LabelledData:
        return LabelledData(self.path, tuple(self.ids[i] for i in rows),
                            tuple(self.texts[i] for i in rows), self.codes, self.gold[list(rows)],
                            self.warnings)


def read_labelled(path: str | Path, codebook: Codebook,
                  codes: Sequence[str] | None = None) -> LabelledData:
    """Read a labelled CSV against ``codebook``; ``codes`` restricts the codes read and scored.

    With ``codes`` given, each must be a codebook code and a column of the file; other columns are
    not looked at. ``codes`` of the result always follow the codebook's order. Without it, every codebook code that has a column is used; a codebook code
    without one is skipped with a warning, and so is a column that is not a codebook code.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such labelled file")
    with path.open("rb") as handle:  # the first bytes only: the file is read once, below
        start = handle.read(4)
    if start in _WORKBOOK_STARTS:
        raise DataFileError(f"{path}: a spreadsheet workbook, not a CSV file",
                            hint="save it from the spreadsheet as CSV (UTF-8), then use that file")
    try:
        header = _header(path)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFileError(f"{path}: not a readable CSV file ({_first_line(exc)})") from None
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:  # pandas would read the second as 'name.1', a column nobody wrote
        raise DataFileError(f"{path}: column '{twice[0]}' appears {header.count(twice[0])} times in "
                            "the header row; each code needs exactly one column")
    columns = [str(c) for c in frame.columns]
    for name in REQUIRED:
        if name not in columns:
            raise DataFileError(f"{path}: no '{name}' column (a labelled file has id, response "
                                f"and one 0/1 column per code)", did_you_mean(name, columns))
    if not len(frame):
        raise DataFileError(f"{path}: no rows under the header row (a labelled file holds coded "
                            "responses, one per row)")
    _check_ids(path, list(frame["id"]))
    warnings: list[str] = []
    extra = [c for c in columns if c not in REQUIRED]
    if codes is not None:
        chosen = _requested(path, codebook, codes, extra)
    else:
        chosen = tuple(code for code in codebook.ids if code in extra)
        for code in codebook.ids:
            if code not in extra:
                warnings.append(f"{path}: no column for code '{code}'; it is skipped")
        for column in extra:
            if column not in codebook.ids:
                hint = did_you_mean(column, codebook.ids)
                warnings.append(f"{path}: column '{column}' is not a code of the codebook; it is "
                                f"ignored" + (f" ({hint})" if hint else ""))
        if not chosen:
            raise DataFileError(f"{path}: no column is a code of the codebook",
                                did_you_mean(extra[0], codebook.ids) if extra else None)
    gold = _labels(path, frame, chosen)
    return LabelledData(str(path), tuple(frame["id"]), tuple(frame["response"]), chosen, gold,
                        tuple(warnings))


def _requested(path: Path, codebook: Codebook, codes: Sequence[str],
               columns: list[str]) -> tuple[str, ...]:
    if not codes:
        raise DataFileError("--codes names no code")
    for code in codes:
        if code not in codebook.ids:
            raise DataFileError(f"code '{code}' is not in the codebook", did_you_mean(code, codebook.ids))
        if code not in columns:
            raise DataFileError(f"{path}: no column for code '{code}'", did_you_mean(code, columns))
    return tuple(code for code in codebook.ids if code in set(codes))


def _labels(path: Path, frame: object, codes: tuple[str, ...]) -> np.ndarray:
    """The 0/1 matrix, or an error naming the first bad cell (rows counted as in a spreadsheet)."""
    import numpy as np

    gold = np.zeros((len(frame), len(codes)), dtype=np.int8)  # type: ignore[arg-type]
    for c, code in enumerate(codes):
        values = frame[code].str.strip()  # type: ignore[index]
        good = values.isin(["0", "1", "0.0", "1.0"])
        if not bool(good.all()):
            row = int(np.flatnonzero(~good.to_numpy())[0])
            raise DataFileError(f"{path}, row {row + 2}, column '{code}': expected 0 or 1, got "
                                f"{values.iloc[row]!r}")
        gold[:, c] = values.str.startswith("1").to_numpy()
    return gold


def _header(path: Path) -> list[str]:
    """The header row's names as written (pandas renames a repeated one)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _check_ids(path: Path, ids: list[str]) -> None:
    """Every row needs an id of its own: a reference set is stored by id (a repeated one would
    be dropped), and a result names responses by it."""
    first: dict[str, int] = {}
    for row, rid in enumerate(ids, start=2):
        if not rid.strip():
            raise DataFileError(f"{path}, row {row}: the id is blank; each response needs an id")
        if rid in first:
            raise DataFileError(f"{path}, row {row}: id '{rid}' was already used on row {first[rid]}; "
                                "each response needs its own id")
        first[rid] = row


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
