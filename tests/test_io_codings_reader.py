"""Codings made in a spreadsheet: read in long format, then vetted against a project as a whole."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from codewell.errors import DataFileError
from codewell.io.codings_reader import CodingsTable, check_codings, read_codings

CODES = ("understanding", "communication", "adherence", "interpretation_difficulty", "anxiety")


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_long_format_becomes_coder_response_codes(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "codings.csv",
        [
            ["ID", "Coder", "Code", "note"],
            ["r1", "alice", "understanding", "x"],
            ["r1", "alice", " communication ", ""],
            ["r1", "alice", "understanding", ""],
            ["r2", " alice", "", ""],
            ["r1", "bob", "anxiety", ""],
            [],
            ["007", "bob", "", ""],
        ],
    )
    table = read_codings(path)
    assert table.codings == {
        "alice": {"r1": frozenset({"understanding", "communication"}), "r2": frozenset()},
        "bob": {"r1": frozenset({"anxiety"}), "007": frozenset()},
    }
    assert table.path == path


def test_codings_can_come_from_a_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["id", "coder", "code"])
    workbook.active.append([7, "alice", "adherence"])
    workbook.save(tmp_path / "codings.xlsx")
    assert read_codings(tmp_path / "codings.xlsx").codings == {"alice": {"7": frozenset({"adherence"})}}


def test_missing_columns_are_named_with_a_hint(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", [["id", "coders", "label"], ["r1", "alice", "anxiety"]])
    with pytest.raises(DataFileError) as caught:
        read_codings(path)
    assert caught.value.message.endswith(
        "c.csv: a codings file needs the columns id, coder and code; "
        "missing 'coder', 'code' (found 'id', 'coders', 'label')"
    )
    assert "for 'coder': did you mean 'coders'?" in caught.value.hint


def test_an_empty_coder_names_the_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "c.csv",
        [["id", "coder", "code"], ["r1", "alice", "anxiety"], ["r2", "", "anxiety"], ["r3", "  ", ""]],
    )
    with pytest.raises(DataFileError) as caught:
        read_codings(path)
    assert caught.value.message.endswith("c.csv: empty coder at rows 3, 4")


def test_an_empty_id_names_the_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", [["id", "coder", "code"], ["r1", "alice", ""], ["", "alice", "anxiety"]])
    with pytest.raises(DataFileError) as caught:
        read_codings(path)
    assert caught.value.message.endswith("c.csv: empty id at row 3")


def test_a_header_without_codings_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="header but no codings"):
        read_codings(_write(tmp_path / "c.csv", [["id", "coder", "code"]]))


def test_file_errors_are_the_survey_readers(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        read_codings(tmp_path / "absent.csv")


def test_known_ids_and_codes_pass(tmp_path: Path) -> None:
    table = CodingsTable({"alice": {"r1": frozenset({"anxiety"}), "r2": frozenset()}})
    check_codings(table, ["r1", "r2", "r3"], CODES)


def test_every_unknown_response_and_code_is_listed_at_once(tmp_path: Path) -> None:
    table = CodingsTable(
        {
            "alice": {"r1": frozenset({"anxeity", "understanding"}), "r9": frozenset()},
            "bob": {"r8": frozenset({"privacy_and_data"}), "r9": frozenset({"adherance"})},
        },
        path=Path("codings.csv"),
    )
    with pytest.raises(DataFileError) as caught:
        check_codings(table, ["r1", "r2"], CODES)
    assert caught.value.message == (
        "codings.csv: 2 response id(s) not in the project: 'r8', 'r9'; "
        "3 code(s) not in the codebook: 'adherance' (did you mean 'adherence'?), "
        "'anxeity' (did you mean 'anxiety'?), 'privacy_and_data'"
    )
    assert "nothing was imported" in caught.value.hint


def test_a_header_cell_holding_a_line_break_is_named_on_one_line(tmp_path) -> None:
    """Found by the fuzz suite: the 'found' list printed a header cell's newline as a line break."""
    import pytest

    from codewell.errors import DataFileError
    from codewell.io.codings_reader import read_codings

    path = tmp_path / "codings.csv"
    path.write_text('"a\nb",x\n1,2\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_codings(path)
    assert "\n" not in caught.value.message
    assert "'a\\nb'" in caught.value.message


def test_a_file_of_another_survey_is_counted_past_ten_and_sent_to_import_the_survey_first() -> None:
    """A codings file imported before its survey named all 190 ids on one line and said only to
    fix the file; the survey is what is missing."""
    table = CodingsTable({"ana": {f"IS{i:03}": frozenset({"anxiety"}) for i in range(1, 191)}},
                         path=Path("codings.csv"))
    with pytest.raises(DataFileError) as caught:
        check_codings(table, [], CODES)
    assert caught.value.message == (
        "codings.csv: 190 response id(s) not in the project: "
        + ", ".join(f"'IS{i:03}'" for i in range(1, 11)) + " and 180 more")
    assert "import the survey these codings belong to first" in caught.value.hint
    with pytest.raises(DataFileError) as partly:  # some rows match: the file is what needs fixing
        check_codings(table, ["IS001"], CODES)
    assert "import the survey" not in partly.value.hint
