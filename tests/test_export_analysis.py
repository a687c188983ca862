"""Issue 11: exports an analyst loads into pandas, R, SPSS or Stata and gets the paper's table
without cleaning: NA for unfinished work, valid names, labels, text left as written."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from export_samples import TEXTS, sample_dataset
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.io.export import export_dataset
from codewell.io.variable_names import MAX_LENGTH, NameSet, variable_name
from codewell.project import Project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "image-sharing"
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
FORMATS = ("csv", "xlsx", "parquet", "sav", "dta")
VALID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,28}$")  # 29 at most: see variable_names rule 3
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def study(coded_sample_to_read: Path) -> Path:
    """The bundled sample study coded by ana and ben (only read by these tests)."""
    return coded_sample_to_read


def load(path: Path, fmt: str):  # type: ignore[no-untyped-def]
    """The data as a pandas frame, the way an analyst would open it."""
    import pandas as pd

    if fmt == "csv":
        return pd.read_csv(path, dtype={"id": str})
    if fmt == "xlsx":
        return pd.read_excel(path, sheet_name="data", dtype={"id": str})
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "sav":
        return pd.read_spss(path, convert_categoricals=False)
    return pd.read_stata(path, convert_categoricals=False)


# ------------------------------------------------------------------ prevalence = report


@pytest.mark.parametrize("fmt", FORMATS)
def test_prevalence_from_each_export_matches_report(study: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"ana.{fmt}"
    assert run("export", study, "-o", out, "--coder", "ana").exit_code == 0
    report = json.loads(run("report", study, "--coder", "ana", "--format", "json").stdout)
    frame = load(out, fmt)
    answers = frame[frame["non_answer"] == 0]
    for row in report["frequencies"]:
        column = answers[row["code"]]
        assert int(column.sum()) == row["n"], row["code"]
        assert int(column.notna().sum()) == report["denominator"]
        assert round(100 * float(column.mean()), 6) == round(row["percent"], 6)


def test_prevalence_from_pyreadstat_with_labels(study: Path, tmp_path: Path) -> None:
    import pyreadstat

    report = json.loads(run("report", study, "--coder", "ana", "--format", "json").stdout)
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        out = tmp_path / f"ana.{fmt}"
        assert run("export", study, "-o", out, "--coder", "ana").exit_code == 0
        frame, meta = reader(str(out))
        answers = frame[frame["non_answer"] == 0]
        n = {row["code"]: int(answers[row["code"]].sum()) for row in report["frequencies"]}
        assert n == {row["code"]: row["n"] for row in report["frequencies"]}
        labels = meta.column_names_to_labels
        assert labels["understanding"] == "Understanding"
        assert labels["response"] == "Response text"
        values = meta.variable_value_labels["understanding"]
        assert (values[0], values[1]) == ("not applied", "applied")
        assert "not finished by the coder" in values.values()
        # Attributes with few values are labelled categories; their labels are the survey's text.
        professions = set(meta.variable_value_labels["profession"].values())
        assert "Diagnostic radiographer" in professions
        codes = {number for number in frame["profession"].dropna()}
        assert codes <= set(meta.variable_value_labels["profession"])


def test_missing_is_declared_in_spss_and_stata(tmp_path: Path) -> None:
    import pyreadstat

    ds = sample_dataset()
    export_dataset(ds, tmp_path / "a.sav", format="sav", coder="all")
    frame, _ = pyreadstat.read_sav(str(tmp_path / "a.sav"))
    kept, meta = pyreadstat.read_sav(str(tmp_path / "a.sav"), user_missing=True)
    row = list(frame["id"]).index("r7")
    assert frame["bob_anxiety"].isna()[row] and kept["bob_anxiety"][row] == -1
    assert meta.missing_ranges["bob_anxiety"] == [{"lo": -1.0, "hi": -1.0}]
    export_dataset(ds, tmp_path / "a.dta", format="dta", coder="all")
    frame, _ = pyreadstat.read_dta(str(tmp_path / "a.dta"))
    kept, meta = pyreadstat.read_dta(str(tmp_path / "a.dta"), user_missing=True)
    assert frame["bob_anxiety"].isna()[row] and kept["bob_anxiety"][row] == "a"
    assert meta.variable_value_labels["bob_anxiety"]["a"] == "not finished by the coder"


def test_stata_labels_every_code_column_of_many_coders_with_long_names(study: Path, tmp_path: Path) -> None:
    """pyreadstat names a Stata variable's value labels after it plus a counter; with a third
    coder whose names reach the length limit, the eleventh labelled column once made the whole
    export fail ("A provided name is too long for the file format")."""
    import pyreadstat

    project = tmp_path / "study.cw"
    project.write_bytes(study.read_bytes())
    with Project.open(project) as opened:
        first = opened.finished("ana")
        opened.apply_codings({"consensus": {rid: frozenset({"interpretation_difficulty"})
                                            for rid in sorted(first)[:5]}}, "test")
    out = tmp_path / "all.dta"
    result = run("export", project, "-o", out, "--coder", "all")
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(out), user_missing=True)
    code_columns = [c for c in frame.columns if c.startswith(("ana_", "ben_", "consensus_"))
                    and c.split("_", 1)[1] not in ("memo", "status", "non_answer")]
    assert len(code_columns) == 27 and max(len(c) for c in code_columns) == 29
    assert all(meta.variable_value_labels[c][1] == "applied" for c in code_columns)


def test_a_stata_file_whose_value_label_names_cannot_fit_is_refused_before_writing(tmp_path: Path) -> None:
    from codewell.errors import OutputError
    from codewell.io.export_columns import Column
    from codewell.io.stats_files import write_stats_file

    columns = [Column(f"c{i:04d}_" + "x" * 23, "flag", [0, 1], role="code") for i in range(1001)]
    out = tmp_path / "wide.dta"
    with pytest.raises(OutputError, match=r"column c1000_x+: Stata would name its value labels "
                                          r"'c1000_x+1000', longer than its 32-character limit"):
        write_stats_file(columns, out, "dta")
    assert not out.exists() and list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ missing is missing


@pytest.mark.parametrize("fmt", FORMATS)
def test_na_for_unfinished_zero_for_finished_without_code(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"all.{fmt}"
    export_dataset(sample_dataset(), out, format=fmt, coder="all")  # type: ignore[arg-type]
    import pandas as pd

    frame = load(out, fmt).set_index("id")
    assert pd.isna(frame.loc["r7", "bob_understanding"])  # bob never coded r7
    assert pd.isna(frame.loc["r7", "alice_understanding"])  # alice flagged it: not finished
    assert frame.loc["r6", "bob_anxiety"] == 0  # finished, no code
    assert frame.loc["r1", "bob_communication"] == 1


def test_parquet_uses_nullable_types(tmp_path: Path) -> None:
    import pandas as pd
    import pyarrow.parquet as pq

    out = tmp_path / "all.parquet"
    export_dataset(sample_dataset(), out, format="parquet", coder="all")
    frame = pd.read_parquet(out)
    assert str(frame["bob_understanding"].dtype) == "Int8"
    assert frame["bob_understanding"].isna().sum() == 2  # r4, r7
    schema = pq.read_schema(out)
    assert schema.field("bob_understanding").metadata[b"label"] == b"Understanding (bob)"


def test_xlsx_leaves_unfinished_cells_empty(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "all.xlsx"
    export_dataset(sample_dataset(), out, format="xlsx", coder="all")
    rows = list(load_workbook(out, read_only=True)["data"].iter_rows(values_only=True))
    header, r7 = rows[0], next(r for r in rows if r[0] == "r7")
    assert r7[header.index("bob_anxiety")] is None
    assert next(r for r in rows if r[0] == "r6")[header.index("bob_anxiety")] == 0


def test_long_layout_only_finished_pairs_unless_asked(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "long.csv"
    assert run("export", study, "-o", out, "--coder", "ana", "--layout", "long").exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert {row["status"] for row in rows} == {"done"}
    assert {row["applied"] for row in rows} == {"0", "1"}
    assert run("export", study, "-o", out, "--coder", "ana", "--layout", "long",
               "--include-uncoded").exit_code == 0
    everything = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(everything) == 500 * len({row["code"] for row in rows})
    assert {row["applied"] for row in everything if row["status"] != "done"} == {""}


# ------------------------------------------------------------------ names


def test_every_column_name_is_valid_in_r_spss_and_stata(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    assert run("export", study, "-o", out, "--coder", "all").exit_code == 0
    header = next(csv.reader(out.open(encoding="utf-8", newline="")))
    assert all(VALID.match(name) for name in header), header
    assert len({name.casefold() for name in header}) == len(header)
    assert "ana_understanding" in header and "ben_interpretation_difficulty" in header


@pytest.mark.parametrize("label, name", [
    ("ana:understanding", "ana_understanding"), ("café visits", "cafe_visits"),
    ("2nd opinion", "v_2nd_opinion"), ("", "v"), ("if", "if_"), ("BY", "BY_"),
    ("=HYPERLINK(\"x\")", "HYPERLINK_x"), ("@evil", "evil"), ("___", "v"),
])
def test_variable_names(label: str, name: str) -> None:
    assert variable_name(label) == name


def test_long_names_are_shortened_deterministically_and_never_collide() -> None:
    first = "consensus_interpretation_difficulty_of_images"
    second = "consensus_interpretation_difficulty_of_reports"
    names = NameSet()
    a, b = names.add(first), names.add(second)
    assert a != b and len(a) <= MAX_LENGTH and len(b) <= MAX_LENGTH
    assert a == variable_name(first) and a.startswith("consensus_interpretati_")
    again = NameSet()
    assert again.add(first) == a  # same label, same name, every time
    taken = NameSet()
    assert [taken.add(x) for x in ("Status", "status", "status")] == ["Status", "status_2", "status_3"]


# ------------------------------------------------------------------ text left as written


@pytest.mark.parametrize("fmt", FORMATS)
def test_leading_dash_round_trips_unchanged(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"a.{fmt}"
    export_dataset(sample_dataset(), out, format=fmt, coder="alice")  # type: ignore[arg-type]
    frame = load(out, fmt).set_index("id")
    assert frame.loc["r6", "response"] == TEXTS["r6"] == "- Could misread normal anatomy as disease"
    if fmt != "csv":
        assert frame.loc["r2", "response"] == TEXTS["r2"]  # formula text kept as text
    else:
        assert frame.loc["r2", "response"] == "'" + TEXTS["r2"]


def test_raw_csv_is_untouched(tmp_path: Path) -> None:
    out = tmp_path / "raw.csv"
    report = export_dataset(sample_dataset(), out, coder="alice", raw=True)
    rows = {row["id"]: row for row in csv.DictReader(out.open(encoding="utf-8", newline=""))}
    assert rows["r2"]["response"] == TEXTS["r2"] and report.neutralised == 0


# ------------------------------------------------------------------ report and pii


def test_report_counts_non_answers_separately(study: Path) -> None:
    data = json.loads(run("report", study, "--coder", "ana", "--format", "json").stdout)
    assert data["excluded"]["non_answers"] == 26
    stricter = json.loads(run("report", study, "--coder", "ana", "--format", "json",
                              "--non-answers", "n/a").stdout)
    assert stricter["excluded"]["non_answers"] < 26
    assert stricter["denominator"] > data["denominator"]


def test_report_markdown_is_a_table_for_a_paper(study: Path) -> None:
    text = run("report", study, "--coder", "ana", "--format", "md").stdout
    lines = text.splitlines()
    assert lines[2] == "| Code | n | % | 95% CI |"
    assert lines[3] == "|---|---:|---:|---:|"
    counts = []
    for line in lines[4:]:
        if not line.startswith("|"):
            break
        counts.append(int(line.split("|")[2]))
    assert counts == sorted(counts, reverse=True)  # most frequent first
    assert "26 non-answers" in text and "Wilson" in text


def test_pii_scans_attributes(tmp_path: Path, codebook) -> None:
    data = tmp_path / "r.csv"
    data.write_text("id,anything_else,response\n1,write to jo.bloggs@example.org,Helps them understand\n"
                    "2,,Nothing here\n", encoding="utf-8")
    with Project.create(tmp_path / "p.cw", codebook) as project:
        project.import_responses(data, text_column="response", id_column="id")
    result = run("pii", tmp_path / "p.cw", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["found"]
    assert [(item["id"], item["matches"][0]["field"], item["matches"][0]["kind"]) for item in found] \
        == [("1", "attribute:anything_else", "EMAIL")]
    text = run("pii", tmp_path / "p.cw").stdout
    assert text.splitlines()[0] == "1  row 2: EMAIL in anything_else"
    assert "jo.bloggs" not in text


# ------------------------------------------------------------------ Taguette


def test_taguette_codebook_csv_has_the_columns_taguette_imports(study: Path, tmp_path: Path,
                                                                 codebook) -> None:
    """Taguette's importer takes the tag from exactly one of tag/name/path, plus an optional
    description (taguette/import_codebook.py); codewell reads the file back to the same codes."""
    from codewell.io.taguette import read_codebook_csv

    out = tmp_path / "codebook.csv"
    result = run("export", study, "-o", out, "--format", "taguette-csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote the codebook ({len(codebook.codes)} codes) to {out}")
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    header = [cell.lower() for cell in rows[0]]
    assert sum(name in header for name in ("tag", "name", "path")) == 1
    assert "description" in header
    tags = [dict(zip(header, row))["tag"] for row in rows[1:]]
    assert tags == [code.label for code in codebook.codes] and all(t.strip() for t in tags)
    assert read_codebook_csv(out).ids == codebook.ids
