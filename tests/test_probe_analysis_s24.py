"""Probe s24 of the analysis commands (agree, evaluate, sample, report) as a hostile user runs
them: each test failed before its fix. One small project is built per module and copied per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.report.frequencies import wilson_interval
from conftest import copy_project

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
runner = CliRunner()

RESPONSES = ("id,profession,response\n"
             "r1,Radiographer,Helps them understand the scan.\n"
             "r2,Radiologist,They worry about bad news.\n"
             "r3,Radiographer,Talking with the doctor is easier.\n"
             "r4,Sonographer,Nothing to add\n")
CODINGS = ("id,coder,code\n"
           "r1,ana,understanding\nr1,ben,understanding\n"
           "r2,ana,anxiety\nr2,ben,understanding\n"
           "r3,ana,communication\nr3,ben,communication\n")


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("probe-analysis")
    (folder / "responses.csv").write_text(RESPONSES, encoding="utf-8")
    (folder / "codings.csv").write_text(CODINGS, encoding="utf-8")
    path = folder / "small.cw"
    for args in (("init", path, "--codebook", CODEBOOK), ("import", path, folder / "responses.csv"),
                 ("import", path, folder / "codings.csv", "--codings")):
        assert run(*args).exit_code == 0
    return path


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    return copy_project(template, tmp_path / "study.cw")


# -- agree, CSV form ---------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "text"), [
    ("semi.csv", "unit;coder;value\n1;a;x\n1;b;x\n2;a;y\n2;b;x\n3;a;y\n3;b;y\n"),
    ("tabs.tsv", "unit\tcoder\tvalue\n1\ta\tx\n1\tb\tx\n2\ta\ty\n2\tb\tx\n3\ta\ty\n3\tb\ty\n"),
])
def test_agree_reads_semicolon_and_tab_separated_files(tmp_path: Path, name: str, text: str) -> None:
    """Both were 'no column 'unit' (columns: unit;coder;value) (did you mean 'unit;coder;value'?)',
    though .tsv is one of the suffixes agree takes as a table."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run("agree", path, "--unit", "unit", "--coder", "coder", "--value", "value", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["coefficients"]["percent_agreement"] == pytest.approx(2 / 3)


def _codings_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codings.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_agree_refuses_one_column_for_two_options(tmp_path: Path) -> None:
    path = _codings_file(tmp_path, "unit,coder,value\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n")
    result = run("agree", path, "--unit", "unit", "--coder", "unit", "--value", "value")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {path}: --unit and --coder both name the column 'unit' "
        "(each needs its own column, e.g. --unit id --coder coder --value code)")


def test_agree_on_a_projects_codings_file_says_what_to_do(tmp_path: Path) -> None:
    """A codewell codings file (one row per code) was 'coder 'a' gave unit '1' more than one value'."""
    path = _codings_file(tmp_path, "id,coder,code\nr1,ana,understanding\nr1,ana,anxiety\nr1,ben,anxiety\n"
                                   "r2,ana,anxiety\nr2,ben,anxiety\n")
    result = run("agree", path, "--unit", "id", "--coder", "coder", "--value", "code")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {path}: coder 'ana' gave unit 'r1' more than one value ('understanding', 'anxiety'); reliability "
        "data has one value per unit and coder (codings with several codes per response: codewell "
        "import PROJECT FILE --codings, then codewell agree PROJECT --coders A,B)")


def test_agree_names_a_repeated_row(tmp_path: Path) -> None:
    path = _codings_file(tmp_path, "unit,coder,value\n1,a,x\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n")
    result = run("agree", path, "--unit", "unit", "--coder", "coder", "--value", "value")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {path}: the row 1, a, x appears 2 times (one value per "
                                     "unit and coder) (remove the repeated rows)")


def test_agree_on_a_folder_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "codings.csv"
    folder.mkdir()
    result = run("agree", folder, "--unit", "u", "--coder", "c", "--value", "v")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {folder} is a folder, not a codings file"


# -- agree, project form -----------------------------------------------------------------------
def test_agree_refuses_a_coder_named_twice(project: Path) -> None:
    """ana,ana,ben compared ana with herself in --segments (F1 0.75 where the coders agree fully)."""
    before = project.read_bytes()
    result = run("agree", project, "--coders", "ana,ana,ben", "--segments")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: --coders names 'ana' twice ('ana,ana,ben') "
                                     "(name each coder once, e.g. --coders ana,ben)")
    assert project.read_bytes() == before


def test_agree_refuses_set_with_all_responses(project: Path) -> None:
    """Both given, the set was used and --all-responses silently ignored."""
    assert run("sample", project, "--size", "3").exit_code == 0
    before = project.read_bytes()
    result = run("agree", project, "--coders", "ana,ben", "--set", "irr", "--all-responses")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: --set irr and --all-responses contradict each other (--set compares the set only; "
        "--all-responses every response all coders finished)")
    assert project.read_bytes() == before


# -- evaluate ----------------------------------------------------------------------------------
LABELLED = ("id,response,understanding,anxiety\n"
            + "".join(f"u{i},Seeing the scan helps them understand case {i}.,1,0\n" for i in range(6))
            + "".join(f"a{i},They may worry and panic at home about case {i}.,0,1\n" for i in range(6)))


