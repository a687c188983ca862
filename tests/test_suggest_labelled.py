"""Labelled CSV files: the layout, and a clear error or a tested behaviour for every bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codewell.errors import DataFileError
from codewell.values import Code, Codebook
from codewell.suggest.labelled import read_labelled

BOOK = Codebook(title="t", codes=(Code("waiting", "Waiting"), Code("food", "Food"),
                                  Code("anxiety", "Anxiety")))


def write(tmp_path: Path, text: str, name: str = "labelled.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_ids_texts_and_labels_in_codebook_order(tmp_path):
    path = write(tmp_path, 'id,response,food,waiting,anxiety\nA1,"Cold food, long wait",1,1,0\n'
                           "A2,Fine,0,0,0\n")
    data = read_labelled(path, BOOK)
    assert data.ids == ("A1", "A2") and data.texts == ("Cold food, long wait", "Fine")
    assert data.codes == ("waiting", "food", "anxiety")
    assert data.gold.tolist() == [[1, 1, 0], [0, 0, 0]]
    assert data.label_sets() == [frozenset({"waiting", "food"}), frozenset()]
    assert data.warnings == ()


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="no such labelled file"):
        read_labelled(tmp_path / "nope.csv", BOOK)


@pytest.mark.parametrize(("header", "missing", "hint"), [
    ("id,Responses,waiting,food,anxiety", "response", "did you mean 'Responses'?"),
    ("ID_,response,waiting,food,anxiety", "id", "did you mean 'ID_'?"),
])
def test_missing_id_or_response_column_names_it_with_a_hint(tmp_path, header, missing, hint):
    path = write(tmp_path, header + "\n1,x,0,0,0\n")
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK)
    assert f"no '{missing}' column" in err.value.message and err.value.hint == hint


def test_non_binary_label_names_file_row_and_column(tmp_path):
    path = write(tmp_path, "id,response,waiting,food,anxiety\n1,a,0,0,0\n2,b,0,yes,0\n")
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK)
    assert err.value.message == f"{path}, row 3, column 'food': expected 0 or 1, got 'yes'"


def test_blank_label_is_an_error_too(tmp_path):
    path = write(tmp_path, "id,response,waiting,food,anxiety\n1,a,0,,0\n")
    with pytest.raises(DataFileError, match="row 2, column 'food': expected 0 or 1, got ''"):
        read_labelled(path, BOOK)


def test_codebook_code_missing_from_the_data_is_skipped_with_a_warning(tmp_path):
    path = write(tmp_path, "id,response,waiting,food\n1,a,1,0\n")
    data = read_labelled(path, BOOK)
    assert data.codes == ("waiting", "food")
    assert data.warnings == (f"{path}: no column for code 'anxiety'; it is skipped",)


def test_unknown_code_column_is_ignored_with_a_warning(tmp_path):
    path = write(tmp_path, "id,response,waiting,food,anxiety,fod\n1,a,1,0,0,1\n")
    data = read_labelled(path, BOOK)
    assert data.codes == ("waiting", "food", "anxiety")
    assert data.warnings == (f"{path}: column 'fod' is not a code of the codebook; it is ignored "
                             "(did you mean 'food'?)",)


def test_codes_restrict_what_is_read_and_need_only_their_columns(tmp_path):
    path = write(tmp_path, "id,response,food,extra\n1,a,1,whatever\n")
    data = read_labelled(path, BOOK, codes=["food"])
    assert data.codes == ("food",) and data.gold.tolist() == [[1]] and data.warnings == ()


def test_requested_code_missing_from_the_data_or_the_codebook(tmp_path):
    path = write(tmp_path, "id,response,food\n1,a,1\n")
    with pytest.raises(DataFileError, match="no column for code 'waiting'"):
        read_labelled(path, BOOK, codes=["food", "waiting"])
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK, codes=["fod"])
    assert "'fod' is not in the codebook" in err.value.message and err.value.hint == "did you mean 'food'?"


def test_no_code_column_at_all(tmp_path):
    path = write(tmp_path, "id,response,colour\n1,a,1\n")
    with pytest.raises(DataFileError, match="no column is a code of the codebook"):
        read_labelled(path, BOOK)


def test_empty_and_unreadable_files(tmp_path):
    with pytest.raises(DataFileError, match="not a readable CSV"):
        read_labelled(write(tmp_path, ""), BOOK)
    bad = tmp_path / "latin.csv"
    bad.write_bytes("id,response,food\n1,caf\xe9,1\n".encode("latin-1"))
    with pytest.raises(DataFileError, match="not a readable CSV"):
        read_labelled(bad, BOOK)


def test_float_labels_from_spreadsheets_and_subsets(tmp_path):
    path = write(tmp_path, "id,response,waiting,food,anxiety\n1,a,1.0,0.0,0\n2,b,0,1,1\n3,c,0,0,0\n")
    data = read_labelled(path, BOOK)
    assert data.gold.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 0]]
    part = data.subset([2, 0])
    assert part.ids == ("3", "1") and np.array_equal(part.gold, data.gold[[2, 0]])
    assert data.label_sets([1]) == [frozenset({"food", "anxiety"})]


def test_requested_codes_follow_the_codebook_order(tmp_path):
    path = write(tmp_path, "id,response,waiting,food\n1,a,1,0\n")
    data = read_labelled(path, BOOK, codes=["food", "waiting"])
    assert data.codes == ("waiting", "food") and data.gold.tolist() == [[1, 0]]


@pytest.mark.parametrize(("text", "message"), [
    ("id,response,food,waiting,food\n1,a,1,0,0\n",
     "column 'food' appears 2 times in the header row; each code needs exactly one column"),
    ("id,response,waiting,food,anxiety\n", "no rows under the header row (a labelled file holds "
                                           "coded responses, one per row)"),
])
def test_a_repeated_code_column_or_no_rows_is_an_error(tmp_path, text, message):
    """Pandas read a second 'food' column as 'food.1' (a warning about a column nobody wrote),
    and a file of only a header trained on nothing and said so nowhere."""
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK)
    assert err.value.message == f"{path}: {message}"


@pytest.mark.parametrize(("rows", "message"), [
    ("A1,a,1,0,0\nA2,b,0,1,0\nA1,c,0,0,1\n", "row 4: id 'A1' was already used on row 2; each "
                                             "response needs its own id"),
    ("A1,a,1,0,0\n ,b,0,1,0\n", "row 3: the id is blank; each response needs an id"),
])
def test_every_row_needs_an_id_of_its_own(tmp_path, rows, message):
    """A reference set is stored by id, so a repeated one silently lost a row (59 of 60 kept)."""
    path = write(tmp_path, "id,response,waiting,food,anxiety\n" + rows)
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK)
    assert err.value.message == f"{path}, {message}"


def test_a_workbook_is_told_to_be_saved_as_csv(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "response", "food"])
    path = tmp_path / "labelled.xlsx"
    book.save(path)
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK)
    assert err.value.message == f"{path}: a spreadsheet workbook, not a CSV file"
    assert err.value.hint == "save it from the spreadsheet as CSV (UTF-8), then use that file"


def test_a_missing_short_column_name_gets_no_far_fetched_hint(tmp_path):
    """'id' was 'matched' to 'staff_workload': a two-letter name is inside half of any long one."""
    path = write(tmp_path, "response,waiting,staff_workload\nx,0,0\n")
    with pytest.raises(DataFileError) as err:
        read_labelled(path, BOOK)
    assert "no 'id' column" in err.value.message and err.value.hint is None
