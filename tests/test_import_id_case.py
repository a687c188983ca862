"""A response id that differs from another only in upper and lower case ("is001" beside "IS001",
after a tool lower-cased the export; "R1" and "r1" in one file) was imported as a second response:
the same answer coded twice and counted twice in every agreement and report. Each such import is
now refused whole, naming the file, the row, the id and its twin, and the project is left as it
was; large files (read a block at a time) give the whole-file import's message word for word."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from codewell.errors import DataFileError
from codewell.project import Project
from codewell.values import Response
from faults import codewell, file_bytes

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
FIRST = "id,response,site\nIS001,Seeing the scan helped.,Leeds\nIS002,It frightened him.,York\n"
BLOCK = 7  # rows a block, for the block-reading tests


def _csv(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def _rows(n: int) -> list[list[str]]:
    return [["id", "site", "response"], *([f"P{i:03d}", f"site {i % 4}", f"answer number {i}"] for i in range(n))]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project file holding IS001 and IS002, built once for the module."""
    folder = tmp_path_factory.mktemp("id-case")
    with Project.create(folder / "study.cw", _codebook()) as project:
        project.import_responses(_csv(folder / "first.csv", FIRST))
    return folder / "study.cw"


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    """The test's own copy of the project."""
    from conftest import copy_project

    return copy_project(template, tmp_path / "study.cw")


def _ids(location: Path | str) -> list[str]:
    with Project.open(location) as project:
        return project.response_ids()


# -- the command, as a researcher runs it ----------------------------------------------------


@pytest.mark.parametrize("rows", [1, 20_050], ids=["small", "large"])
def test_a_lower_cased_export_is_refused_whole_by_the_command(study: Path, tmp_path: Path, rows: int) -> None:
    """The re-saved export holds a new response too: it is not imported either. The large file
    (more than one block of the command's own size) gives the same line."""
    body = "id,response,site\n" + "".join(f"N{i:05d},A new answer {i}.,Hull\n" for i in range(rows))
    lowered = _csv(tmp_path / "lowered.csv", body + "is001,Seeing the scan helped.,Leeds\n")
    before = file_bytes(study)
    result = codewell("import", str(study), str(lowered))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {lowered}, row {rows + 2}: response id 'is001' differs from 'IS001', already in the project, "
        "only in upper and lower case (did you mean 'IS001'? the same answer would be stored and counted twice; "
        "fix the ids in the file, then import it again)")
    assert file_bytes(study) == before
    assert _ids(study) == ["IS001", "IS002"]


def test_two_rows_of_one_file_differing_in_case_are_refused_on_a_first_import(tmp_path: Path) -> None:
    location = tmp_path / "new.cw"
    Project.create(location, _codebook()).close()
    twins = _csv(tmp_path / "twins.csv", "id,response\nR1,one answer\nR2,another\nr1,a third\n")
    before = file_bytes(location)
    result = codewell("import", str(location), str(twins), "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"Error: {twins}, row 4: response id 'r1' differs from 'R1' on row 2 only in upper and lower case "
        "(did you mean 'R1'? each response needs its own id; fix the file or pick another column with --id-column)")
    assert file_bytes(location) == before
    assert _ids(location) == []


def test_a_codings_file_naming_a_case_twin_gets_a_did_you_mean_and_records_nothing(study: Path,
                                                                                    tmp_path: Path) -> None:
    """It was already refused ("not in the project"), but with nothing to say what was meant."""
    codings = _csv(tmp_path / "codings.csv", "id,coder,code\nIS002,ana,anxiety\nis001,ana,understanding\n")
    before = file_bytes(study)
    result = codewell("import", str(study), str(codings), "--codings")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {codings}: 1 response id(s) not in the project: 'is001' (did you mean 'IS001'?) "
        "(nothing was imported; fix the file and import it again)")
    assert file_bytes(study) == before


def test_spaces_around_an_id_never_made_a_second_response(study: Path, tmp_path: Path) -> None:
    """Ids are stripped by the reader (both the whole-file and the block reader): " IS001 " is IS001."""
    spaced = _csv(tmp_path / "spaced.csv", 'id,response,site\n" IS001 ",Seeing the scan helped.,Leeds\n'
                                           "IS002  ,It frightened him.,York\n")
    result = codewell("import", str(study), str(spaced), "--json")
    assert result.returncode == 0, result.stderr
    assert (json.loads(result.stdout)["added"], json.loads(result.stdout)["unchanged"]) == (0, 2)
    assert _ids(study) == ["IS001", "IS002"]


# -- every way in: workbooks, block reading, REFI-QDA, both engines ------------------------------


