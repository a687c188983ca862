"""The sample study imported from every shape a survey platform exports gives the same responses."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from codewell.project import Project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "image-sharing" / "responses.csv"


def _rows() -> list[list[str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def qualtrics(tmp: Path) -> Path:
    header, *data = _rows()
    header = ["ResponseId" if h == "id" else h for h in header]
    questions = ["Response ID" if h == "ResponseId" else f"Question: {h}" for h in header]
    import_ids = [json.dumps({"ImportId": f"QID{i}"}) for i in range(len(header))]
    return _write(tmp / "qualtrics.csv", [header, questions, import_ids, *data])


def surveymonkey(tmp: Path) -> Path:
    header, *data = _rows()
    top = ["Respondent ID" if h == "id" else h for h in header]
    sub = ["" if h == "id" else "Response" if h != "response" else "Open-Ended Response" for h in header]
    return _write(tmp / "monkey.csv", [top, sub, *data])


def windows_1252(tmp: Path) -> Path:
    header, *data = _rows()
    # Excel on Windows writes cp1252: keep only what that code page can hold.
    data = [[cell.encode("cp1252", "replace").decode("cp1252") for cell in row] for row in data]
    return _write(tmp / "excel.csv", [header, *data], encoding="cp1252")


def workbook(tmp: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Survey"
    for row in _rows():
        sheet.append(row)
    path = tmp / "survey.xlsx"
    book.save(path)
    return path


def _imported(tmp: Path, codebook, source: Path, name: str) -> list[tuple[str, str]]:
    with Project.create(tmp / f"{name}.cw", codebook) as project:
        report = project.import_responses(source, text_column=None)
        assert report.details["text_column_guessed"]
        return [(r.id, r.text) for r in project.responses()]


@pytest.mark.parametrize("shape", [qualtrics, surveymonkey, windows_1252, workbook])
def test_every_shape_gives_the_same_responses(tmp_path: Path, codebook, shape) -> None:
    expected = _imported(tmp_path, codebook, SAMPLE, "plain")
    got = _imported(tmp_path, codebook, shape(tmp_path), shape.__name__)
    if shape is windows_1252:
        expected = [(i, t.encode("cp1252", "replace").decode("cp1252")) for i, t in expected]
    assert len(got) == 500
    assert got == expected


def test_sample_import_reports_empty_answers(sample_project) -> None:
    summary = sample_project.summary()
    assert summary["responses"] == 500 and summary["empty"] == 8
    first = sample_project.responses()[0]
    assert first.id == "IS001" and first.row == 2
    assert set(first.attributes) == {"profession", "years_experience", "setting", "share_in_clinic", "remote_access"}
