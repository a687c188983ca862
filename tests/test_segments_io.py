"""Segments out and back in: the segments layout in every tabular format, and codings import of
start/end (the layout reads back in as a codings file, spans exact with accents, emoji and CRLF)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.codebook import load_codebook
from codewell.errors import DataFileError
from codewell.io.export import export_dataset
from codewell.project import Project
from codewell.values import Response, Segment, Status

CODEBOOK = Path(__file__).parents[1] / "codebooks" / "image-sharing.yaml"
TEXTS = {
    "r1": "Café staff explain 😀 scans well.\r\nBut patients worry at home.",
    "r2": "Naïve readers misread shadows; they need the report.",
    "r3": "Nothing to add.",
}
runner = CliRunner()


def _span(rid: str, passage: str) -> tuple[int, int]:
    start = TEXTS[rid].index(passage)
    return start, start + len(passage)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.cw"
    with Project.create(path, load_codebook(CODEBOOK)) as project:
        project.add_responses([Response(rid, text, i + 2) for i, (rid, text) in enumerate(TEXTS.items())], "t")
        project.record_segment("ana", "r1", "anxiety", *_span("r1", "patients worry"))
        project.record_segment("ana", "r1", "communication", *_span("r1", "staff explain 😀 scans"))
        project.record_segment("ana", "r1", "understanding", *_span("r1", "explain 😀 scans well.\r\nBut"))
        project.record("ana", "r2", "interpretation_difficulty", "apply")
        project.record_segment("ana", "r2", "interpretation_difficulty", *_span("r2", "misread shadows"))
        for rid in TEXTS:
            project.set_status("ana", rid, Status.DONE)
        project.set_memo("ana", "r1", "=mixed feelings")
    return path


EXPECTED = [  # (id, code, start, end, text), in response order, then code and span
    ("r1", "anxiety", *_span("r1", "patients worry"), "patients worry"),
    ("r1", "communication", *_span("r1", "staff explain 😀 scans"), "staff explain 😀 scans"),
    ("r1", "understanding", *_span("r1", "explain 😀 scans well.\r\nBut"), "explain 😀 scans well.\r\nBut"),
    ("r2", "interpretation_difficulty", None, None, TEXTS["r2"]),
    ("r2", "interpretation_difficulty", *_span("r2", "misread shadows"), "misread shadows"),
    ("r3", "", None, None, TEXTS["r3"]),
]


def _dataset(path: Path):  # type: ignore[no-untyped-def]
    with Project.open(path) as project:
        return project.dataset(["ana"])


def test_segments_csv_lists_each_passage_with_its_code_point_offsets(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "segments.csv"
    report = export_dataset(_dataset(study), out, layout="segments")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "coder", "code", "start", "end", "text", "memo"]
    assert [(r["id"], r["code"], r["start"], r["end"], r["text"]) for r in rows] == [
        (rid, code, "" if s is None else str(s), "" if e is None else str(e), text)
        for rid, code, s, e, text in EXPECTED]
    assert {r["coder"] for r in rows} == {"ana"}
    assert rows[0]["memo"] == "'=mixed feelings"  # neutralised against formula injection
    assert (report.rows, report.layout) == (6, "segments")


def test_a_passage_on_a_response_not_finished_is_left_out(study: Path, tmp_path: Path) -> None:
    """A skipped response's passages were listed as codings, while the wide file left the response
    empty (not finished); read back with import --codings, the file marked it done."""
    with Project.open(study) as project:
        project.set_status("ana", "r2", Status.SKIPPED)
    out = tmp_path / "segments.csv"
    export_dataset(_dataset(study), out, layout="segments")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = [(r["id"], r["code"]) for r in csv.DictReader(handle)]
    assert rows == [(rid, code) for rid, code, *_ in EXPECTED if rid != "r2"]
    result = runner.invoke(app, ["import", str(study), str(out), "--codings"])
    assert result.exit_code == 0, result.output
    with Project.open(study) as project:
        assert project.statuses("ana")["r2"] is Status.SKIPPED


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "sav", "dta"])
def test_segments_layout_in_every_other_tabular_format(study: Path, tmp_path: Path, fmt: str) -> None:
    import pandas as pd

    out = tmp_path / f"segments.{fmt}"
    export_dataset(_dataset(study), out, format=fmt, layout="segments")  # type: ignore[arg-type]
    if fmt == "xlsx":
        frame = pd.read_excel(out, sheet_name="data", dtype=object)
    elif fmt == "parquet":
        frame = pd.read_parquet(out)
        assert str(frame["start"].dtype) == "Int64"
    elif fmt == "sav":
        frame = pd.read_spss(out, convert_categoricals=False)
    else:
        frame = pd.read_stata(out, convert_categoricals=False)

    def offset(value: object) -> int | None:
        return None if value is None or value is pd.NA or value != value else int(value)  # type: ignore[call-overload]

    got = [(r.id, "" if r.code is None or r.code != r.code else r.code, offset(r.start), offset(r.end),
            r.text.replace("\r\n", "\n") if fmt == "dta" else r.text) for r in frame.itertuples()]
    want = [(rid, code, s, e, text.replace("\r\n", "\n") if fmt == "dta" else text)
            for rid, code, s, e, text in EXPECTED]
    assert got == want


def test_the_segments_csv_reads_back_in_as_codings(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "segments.csv"
    export_dataset(_dataset(study), out, layout="segments", raw=True)
    fresh = tmp_path / "fresh.cw"
    with Project.create(fresh, load_codebook(CODEBOOK)) as project:
        project.add_responses([Response(rid, text, i + 2) for i, (rid, text) in enumerate(TEXTS.items())], "t")
    result = runner.invoke(app, ["import", str(fresh), str(out), "--codings"])
    assert result.exit_code == 0, result.output
    with Project.open(fresh) as project, Project.open(study) as original:
        assert project.segments("ana") == original.segments("ana")
        assert project.codings("ana") == original.codings("ana")
        assert project.finished("ana") == set(TEXTS)
        before = len(project.decisions("ana"))
    again = runner.invoke(app, ["import", str(fresh), str(out), "--codings"])
    assert again.exit_code == 0
    with Project.open(fresh) as project:
        assert len(project.decisions("ana")) == before  # the same file twice records nothing


def test_codings_import_makes_the_spans_match_the_file(study: Path, tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    start, end = _span("r1", "patients worry")
    path.write_text(f"id,coder,code,start,end\nr1,ana,anxiety,{start},{end}\nr1,ana,anxiety,,\n", encoding="utf-8")
    with Project.open(study) as project:
        project.import_codings(path)
        assert project.segments_for("ana", "r1") == (Segment("r1", "anxiety"), Segment("r1", "anxiety", start, end))


@pytest.mark.parametrize(("body", "message"), [
    ("id,coder,code,start,end\nr1,ana,anxiety,5,\n",
     "start and end must be whole numbers with 0 <= start < end, on a row with a code, at row 2"),
    ("id,coder,code,start,end\nr1,ana,anxiety,9,3\nr3,ana,anxiety,x,4\n",
     "start and end must be whole numbers with 0 <= start < end, on a row with a code, at rows 2, 3"),
    ("id,coder,code,start\nr1,ana,anxiety,5\n", "a 'start' column needs an 'end' column beside it"),
    ("id,coder,code,start,end\nr3,ana,anxiety,0,4\nr3,ana,anxiety,10,16\n",
     "row 3: segment 10..16 does not fit a response of 15 characters"),
])
def test_bad_offsets_are_one_clear_error_and_nothing_changes(study: Path, tmp_path: Path, body: str,
                                                             message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with Project.open(study) as project:
        before = project.decisions()
        with pytest.raises(DataFileError) as caught:
            project.import_codings(path)
        assert caught.value.message == f"{path}: {message}"
        assert project.decisions() == before
    result = runner.invoke(app, ["import", str(study), str(path), "--codings"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[0].startswith(f"Error: {path}: {message} (")


def test_report_quotes_prints_each_passage_with_its_respondent(study: Path, tmp_path: Path) -> None:
    with Project.open(study) as project:
        project.add_responses([Response("r4", "We worry less now.", 5, {"profession": "sonographer"})], "t2")
        project.record("ana", "r4", "anxiety", "apply")
        project.add_responses([Response("r5", "Still deciding; they worry.", 6)], "t3")
        project.record("ana", "r5", "anxiety", "apply")  # not finished: no quote yet, as it is no n
        project.set_status("ana", "r4", Status.DONE)
    result = runner.invoke(app, ["report", str(study), "--quotes", "anxiety"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Anxiety (anxiety): 2 quotes, coded by ana\n\n"
                             "“…patients worry…” (r1)\n"
                             "“We worry less now.” (r4, profession: sonographer)\n")
    md = runner.invoke(app, ["report", str(study), "--quotes", "understanding", "--format", "md"])
    assert md.output.splitlines()[2] == "> “…explain 😀 scans well. But…” (r1)"
    as_json = runner.invoke(app, ["report", str(study), "--quotes", "anxiety", "--format", "json"])
    import json

    first = json.loads(as_json.output)["quotes"][0]
    start, end = _span("r1", "patients worry")
    assert (first["text"], first["start"], first["end"]) == ("patients worry", start, end)
    bad = runner.invoke(app, ["report", str(study), "--quotes", "anxeity"])
    assert bad.exit_code == 2
    assert bad.output.strip() == "Error: no code 'anxeity' in the codebook (did you mean 'anxiety'?)"
