"""Importing a file again: other attribute values are named, and taken only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from faults import file_bytes

FIRST = "id,response,site\nR1,Seeing the scan helped.,Leeds\nR2,It frightened him.,York\nR3,No comment.,Hull\n"
AGAIN = ("id,response,site,role\nR1,Seeing the scan helped.,Leeds,nurse\nR2,It frightened him.,Bath,\n"
         "R3,No comment.,Hull,\nR4,A new answer.,Derby,doctor\n")
NOTE = ("2 response(s) already in the project have other attribute values in this file (R1: role 'nurse' "
        "(new); R2: site 'York' → 'Bath'). The stored values were kept: add --update-attributes to take the file's.")


def _csv(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def _attributes(project: Project) -> dict[str, dict[str, str]]:
    return {r.id: dict(r.attributes) for r in project.responses()}


@pytest.fixture
def first(empty_project, tmp_path: Path):
    empty_project.import_responses(_csv(tmp_path / "first.csv", FIRST))
    return empty_project


@pytest.mark.engines
@pytest.mark.parametrize("chunk_rows", [100, 2], ids=["whole", "blocks"])
def test_other_values_are_named_and_the_stored_ones_kept(first, tmp_path: Path, chunk_rows: int) -> None:
    report = first.import_responses(_csv(tmp_path / "again.csv", AGAIN), chunk_rows=chunk_rows)
    assert (report.added, report.unchanged) == (1, 3)
    assert NOTE in report.notes
    assert (report.details["attributes_differ"], report.details["attributes_updated"]) == (2, 0)
    assert _attributes(first) == {"R1": {"site": "Leeds"}, "R2": {"site": "York"}, "R3": {"site": "Hull"},
                                  "R4": {"site": "Derby", "role": "doctor"}}


@pytest.mark.engines
@pytest.mark.parametrize("chunk_rows", [100, 2], ids=["whole", "blocks"])
def test_asked_the_file_s_values_are_taken_and_unnamed_ones_kept(first, tmp_path: Path, chunk_rows: int) -> None:
    fewer = _csv(tmp_path / "fewer.csv", "id,response,role\nR1,Seeing the scan helped.,nurse\n")
    report = first.import_responses(_csv(tmp_path / "again.csv", AGAIN), update_attributes=True,
                                    chunk_rows=chunk_rows)
    assert report.notes[-1] == ("updated the attributes of 2 response(s) already in the project from this file "
                                "(R1: role 'nurse' (new); R2: site 'York' → 'Bath').")
    assert report.details["attributes_updated"] == 2
    assert _attributes(first)["R1"] == {"site": "Leeds", "role": "nurse"}
    assert _attributes(first)["R2"] == {"site": "Bath", "role": ""}
    # A file naming fewer columns changes only those it names; the same values again are no change.
    report = first.import_responses(fewer, update_attributes=True, chunk_rows=chunk_rows)
    assert report.details["attributes_updated"] == 0 and not any("attribute" in n for n in report.notes)
    assert _attributes(first)["R1"] == {"site": "Leeds", "role": "nurse"}
    with Project.open(first.location) as fresh:  # committed, not only cached
        assert _attributes(fresh)["R2"] == {"site": "Bath", "role": ""}


def test_many_changes_are_counted_after_the_first_three(first, tmp_path: Path) -> None:
    five = FIRST + "R4,More.,Leeds\nR5,Again.,Leeds\n"
    first.import_responses(_csv(tmp_path / "five.csv", five))
    report = first.import_responses(_csv(tmp_path / "moved.csv", five.replace(",Leeds", ",Hull").replace(
        ",York", ",Hull").replace(",Hull\n", ",Ely\n")))
    assert report.notes[-1].startswith("5 response(s) already in the project have other attribute values "
                                       "in this file (R1: site 'Leeds' → 'Ely'; R2: site 'York' → 'Ely'; "
                                       "R3: site 'Hull' → 'Ely'; and 2 more).")


def test_a_changed_text_still_refuses_the_whole_file_and_updates_nothing(first, tmp_path: Path) -> None:
    from codewell.errors import DataFileError

    changed = AGAIN.replace("No comment.", "Something else.")
    for chunk_rows in (100, 2):
        with pytest.raises(DataFileError, match="R3"):
            first.import_responses(_csv(tmp_path / "changed.csv", changed), update_attributes=True,
                                   chunk_rows=chunk_rows)
    assert _attributes(first) == {"R1": {"site": "Leeds"}, "R2": {"site": "York"}, "R3": {"site": "Hull"}}


def test_the_command_says_so_and_takes_them_when_asked(tmp_path: Path) -> None:
    runner = CliRunner()
    study = str(tmp_path / "study.cw")
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml"
    assert runner.invoke(app, ["init", study, "--codebook", str(codebook)]).exit_code == 0
    assert runner.invoke(app, ["import", study, str(_csv(tmp_path / "first.csv", FIRST))]).exit_code == 0
    again = str(_csv(tmp_path / "again.csv", AGAIN))
    result = runner.invoke(app, ["import", study, again])
    assert result.exit_code == 0
    assert NOTE in result.output and "Imported 1 new responses" in result.output
    result = runner.invoke(app, ["import", study, again, "--update-attributes"])
    assert result.exit_code == 0 and "updated the attributes of 2 response(s)" in result.output
    with Project.open(study) as project:
        assert _attributes(project)["R2"] == {"site": "Bath", "role": ""}


@pytest.mark.parametrize(("extra", "named"), [
    (["--codings", "--update-attributes"], "--update-attributes: for a survey export, not a codings CSV"),
    (["--codings", "--text-column", "response", "--sheet", "S"], "--text-column, --sheet: for a survey export"),
])
def test_survey_options_with_codings_are_refused_and_change_nothing(tmp_path: Path, extra, named) -> None:
    runner = CliRunner()
    study = str(tmp_path / "study.cw")
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml"
    runner.invoke(app, ["init", study, "--codebook", str(codebook)])
    runner.invoke(app, ["import", study, str(_csv(tmp_path / "first.csv", FIRST))])
    before = file_bytes(study)
    codings = _csv(tmp_path / "codings.csv", "id,coder,code\nR1,ana,anxiety\n")
    result = runner.invoke(app, ["import", study, str(codings), *extra])
    assert result.exit_code == 2
    assert named in result.output and "leave" in result.output
    assert file_bytes(study) == before


def test_survey_options_with_a_qdpx_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    study = str(tmp_path / "study.cw")
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml"
    runner.invoke(app, ["init", study, "--codebook", str(codebook)])
    result = runner.invoke(app, ["import", study, str(tmp_path / "other.qdpx"), "--columns", "site"])
    assert result.exit_code == 2
    assert "--columns: for a survey export, not a REFI-QDA project (.qdpx)" in result.output


def test_a_qdpx_names_other_values_and_takes_them_when_asked(first, tmp_path: Path, codebook) -> None:
    from codewell.io.refi_qda import write_project_qdpx

    first.import_responses(_csv(tmp_path / "again.csv", AGAIN), update_attributes=True)
    archive = write_project_qdpx(first.dataset(), tmp_path / "study.qdpx")
    with Project.create(tmp_path / "other.cw", codebook) as other:
        other.import_responses(_csv(tmp_path / "first.csv", FIRST))
        report = other.import_responses(archive)
        assert any(n.startswith("2 response(s) already in the project have other attribute values") for n in report.notes)
        assert _attributes(other)["R2"] == {"site": "York"}
        report = other.import_responses(archive, update_attributes=True)
        assert any(n.startswith("updated the attributes of 2 response(s)") for n in report.notes)
        assert _attributes(other) == _attributes(first)
