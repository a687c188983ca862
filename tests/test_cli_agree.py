"""`codewell agree` on a project and on a CSV, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def coded_project(coded_sample: str) -> str:
    return coded_sample


def test_project_table_and_json(coded_project: str) -> None:
    result = run("agree", coded_project, "--coders", "ana,ben")
    assert result.exit_code == 0, result.output
    assert "Agreement of ana, ben on 170 responses" in result.stdout
    data = json.loads(run("agree", coded_project, "--coders", "ana,ben", "--json").stdout)
    assert data["coders"] == ["ana", "ben"] and data["n_units"] == 170
    anxiety = data["codes"]["anxiety"]
    (both, a_only), (b_only, neither) = anxiety["table"]
    assert both + a_only + b_only + neither == anxiety["n"] == 170
    assert 0 <= anxiety["percent_agreement"] <= 1 and -1 <= anxiety["cohen_kappa"] <= 1
    assert {"krippendorff_alpha", "masi_alpha", "mean_kappa", "pooled_kappa"} <= set(data["overall"])


def test_ci_and_disagreements(coded_project: str) -> None:
    data = json.loads(run("agree", coded_project, "--coders", "ana,ben", "--ci", "--json",
                          "--disagreements").stdout)
    low, high = data["codes"]["understanding"]["cohen_kappa_ci"]
    assert low <= data["codes"]["understanding"]["cohen_kappa"] <= high
    assert data["disagreements"] and {"id", "code", "applied", "text"} <= set(data["disagreements"][0])


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--coders", "ana,bne"), "Error: no coder 'bne' in this project (did you mean 'ben'?)"),
        (("--coders", "ana"), "Error: --coders needs at least two names separated by commas, not 'ana' "
                              "(e.g. --coders ana,ben)"),
    ],
)
def test_project_bad_input(coded_project: str, args: tuple[str, ...], line: str) -> None:
    result = run("agree", coded_project, *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == line


def test_coder_with_nothing_finished(coded_project: str) -> None:
    from codewell.project import Project

    with Project.open(coded_project) as project:
        project.record("cy", "IS001", "anxiety", "apply")
    result = run("agree", coded_project, "--coders", "ana,cy")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: coder 'cy' has no finished (done) responses to compare"


def test_csv_form(tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    path.write_text("unit,rater,score\n1,a,x\n1,b,x\n2,a,y\n2,b,y\n3,a,x\n3,b,y\n4,a,y\n4,b,y\n")
    data = json.loads(run("agree", path, "--unit", "unit", "--coder", "rater", "--value", "score",
                          "--json").stdout)
    assert data["level"] == "nominal" and data["n_units"] == 4 and data["n_coders"] == 2
    assert data["coefficients"]["percent_agreement"] == pytest.approx(0.75)
    assert data["coefficients"]["cohen_kappa"] == pytest.approx(0.5)
    missing = run("agree", path, "--unit", "unit", "--coder", "rater")
    assert missing.exit_code == 2 and "--value" in missing.stderr
    wrong = run("agree", path, "--unit", "unit", "--coder", "ratr", "--value", "score")
    assert wrong.exit_code == 2 and "did you mean 'rater'?" in wrong.stderr


CODINGS = "id,coder,code\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n3,a,x\n3,b,x\n"


@pytest.mark.parametrize(("form", "args", "message"), [
    ("project", ["--coders", "ana,ben", "--percent", "all"],
     "--percent applies to a codings CSV, not to a project"),
    ("project", ["--coders", "ana,ben", "--level", "ordinal", "--categories", "4"],
     "--level, --categories apply to a codings CSV, not to a project"),
    ("csv", ["--unit", "id", "--coder", "coder", "--value", "code", "--coders", "a,b"],
     "--coders applies to a project, not to a codings CSV"),
])
def test_an_option_of_the_other_form_is_refused_not_ignored(coded_project: str, tmp_path: Path,
                                                              form: str, args: list[str], message: str) -> None:
    """The figures read as if the option applied, where it was silently dropped."""
    target = coded_project
    if form == "csv":
        target = tmp_path / "codings.csv"
        target.write_text(CODINGS, encoding="utf-8")
    result = run("agree", target, *args)
    assert result.exit_code == 2
    assert f"Error: {target}: {message} (see codewell agree --help)" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--percent", "both"], "--percent: expected 'pairwise' or 'all', got 'both'"),
    (["--categories", "1"], "--categories: 1 is fewer than the 2 categories in the data"),
])
def test_csv_form_errors_name_the_options_the_user_typed(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "codings.csv"
    path.write_text(CODINGS, encoding="utf-8")
    result = run("agree", path, "--unit", "id", "--coder", "coder", "--value", "code", *args)
    assert result.exit_code == 2
    assert f"Error: {path}: {message}" in result.output