@pytest.mark.engines
@pytest.mark.parametrize("chunk_rows", [10**6, BLOCK], ids=["whole", "blocks"])
def test_stored_twin_and_file_twin_in_a_later_block(empty_project, tmp_path: Path, chunk_rows: int) -> None:
    """Read a block at a time, the twin of a row stored by an earlier block, or by an earlier
    import, is found from the case-folded ids alone, and the whole-file message is given."""
    project = empty_project
    project.import_responses(_write(tmp_path / "first.csv", _rows(30)))
    rows = _rows(40)
    rows[36][0] = "p005"  # file row 37, whose twin P005 is stored
    stored_twin = _write(tmp_path / "stored.csv", rows)
    rows = _rows(40)
    rows.insert(38, ["p033", "site 0", "an answer given twice"])  # twin of P033, new in this file
    file_twin = _write(tmp_path / "file.csv", rows)
    before = project.responses()
    with pytest.raises(DataFileError) as caught:
        project.import_responses(stored_twin, chunk_rows=chunk_rows)
    assert caught.value.message == (f"{stored_twin}, row 37: response id 'p005' differs from 'P005', already in "
                                    "the project, only in upper and lower case")
    with pytest.raises(DataFileError) as caught:
        project.import_responses(file_twin, chunk_rows=chunk_rows)
    assert caught.value.message == (f"{file_twin}, row 39: response id 'p033' differs from 'P033' on row 35 "
                                    "only in upper and lower case")
    assert caught.value.hint.startswith("did you mean 'P033'?")
    assert project.responses() == before  # not even the file's other new rows (P030 ...)


@pytest.mark.engines
def test_two_people_importing_twins_at_once_store_only_one(empty_project, tmp_path: Path) -> None:
    """Two imports started at the same moment, one file ending in "TWIN" and the other in "twin":
    writers follow one another (on PostgreSQL too), and whichever writes second finds the first's
    row inside its own write, so a project shared by a team never gets both."""
    import subprocess
    import sys

    files = []
    for prefix, twin in (("A", "TWIN"), ("B", "twin")):
        body = "".join(f"{prefix}{i:05d},answer {i}\n" for i in range(3_000))
        files.append(_csv(tmp_path / f"{prefix}.csv", f"id,response\n{body}{twin},the same answer\n"))
    location = str(empty_project.location)
    started = [subprocess.Popen([sys.executable, "-m", "codewell", "import", location, str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in files]
    results = [(child.wait(timeout=120), child.stderr.read()) for child in started]
    assert sorted(code for code, _ in results) == [0, 2], results
    refused = next(stderr for code, stderr in results if code == 2)
    assert "only in upper and lower case" in refused
    ids = _ids(location)
    assert len(ids) == 3_001 and len({rid.casefold() for rid in ids}) == 3_001


def test_a_whole_lower_cased_file_is_counted(tmp_path: Path) -> None:
    with Project.create(tmp_path / "study.cw", _codebook()) as project:
        project.import_responses(_write(tmp_path / "first.csv", _rows(12)))
        lowered = _write(tmp_path / "lowered.csv", [[cell.lower() for cell in row] for row in _rows(12)])
        with pytest.raises(DataFileError) as caught:
            project.import_responses(lowered)
        assert caught.value.message == (f"{lowered}, row 2: response id 'p000' differs from 'P000', already in the "
                                        "project, only in upper and lower case; 11 more id(s) in this file do the same")


def test_a_workbook_is_refused_the_same_way(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["id", "response"], ["IS003", "A new answer."], ["Is002", "It frightened him."]):
        sheet.append(row)
    workbook = tmp_path / "lowered.xlsx"
    book.save(workbook)
    with Project.create(tmp_path / "study.cw", _codebook()) as project:
        project.import_responses(_csv(tmp_path / "first.csv", FIRST))
        with pytest.raises(DataFileError) as caught:
            project.import_responses(workbook)
        assert caught.value.message == (f"{workbook}, row 3: response id 'Is002' differs from 'IS002', already in "
                                        "the project, only in upper and lower case")
        assert project.response_ids() == ["IS001", "IS002"]


def test_a_qdpx_source_named_like_a_stored_response_is_refused(tmp_path: Path) -> None:
    """A REFI-QDA project's sources are the responses: one named "is001" beside IS001 is refused,
    numbered as the file lists its sources."""
    from codewell.io.refi_qda import write_project_qdpx

    with Project.create(tmp_path / "other.cw", _codebook()) as other:
        other.import_responses(_csv(tmp_path / "other.csv", "id,response\nX9,Kept apart.\nis001,Seeing the scan helped.\n"))
        archive = write_project_qdpx(other.dataset(), tmp_path / "other.qdpx")
    with Project.create(tmp_path / "study.cw", _codebook()) as project:
        project.import_responses(_csv(tmp_path / "first.csv", FIRST))
        with pytest.raises(DataFileError) as caught:
            project.import_responses(archive)
        assert caught.value.message == (f"{archive}, source 2: response id 'is001' differs from 'IS001', already in "
                                        "the project, only in upper and lower case")
        assert project.response_ids() == ["IS001", "IS002"]


def test_a_project_already_holding_twins_still_takes_its_own_file_again(tmp_path: Path) -> None:
    """Twins stored before imports refused them stay importable as they are (no lock-out): only
    an id new to the project is checked."""
    with Project.create(tmp_path / "old.cw", _codebook()) as project:
        project._db.write(lambda unit: unit.insert_responses(  # as an import before this check stored them
            [Response("R1", "one", 2), Response("r1", "two", 3)], "old.csv"))
        again = _csv(tmp_path / "old.csv", "id,response\nR1,one\nr1,two\n")
        report = project.import_responses(again)
        assert (report.added, report.unchanged) == (0, 2)


def _codebook():  # type: ignore[no-untyped-def]
    from codewell.codebook import load_codebook

    return load_codebook(CODEBOOK)
