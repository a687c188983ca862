"""Probe s25: the coded dataset as an analyst takes it into SPSS, Stata or R (read back with
pyreadstat, the library R's haven and pandas both sit on), each case found broken by the probe.

The survey carries what real questionnaires carry beside the free text: a Likert item coded 0-4,
a number of years, a numeric answer with stray 'n/a' and 'unknown', a word-labelled agreement
scale, and one answer longer than SPSS's longest string.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
SCALE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
LONG = ("Patients need the report beside the image. " * 1000)[:40_000]
WIDE = ("يساعد المرضى " * 3400)[:40_000]  # two bytes a letter in UTF-8: 40,000 letters, ~74,000 bytes
SPSS_LONGEST = 32_767  # bytes: SPSS's (and PSPP's) widest string variable
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def rows() -> list[dict[str, str]]:
    """Twenty respondents; r000 gave the long answer, r001 the long Arabic one."""
    out = []
    for i in range(20):
        text = LONG if i == 0 else WIDE if i == 1 else f"Answer {i}: images help them understand."
        out.append({"id": f"r{i:03d}", "response": text, "likert0": str(i % 5),
                    "years": ("1", "2", "10")[i % 3], "score": ("3.5", "4", "n/a", "12", "unknown")[i % 5],
                    "agree": SCALE[(i * 3) % 5]})
    return out


@pytest.fixture(scope="module")
def study_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ana finished r000-r009 (understanding on the even ones); r010-r019 are not coded."""
    folder = tmp_path_factory.mktemp("s25")
    project, data, codings = folder / "study.cw", folder / "survey.csv", folder / "codings.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows()[0]))
        writer.writeheader()
        writer.writerows(rows())
    codings.write_text("id,coder,code\n" + "".join(
        f"r{i:03d},ana,{'understanding' if i % 2 == 0 else ''}\n" for i in range(10)), encoding="utf-8")
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data),
                 ("import", project, codings, "--codings")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="module")
