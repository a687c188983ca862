"""A large CSV is imported a block of rows at a time; the project ends up exactly as a whole-file
import leaves it, and every refusal is the whole-file import's, word for word."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from codewell.codebook import load_codebook
from codewell.errors import CodewellError
from codewell.io.readers import stream_survey
from codewell.io.sources import NotStreamable
from codewell.project import Project

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
BLOCK = 7  # rows a block: the files below span several


def _rows(n: int = 30) -> list[list[str]]:
    rows = [["id", "Role", "Site", "comment"]]
    for i in range(n):
        text = "" if i % 11 == 4 else f"reply {i}: the letter came late, \"again\"\nsecond line"
        rows.append([f" P{i:03d} ", ["nurse", "doctor", "porter"][i % 3], f"site {i % 4}", text])
        if i % 9 == 5:
            rows.append(["", "", "", ""])  # a blank row spreadsheets leave behind
    return rows


def _write(path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False,
           encoding: str = "utf-8") -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _import(tmp: Path, name: str, data: Path, chunk_rows: int, **options):  # type: ignore[no-untyped-def]
    with Project.create(tmp / name, load_codebook(CODEBOOK)) as project:
        report = project.import_responses(data, chunk_rows=chunk_rows, **options)
        return report, project.responses()


def _same(tmp: Path, data: Path, **options) -> None:  # type: ignore[no-untyped-def]
    blocks = list(stream_survey(data, chunk_rows=BLOCK, **options).chunks())
    assert len(blocks) > 3  # the file really is read in blocks, not handed to the whole reader
    streamed, stored = _import(tmp, "streamed.cw", data, BLOCK, **options)
    whole, expected = _import(tmp, "whole.cw", data, 10**6, **options)
    assert stored == expected
    assert streamed == whole
    assert len(stored) > 3 * BLOCK


def test_plain_file_with_blank_rows_and_empty_texts(tmp_path: Path) -> None:
    data = _write(tmp_path / "survey.csv", _rows())
    _same(tmp_path, data)
    report, stored = _import(tmp_path, "again.cw", data, BLOCK)
    assert report.added == 30 and "skipped 3 empty rows" in report.notes
    assert stored[0].id == "P000" and stored[0].text.endswith("\"again\"\nsecond line")
    assert report.empty_ids == ("P004", "P015", "P026")


def test_bom_semicolons_guessed_text_and_row_names(tmp_path: Path) -> None:
    rows = [row[1:] for row in _rows()]  # no id column: responses named by row
    _same(tmp_path, _write(tmp_path / "excel.csv", rows, delimiter=";", bom=True))


def test_leading_blank_lines_and_chosen_columns(tmp_path: Path) -> None:
    data = tmp_path / "lead.csv"
    body = _write(tmp_path / "body.csv", _rows()).read_bytes()
    data.write_bytes(b"\r\n\n" + body)
    _same(tmp_path, data, text_column="comment", id_column="id", columns=["site"])


def test_qualtrics_layout(tmp_path: Path) -> None:
    header, *rows = _rows()
    questions = [f"Question: {name}" for name in header]
    import_ids = [json.dumps({"ImportId": f"QID{i}"}) for i in range(len(header))]
    _same(tmp_path, _write(tmp_path / "qualtrics.csv", [header, questions, import_ids, *rows]))


def test_reimport_adds_nothing_and_a_changed_text_is_refused_whole(tmp_path: Path) -> None:
    data = _write(tmp_path / "survey.csv", _rows())
    with Project.create(tmp_path / "study.cw", load_codebook(CODEBOOK)) as project:
        project.import_responses(data, chunk_rows=BLOCK)
        again = project.import_responses(data, chunk_rows=BLOCK)
        assert (again.added, again.unchanged) == (0, 30)
        rows = _rows(40)
        rows[3][3] = "a different answer"
        rows[30][3] = "changed too"
        changed = _write(tmp_path / "changed.csv", rows)
        before = project.responses()
        with pytest.raises(CodewellError) as streamed:
            project.import_responses(changed, chunk_rows=BLOCK)
        with pytest.raises(CodewellError) as whole:
            project.import_responses(changed, chunk_rows=10**6)
        assert streamed.value.message == whole.value.message == (
            f"{changed}: 2 response id(s) already in the project with different text: P002, P026")
        assert project.responses() == before  # nothing of the later, new rows was kept


@pytest.mark.parametrize("damage", ["repeated id", "repeated in a block", "empty id", "ragged row", "cp1252", "nul"])
def test_a_file_the_blocks_cannot_take_gets_the_whole_file_answer(tmp_path: Path, damage: str) -> None:
    rows = _rows()
    encoding = "utf-8"
    if damage == "repeated id":
        rows[25][0] = "P001"  # stored by the first block: the import notices, not the reader
    elif damage == "repeated in a block":
        rows[25][0] = rows[24][0]
    elif damage == "empty id":
        rows[25][0] = " "
    elif damage == "ragged row":
        rows[25].append("one too many")
    elif damage == "cp1252":
        rows[25][3] = "caf\u00e9 au lait"
        encoding = "cp1252"
    else:
        rows[25][3] = "a\x00b"
    data = _write(tmp_path / "damaged.csv", rows, encoding=encoding)
    if damage != "repeated id":
        with pytest.raises(NotStreamable):
            list(stream_survey(data, chunk_rows=BLOCK).chunks())
    outcomes = []
    for name, chunk_rows in (("streamed.cw", BLOCK), ("whole.cw", 10**6)):
        try:
            outcomes.append(_import(tmp_path, name, data, chunk_rows))
        except CodewellError as error:
            outcomes.append((error.message, error.hint))
    assert outcomes[0] == outcomes[1]
    if damage != "cp1252":
        assert isinstance(outcomes[0][0], str)  # refused, with the same words
        with Project.open(tmp_path / "streamed.cw") as project:
            assert project.responses() == ()
