"""Taguette's codebook CSV, both ways: the bridge to a QDA tool many of our users already know.

Taguette imports and exports a codebook as CSV, not as REFI-QDA. Its importer wants exactly one
of the columns ``tag``, ``name`` or ``path`` (matched ignoring case) and reads ``description`` if
there is one; its exporter writes ``tag``, ``description``, ``number of highlights`` and
``number of documents``. A tag is a path: Taguette nests tags by prefix with dots
(``benefit.understanding`` sits under ``benefit``), so that is how hierarchy travels.

Choices that make a round trip through Taguette clean:

- **Paths are labels.** A top-level code's path is its label, a child's is ``parent.child``; a dot
  inside a label is written as the look-alike ``\u2024`` (one dot leader) so it is not read as a
  level, and read back as a dot.
- **Descriptions carry the rest**, exactly as in REFI-QDA (:func:`codewell.io.refi_qda.describe_code`):
  definition, include/exclude/keywords/examples lists and a last line ``codewell id: <id>``, with
  ``Group:`` and ``Colour:`` lines just before it. A tag from Taguette has none of that: its
  description is all definition and its id is its label in snake_case.
- **One level.** codewell nests codes one level; a deeper path (``a.b.c``) is an error naming the
  row, or with ``lenient`` a child of its top-level code, as the REFI reader does.
- The file is UTF-8 with a byte-order mark, which Taguette's encoding detection reads reliably
  even for a short file with few accented letters.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codewell.errors import CodebookError, DataFileError
from codewell.io.safety import needs_neutralising
from codewell.io.sources import load_grid
from codewell.values import Code, Codebook

PATH_COLUMNS = ("tag", "name", "path")
_DOT = "\u2024"  # one dot leader: a dot inside a label that is not a level of the path
_META = re.compile(r"^(Group|Colour): (.*)$")
_ID_LINE = re.compile(r"^codewell id: [a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def write_codebook_csv(codebook: Codebook, path: str | Path, *, raw: bool = False) -> Path:
    """Write ``codebook`` as a Taguette codebook CSV (columns ``tag``, ``description``).

    It is a CSV a spreadsheet may open, so a tag or description it would run as a formula gets a
    leading apostrophe unless ``raw`` (reading it back takes the apostrophe off again).
    """
    from codewell.io.atomic_file import write_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["tag", "description"])
    labels = _unique_labels(codebook)
    for code in codebook.codes:
        tag = labels[code.id] if code.parent is None else f"{labels[code.parent]}.{labels[code.id]}"
        cells = [tag, _description(code)]
        writer.writerow(cells if raw else [_escaped(cell) for cell in cells])
    return write_text(path, "\ufeff" + buffer.getvalue())


def _escaped(cell: str) -> str:
    """The cell with a leading apostrophe when a spreadsheet could run it as a formula, and
    when it starts with an apostrophe itself, so that :func:`_unneutralised` gives back exactly
    what was written (a definition of just "'" came back empty)."""
    return "'" + cell if needs_neutralising(cell) or cell.startswith("'") else cell


def _unneutralised(cell: str) -> str:
    """A cell without the apostrophe :func:`_escaped` put before it."""
    rest = cell[1:]
    return rest if cell.startswith("'") and (needs_neutralising(rest) or rest.startswith("'")) else cell


def _unique_labels(codebook: Codebook) -> dict[str, str]:
    """Code id -> the label as a path part. A tag path names one tag in Taguette, so a label
    used twice gets its code id added (the description's id line still restores the id)."""
    labels: dict[str, str] = {}
    seen: set[tuple[str | None, str]] = set()
    for code in codebook.codes:
        label = code.label.replace(".", _DOT)
        if (code.parent, label.casefold()) in seen:
            label = f"{label} ({code.id})"
        seen.add((code.parent, label.casefold()))
        labels[code.id] = label
    return labels


def _description(code: Code) -> str:
    from codewell.io.refi_qda import describe_code

    text = describe_code(code)
    meta = [f"Group: {code.group}"] if code.group else []
    meta += [f"Colour: {code.colour}"] if code.colour else []
    if not meta:
        return text
    body, _, id_line = text.rpartition("\n\n")
    return "\n\n".join([part for part in (body, "\n".join(meta)) if part] + [id_line])


def read_codebook_csv(path: str | Path, *, lenient: bool = False) -> Codebook:
    """Read a Taguette codebook CSV; problems are CodebookErrors naming the file and the row."""
    return read_codebook_csv_report(path, lenient=lenient)[0]


def read_codebook_csv_report(path: str | Path, *, lenient: bool = False
                             ) -> tuple[Codebook, list[str]]:
    """The codebook and, when ``lenient``, what had to be adjusted (deeper paths flattened)."""
    path = Path(path)
    try:
        grid = load_grid(path)
    except DataFileError as exc:
        raise CodebookError(exc.message, exc.hint) from None
    header = [cell.strip().casefold() for cell in grid.row(0)]
    named = [column for column in PATH_COLUMNS if column in header]
    if len(named) != 1:
        found = ", ".join(repr(cell) for cell in grid.row(0) if cell.strip()) or "none"
        problem = "no" if not named else "more than one"
        raise CodebookError(
            f"{path}: a Taguette codebook needs exactly one 'tag', 'name' or 'path' column; "
            f"found {problem} (columns: {found})")
    paths = grid.columns[header.index(named[0])]
    descriptions = (grid.columns[header.index("description")] if "description" in header
                    else [""] * grid.n_rows)
    parents = grid.columns[header.index("parent")] if "parent" in header else [""] * grid.n_rows
    builder = _Builder(path, lenient)
    for index in range(1, grid.n_rows):
        if not any(column[index].strip() for column in grid.columns):
            continue
        builder.add(grid.first_row + index, *(_unneutralised(column[index])
                                              for column in (paths, parents, descriptions)))
    if not builder.codes:
        raise CodebookError(f"{path}: there is a header but no tags under it")
    return builder.codebook(), builder.notes


class _Builder:
    """Collects tags into codes, top-level codes first in file order, each followed by its children."""

    def __init__(self, path: Path, lenient: bool) -> None:
        self.path = path
        self.lenient = lenient
        self.codes: dict[str, dict[str, Any]] = {}  # tag path -> code fields
        self.rows: dict[str, int] = {}
        self.children: dict[str, list[str]] = {}
        self.taken: set[str] = set()
        self.notes: list[str] = []

    def add(self, row: int, tag_path: str, parent_path: str, description: str) -> None:
        levels = [part.strip() for part in tag_path.split(".") if part.strip()]
        if parent_path.strip():  # older Taguette versions had an explicit parent column
            levels = [*(p.strip() for p in parent_path.split(".") if p.strip()), *levels]
        if not levels:
            raise CodebookError(f"{self.path}, row {row}: empty tag name")
        if len(levels) > 2:
            if not self.lenient:
                raise CodebookError(
                    f"{self.path}, row {row}: tag '{tag_path.strip()}' is nested {len(levels)} "
                    "levels deep; codewell nests codes one level only",
                    hint="codewell init --lenient makes it a child of its top-level code")
            self.notes.append(f"row {row}: '{tag_path.strip()}' attached to '{levels[0]}'")
            levels = [levels[0], levels[-1]]
        key = ".".join(levels)
        if key in self.rows:
            raise CodebookError(f"{self.path}, row {row}: tag '{tag_path.strip()}' is listed twice "
                                f"(first on row {self.rows[key]})")
        self.rows[key] = row
        if len(levels) == 2 and levels[0] not in self.codes:
            self._code(levels[0], None, "")
            self.notes.append(f"row {row}: added '{levels[0]}', the parent its path names")
        self._code(key, levels[0] if len(levels) == 2 else None, description)

    def _code(self, key: str, parent: str | None, description: str) -> None:
        from codewell.io.refi_qda import parse_description

        label = key.rsplit(".", 1)[-1].replace(_DOT, ".")
        meta: dict[str, str] = {}
        if _has_id_line(description):  # written by codewell: fields, then Group/Colour lines
            lines = []
            for line in description.strip().split("\n"):
                match = _META.match(line.strip())
                if match:
                    meta[match.group(1).lower()] = match.group(2).strip()
                else:
                    lines.append(line)
            fields = parse_description("\n".join(lines))
        else:  # a tag made in Taguette: its description is all definition
            fields = {**parse_description(""), "definition": description.strip()}
        code_id = self._new_id(fields.pop("id"), label)
        self.codes[key] = {**fields, "id": code_id, "label": label, "parent": parent,
                           "group": meta.get("group", ""), "colour": _colour(meta.get("colour"))}
        if parent is not None:
            self.children.setdefault(parent, []).append(key)

    def _new_id(self, wanted: str | None, label: str) -> str:
        from codewell.io.refi_reader import snake_id

        base = wanted if wanted and wanted not in self.taken else snake_id(label)
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def codebook(self) -> Codebook:
        ordered: list[Code] = []
        for key, fields in self.codes.items():
            if fields["parent"] is None:
                ordered.append(_as_code(fields, None))
                ordered += [_as_code(self.codes[child], fields["id"])
                            for child in self.children.get(key, [])]
        return Codebook(title=self.path.stem, codes=tuple(ordered))


def _as_code(fields: dict[str, Any], parent_id: str | None) -> Code:
    return Code(**{**fields, "parent": parent_id})


def _colour(value: str | None) -> str | None:
    return value.upper() if value and _COLOUR.match(value) else None


def _has_id_line(description: str) -> bool:
    lines: Sequence[str] = description.strip().split("\n")
    return bool(lines) and bool(_ID_LINE.match(lines[-1].strip()))
