"""The codebook as the CSV Taguette's "import codebook" reads: columns ``tag``, ``parent``,
``description``.

Taguette's importer (``taguette/import_codebook.py``) takes the tag name from exactly one of
the columns ``tag``, ``name`` or ``path``, and optionally ``description`` and ``parent`` (the
parent tag's name); other columns are ignored. A tag is the code's label, which is what a
Taguette user sees and what codewell turns back into the same snake_case id on the way in; if
two codes share a label, their ids are used instead so that no two tags merge. Cells a
spreadsheet would run as formulas are neutralised (:mod:`codewell.io.safety`).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from codewell.io.atomic_file import atomic_output
from codewell.io.safety import needs_neutralising
from codewell.values import Codebook

COLUMNS = ("tag", "parent", "description")


def write_codebook_csv(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` to ``path`` (privately, atomically) as a Taguette codebook CSV."""
    path = Path(path)
    labels = Counter(code.label.strip() for code in codebook.codes)
    unique = all(labels[code.label.strip()] == 1 and code.label.strip() for code in codebook.codes)
    tag = {code.id: code.label.strip() if unique else code.id for code in codebook.codes}
    rows = [[tag[code.id], tag.get(code.parent, "") if code.parent else "", code.definition]
            for code in codebook.codes]
    with atomic_output(path) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([_safe(cell) for cell in row] for row in rows)
    return path


def _safe(cell: str) -> str:
    return "'" + cell if needs_neutralising(cell) else cell