def test_evaluate_warns_when_test_is_train(tmp_path: Path) -> None:
    """Scores on the training file were reported like held-out ones, without a word."""
    train = tmp_path / "train.csv"
    train.write_text(LABELLED, encoding="utf-8")
    result = run("evaluate", train, train, "--codebook", CODEBOOK, "--codes", "understanding,anxiety", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [
        f"{train} is both TRAIN and TEST: every score is on responses the model was trained on, "
        "not held out (--cv K holds out part of one file)"]


def test_evaluate_warns_when_test_is_a_copy_of_train(tmp_path: Path) -> None:
    """A copy of TRAIN (or a part of it) as TEST: every response scored was trained on."""
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text(LABELLED, encoding="utf-8")
    test.write_text("\n".join(LABELLED.splitlines()[:4]) + "\n", encoding="utf-8")
    result = run("evaluate", train, test, "--codebook", CODEBOOK, "--codes", "understanding,anxiety", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [
        f"every response of {test} is also in {train} (same id and text): every score is on responses "
        "the model was trained on, not held out (--cv K holds out part of one file)"]


def test_evaluate_warns_when_some_of_test_is_in_train(tmp_path: Path) -> None:
    """Two responses of TEST copied into TRAIN: their scores were reported as held out."""
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text(LABELLED, encoding="utf-8")
    test.write_text("id,response,understanding,anxiety\n"
                    "u0,Seeing the scan helps them understand case 0.,1,0\n"
                    "a1,They may worry  and panic at home about case 1.,0,1\n"
                    "u1,Seeing the scan helped me understand my own knee.,1,0\n"
                    "n1,The car park was full.,0,0\n", encoding="utf-8")
    result = run("evaluate", train, test, "--codebook", CODEBOOK, "--codes", "understanding,anxiety", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [
        f"2 of the 4 responses of {test} are also in {train} (same id and text: u0, a1): their scores are "
        "not held out, so the figures read better than they are; remove them from one file"]


# -- sample ------------------------------------------------------------------------------------
def test_sample_on_an_empty_project_without_size(tmp_path: Path) -> None:
    """It said 'Error: --size must be at least 1, not 0' to a user who gave no --size."""
    path = tmp_path / "empty.cw"
    assert run("init", path, "--codebook", CODEBOOK).exit_code == 0
    result = run("sample", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: the project has no non-empty responses to sample "
                                     f"(codewell import {path} DATA.csv)")


def test_sample_larger_than_the_project_says_so(project: Path) -> None:
    """--size 100000 drew the 4 responses there are, saying only 'Drew set 'irr': 4 responses'."""
    result = run("sample", project, "--size", "100000")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Asked for 100000; the project has 4 responses with text, so all of them",
        "Drew set 'irr': 4 responses (seed 1), in this coding order:"]
    one = run("sample", project, "--size", "5", "--name", "one", "--stratify", "profession")
    assert one.exit_code == 0 and "4 responses" in one.stdout
    assert "1 responses" not in run("sample", project, "--size", "1", "--name", "single").stdout


# -- report ------------------------------------------------------------------------------------
def test_wilson_bounds_are_exact_at_none_and_all() -> None:
    """n = 0 gave a lower bound of 5.55e-15 %, printed as such in the JSON."""
    assert wilson_interval(0, 3)[0] == 0.0
    assert wilson_interval(3, 3)[1] == 100.0


def test_report_of_no_coded_response_prints_no_nan(project: Path, tmp_path: Path) -> None:
    """A coder whose only finished response is a non-answer: 'Understanding nan% (n=0)'."""
    codings = tmp_path / "na.csv"
    codings.write_text("id,coder,code\nr4,cy,\n", encoding="utf-8")
    assert run("import", project, codings, "--codings").exit_code == 0
    text = run("report", project, "--coder", "cy")
    assert text.exit_code == 0, text.output
    assert "nan" not in text.stdout.lower()
    assert text.stdout.splitlines()[0] == (
        "Coder cy: % of 0 coded responses; excluded: 1 non-answer, 3 not yet coded "
        "(no percentages: cy has finished no response that says something)")
    data = json.loads(run("report", project, "--coder", "cy", "--format", "json").stdout)
    assert data["frequencies"][0]["published"] == "Understanding – (n=0)"


def test_report_output_format_follows_the_suffix(project: Path, tmp_path: Path) -> None:
    """-o report.json wrote the text table into a .json file."""
    out = tmp_path / "report.json"
    result = run("report", project, "--coder", "ana", "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["denominator"] == 3 and data["frequencies"][0]["ci95"][0] > 0
    assert {f["code"]: f["ci95"][0] for f in data["frequencies"]}["adherence"] == 0.0


@pytest.mark.parametrize("command", [("report", "--coder", "ana"), ("export", "--coder", "ana"),
                                     ("suggest", "--coder", "ana")])
def test_an_output_in_a_folder_nothing_can_be_written_in_is_refused_before_the_work(project: Path,
                                                                                     command) -> None:
    """`suggest -o /proc/x.csv` trained and scored everything, then failed to write (a read-only
    mount does the same): the folder is tried first, as a missing one already was."""
    result = run(command[0], project, *command[1:], "-o", "/proc/codewell-probe.csv")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("Error: cannot write /proc/codewell-probe.csv: ")
    assert result.stderr.strip().endswith("(choose a folder you can write to)")


def test_agree_counts_only_separators_outside_quotes(tmp_path: Path) -> None:
    """agree had a separator guess of its own that counted every semicolon in the first line: a
    comma file whose quoted header names held more semicolons was read as one column. It now
    reads the header as a survey export's is read."""
    path = tmp_path / "quoted.csv"
    path.write_text('"unit; the; response; numbered",coder,value\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n3,a,y\n3,b,y\n',
                    encoding="utf-8")
    result = run("agree", path, "--unit", "unit; the; response; numbered", "--coder", "coder",
                 "--value", "value", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["n_units"], report["coders"]) == (3, ["a", "b"])