def sav(study_template: Path) -> tuple[Path, str]:
    out = study_template.parent / "coded.sav"
    result = run("export", study_template, "-o", out)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def dta(study_template: Path) -> Path:
    out = study_template.parent / "coded.dta"
    result = run("export", study_template, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def read(path: Path, **options: object):  # type: ignore[no-untyped-def]
    import pyreadstat

    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    return reader(str(path), **options)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_a_numeric_survey_column_keeps_its_numbers(sav: tuple[Path, str], dta: Path, fmt: str) -> None:
    """A Likert item coded 0-4 went out as categories 1-5 labelled '0'..'4' (its mean one too
    high), and years 1, 2, 10 as 1, 3, 2 (sorted as text): numbers are now numbers."""
    frame, meta = read(sav[0] if fmt == "sav" else dta)
    assert list(frame["likert0"]) == [float(i % 5) for i in range(20)]
    assert list(frame["years"]) == [float(("1", "2", "10")[i % 3]) for i in range(20)]
    assert frame["likert0"].mean() == 2.0
    assert "likert0" not in meta.variable_value_labels and "years" not in meta.variable_value_labels
    assert meta.column_names_to_labels["likert0"] == "likert0"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stray_words_in_a_numeric_column_are_labelled_missing(sav: tuple[Path, str], dta: Path,
                                                              fmt: str) -> None:
    """'score' holds 3.5, 4, 12 and the words 'n/a' and 'unknown': it was five categories, 12
    numbered 1 and 3.5 numbered 2. Now the numbers are numbers and each word is a declared
    missing value labelled with the word, so nothing the respondent wrote is lost."""
    frame, meta = read(sav[0] if fmt == "sav" else dta)
    numbers = {"3.5": 3.5, "4": 4.0, "12": 12.0}
    words = [("3.5", "4", "n/a", "12", "unknown")[i % 5] for i in range(20)]
    assert [None if v != v else v for v in frame["score"]] == [numbers.get(w) for w in words]
    kept, meta = read(sav[0] if fmt == "sav" else dta, user_missing=True)
    labels = meta.variable_value_labels["score"]
    assert [labels.get(v, v) for v in kept["score"]] == [numbers.get(w, w) for w in words]
    if fmt == "sav":
        assert sorted(labels) == [-2.0, -1.0] and meta.missing_ranges["score"] == [
            {"lo": -2.0, "hi": -2.0}, {"lo": -1.0, "hi": -1.0}]
    else:
        assert sorted(labels) == ["a", "b"]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_an_agreement_scale_is_numbered_in_its_own_order(sav: tuple[Path, str], dta: Path, fmt: str) -> None:
    """'Agree' was 1, 'Disagree' 2 ... 'Strongly disagree' 5 (alphabetical): an ordinal model or
    a mean read the scale scrambled, and R's factor levels came out in that order."""
    frame, meta = read(sav[0] if fmt == "sav" else dta)
    assert meta.variable_value_labels["agree"] == {float(i) if fmt == "sav" else i: word
                                                   for i, word in enumerate(SCALE, start=1)}
    assert list(frame["agree"]) == [float(SCALE.index(SCALE[(i * 3) % 5]) + 1) for i in range(20)]
    if fmt == "sav":
        assert meta.variable_measure["agree"] == "ordinal"


def test_spss_strings_fit_the_longest_spss_reads(sav: tuple[Path, str]) -> None:
    """A 40,000-character answer was written as an A40000 string, wider than SPSS's 32,767 bytes:
    PSPP called the width invalid and read 255 characters of it. Text is cut to fit, at a
    character boundary, and the summary says how many cells."""
    out, summary = sav
    frame, meta = read(out)
    widths = {name: int(kind[1:]) for name, kind in meta.original_variable_types.items()
              if kind.startswith("A")}
    assert widths["response"] == SPSS_LONGEST
    assert frame["response"][0] == LONG[:SPSS_LONGEST]
    cut = WIDE.encode("utf-8")[:SPSS_LONGEST].decode("utf-8", errors="ignore")
    assert frame["response"][1] == cut and WIDE.startswith(cut)
    assert frame["response"][2] == "Answer 2: images help them understand."
    assert ("2 cells are longer than the 32,767 bytes an SPSS string holds: they were cut to fit "
            "(CSV, Parquet and Stata keep the whole text)") in " ".join(summary.split())


def test_stata_keeps_the_whole_long_answer(dta: Path) -> None:
    frame, _ = read(dta)
    assert frame["response"][0] == LONG and frame["response"][1] == WIDE


def test_spss_code_columns_say_what_they_are(sav: tuple[Path, str]) -> None:
    """Code columns were F8.2 ('1.00', '.00') with no measurement level: SPSS asks for one before
    a chart, and shows a 0/1 code as a decimal."""
    _, meta = read(sav[0])
    formats, measures = meta.original_variable_types, meta.variable_measure
    assert formats["understanding"] == "F2.0" and measures["understanding"] == "nominal"
    assert formats["non_answer"] == "F1.0" and measures["non_answer"] == "nominal"
    assert measures["likert0"] == "scale" and measures["score"] == "scale"
    assert measures["response"] == "nominal" and measures["id"] == "nominal"


def test_what_counts_as_a_number_or_a_scale() -> None:
    """Ids with leading zeros and numbers too long for a double stay text; missing words go below
    negative numbers; a column mixing numbers and many words stays text (numbering it would give
    its numbers other values); two spellings of one scale point fall back to alphabetical order."""
    from codewell.io.stats_attributes import typed_attribute

    assert typed_attribute(["007", "012", "007", "012"], "sav").values == [1.0, 2.0, 1.0, 2.0]
    assert typed_attribute(["123456789012345678", "2"] * 2, "sav").values is None
    negative = typed_attribute(["-3", "2", "n/a", "-3", "2"], "sav")
    assert negative.values == [-3.0, 2.0, -4.0, -3.0, 2.0] and negative.missing == [-4.0]
    assert typed_attribute(["1", "2", "dk", "refused", "other", "none"] * 2, "sav").values is None
    mixed = typed_attribute(["Agree", "agree", "Disagree"] * 2, "sav")
    assert mixed.measure == "nominal" and mixed.labels == {1: "Agree", 2: "agree", 3: "Disagree"}
    seven = typed_attribute(["Somewhat agree", "Strongly agree", "Disagree"] * 2, "dta")
    assert seven.measure == "ordinal" and seven.labels == {2: "Disagree", 5: "Somewhat agree",
                                                           7: "Strongly agree"}


def test_numeric_bands_are_numbered_where_they_start() -> None:
    """The sample's years of experience (<2, 2-5, 6-10, 11-20, >20) were numbered alphabetically:
    11-20 = 1, 2-5 = 2, 6-10 = 3, <2 = 4, >20 = 5, so a mean or an ordinal model read them
    scrambled. Bands that overlap or share a start stay alphabetical."""
    from codewell.io.stats_attributes import typed_attribute

    years = typed_attribute(["11-20", "2-5", "6-10", "<2", ">20"] * 2, "sav")
    assert years.measure == "ordinal" and years.values == [4.0, 2.0, 3.0, 1.0, 5.0] * 2
    assert years.labels == {1: "<2", 2: "2-5", 3: "6-10", 4: "11-20", 5: ">20"}
    ages = typed_attribute(["65+", "18-24 years", "under 18", "35 to 64", "25–34 years"] * 2, "dta")
    assert ages.labels == {1: "under 18", 2: "18-24 years", 3: "25–34 years", 4: "35 to 64", 5: "65+"}
    overlapping = typed_attribute(["1-5", "1-10", "6-10"] * 2, "sav")
    assert overlapping.measure == "nominal" and overlapping.labels == {1: "1-10", 2: "1-5", 3: "6-10"}


def test_a_retired_code_leaves_the_segments_file_and_the_qdpx_count(study_template: Path,
                                                                       tmp_path: Path) -> None:
    """The README says a retired code leaves the exports: the wide file lost its column, but the
    segments file kept every row of it (a code in no codebook sheet), and the REFI-QDA summary
    counted codings the file does not hold. A response whose only code was retired now reads as
    finished with no code, as its 0s in the wide file say."""
    from conftest import copy_project

    project = copy_project(study_template, tmp_path / "study.cw")
    assert run("codebook", "retire", project, "understanding", "--reason", "folded into others").exit_code == 0
    result = run("export", project, "--layout", "segments", "-o", tmp_path / "segments.csv")
    assert result.exit_code == 0, result.output
    with (tmp_path / "segments.csv").open(encoding="utf-8", newline="") as handle:
        found = [(row["id"], row["code"]) for row in csv.DictReader(handle)]
    assert found == [(f"r{i:03d}", "") for i in range(10)]
    result = run("export", project, "-o", tmp_path / "study.qdpx")
    assert result.output.startswith("Wrote 20 sources and 0 codings by ana to ")


def test_a_stats_or_parquet_file_says_whose_coding_it_holds(study_template: Path, sav: tuple[Path, str],
                                                             dta: Path, tmp_path: Path) -> None:
    """One coder's wide file names its code columns 'understanding' ..., with no coder in any
    name or label: ana's file and the consensus file could not be told apart once saved. The
    file label (SPSS, Stata) and the Parquet schema metadata now say who and which codebook."""
    import json

    import pyarrow.parquet as pq

    said = "codewell: coded by ana, codebook version 1"
    assert read(sav[0])[1].file_label == said and read(dta)[1].file_label == said
    for layout in ("wide", "long", "segments"):
        out = tmp_path / f"{layout}.parquet"
        assert run("export", study_template, "--layout", layout, "-o", out).exit_code == 0
        about = json.loads(pq.read_schema(out).metadata[b"codewell"])
        assert about == {"coders": ["ana"], "codebook_version": 1, "layout": layout}
