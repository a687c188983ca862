"""Survey readers: every export shape gives the same responses, and bad files give clear errors."""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codewell.errors import DataFileError, UnknownNameError
from codewell.io.readers import SurveyTable, read_survey

# One small survey, written out below in every shape a user may bring. Every text is
# representable in Windows-1252 (pound sign, accents, curly apostrophe, en dash) so the Excel
# export can carry it too.
HEADER = ["id", "profession", "years", "agree", "response"]
ROWS = [
    ["007", "Radiographer", "12", "Agree", "Seeing the scan helps them understand, I think – a lot."],
    ["8", "Radiologist", "3", "Agree", 'They said "oh, that\'s my knee!"\nand it clicked.'],
    ["12", "Sonographer", "25", "Strongly agree", "NA"],
    ["103", "Manager", "7", "Agree", ""],
    ["104", "Educator", "1", "Disagree", "Risk of anxiety if they see it alone, café or home – £ no"],
    ["105", "Radiographer", "9", "Agree", "   "],
    ["106", "Radiographer", "4", "Agree", "It’s empowering;\r\nbut they need the report with it"],
]
EXPECTED = [(row[0], row[4], {"profession": row[1], "years": row[2], "agree": row[3]}) for row in ROWS]


def _frame(header=HEADER, rows=ROWS):
    import pandas as pd

    return pd.DataFrame(rows, columns=header)


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


# A report's title typed in A1 above the header: read as the header, it named one column and
# made the real header row a response.
TITLE = "Staff survey on sharing images, 2026"


def _qualtrics_rows() -> list[list[str]]:
    questions = ["Response ID", "What is your profession?", "Years qualified", "Sharing helps", "Comments"]
    import_ids = [json.dumps({"ImportId": f"QID{index}"}) for index in range(len(HEADER))]
    return [HEADER, questions, import_ids, *ROWS]


def _surveymonkey_rows() -> list[list[str]]:
    sub = ["", "Response", "Open-Ended Response", "Response", "Open-Ended Response"]
    return [HEADER, sub, *ROWS]


VARIANTS = {
    "utf-8": lambda p: _frame().to_csv(p / "s.csv", index=False) or p / "s.csv",
    "utf-8-sig": lambda p: _frame().to_csv(p / "s.csv", index=False, encoding="utf-8-sig") or p / "s.csv",
    "cp1252": lambda p: _frame().to_csv(p / "s.csv", index=False, encoding="cp1252") or p / "s.csv",
    "semicolon": lambda p: _write_csv(p / "s.csv", [HEADER, *ROWS], delimiter=";"),
    "tab": lambda p: _write_csv(p / "s.tsv", [HEADER, *ROWS], delimiter="\t"),
    "utf-16": lambda p: _write_csv(p / "s.txt", [HEADER, *ROWS], encoding="utf-16", delimiter="\t"),
    "qualtrics": lambda p: _write_csv(p / "s.csv", _qualtrics_rows()),
    "surveymonkey": lambda p: _write_csv(p / "s.csv", _surveymonkey_rows()),
    "xlsx": lambda p: _frame().to_excel(p / "s.xlsx", index=False) or p / "s.xlsx",
    "qualtrics-xlsx": lambda p: _write_xlsx(p / "s.xlsx", {"Sheet1": _qualtrics_rows()}),
    "title-xlsx": lambda p: _write_xlsx(p / "s.xlsx", {"Sheet1": [[TITLE], HEADER, *ROWS]}),
    "title-csv": lambda p: _write_csv(p / "s.csv", [[TITLE, "", "", "", ""], HEADER, *ROWS]),
}
# variant -> (encoding, layout, first data row)
DETAILS = {
    "utf-8": ("utf-8", "plain", 2),
    "utf-8-sig": ("utf-8-sig", "plain", 2),
    "cp1252": ("cp1252", "plain", 2),
    "semicolon": ("utf-8", "plain", 2),
    "tab": ("utf-8", "plain", 2),
    "utf-16": ("utf-16", "plain", 2),
    "qualtrics": ("utf-8", "qualtrics", 4),
    "surveymonkey": ("utf-8", "surveymonkey", 3),
    "xlsx": ("utf-8", "xlsx", 2),
    "qualtrics-xlsx": ("utf-8", "qualtrics", 4),
    "title-xlsx": ("utf-8", "xlsx", 3),
    "title-csv": ("utf-8", "plain", 3),
}


def _content(table: SurveyTable) -> list[tuple[str, str, dict[str, str]]]:
    return [(response.id, response.text, response.attributes) for response in table.responses]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_export_shape_gives_the_same_responses(tmp_path: Path, variant: str) -> None:
    table = read_survey(VARIANTS[variant](tmp_path))
    encoding, layout, first_row = DETAILS[variant]
    assert _content(table) == EXPECTED
    assert (table.encoding, table.layout) == (encoding, layout)
    assert [response.row for response in table.responses] == list(range(first_row, first_row + len(ROWS)))
    assert table.text_column == "response" and table.text_column_guessed
    assert table.id_column == "id"
    assert table.empty_ids == ("103", "105")
    assert "using column 'response' for the text (pass --text-column to choose)" in table.notes


def test_notes_say_how_the_file_was_read(tmp_path: Path) -> None:
    notes = {variant: " | ".join(read_survey(VARIANTS[variant](tmp_path)).notes) for variant in VARIANTS}
    assert "Windows-1252" in notes["cp1252"]
    assert "byte-order mark" in notes["utf-8-sig"]
    assert "semicolons" in notes["semicolon"] and "tabs" in notes["tab"]
    assert "Qualtrics export: skipped the question-text and ImportId rows (2-3)" in notes["qualtrics"]
    assert "SurveyMonkey" in notes["surveymonkey"]
    assert (f"row 1 ('{TITLE}') reads as a title above the header; the header is row 2"
            in notes["title-xlsx"])
    assert "2 responses have no text (kept, marked empty)" in notes["utf-8"]
    assert "Windows-1252" not in notes["utf-8"] and "byte-order" not in notes["utf-8"]


def test_cells_are_kept_exactly(tmp_path: Path) -> None:
    table = read_survey(VARIANTS["utf-8"](tmp_path))
    by_id = {response.id: response for response in table.responses}
    assert by_id["12"].text == "NA"
    assert by_id["8"].text == 'They said "oh, that\'s my knee!"\nand it clicked.'
    assert by_id["106"].text == "It’s empowering;\r\nbut they need the report with it"
    assert by_id["105"].text == "   " and by_id["105"].is_empty
    assert "007" in by_id


def test_a_100kb_response_survives(tmp_path: Path) -> None:
    long_text = ("Line with, commas and \"quotes\" – £ and ünïcode.\n" * 2100)[:100_000]
    path = tmp_path / "long.csv"
    _frame(["id", "response"], [["1", long_text], ["2", "short"]]).to_csv(path, index=False)
    assert read_survey(path, text_column="response").responses[0].text == long_text


def test_a_long_response_survives_in_a_workbook(tmp_path: Path) -> None:
    long_text = ("Excel caps a cell at 32767 characters;\nthis stays under. " * 600)[:32_000]
    path = _write_xlsx(tmp_path / "long.xlsx", {"Data": [["id", "response"], ["1", long_text]]})
    assert read_survey(path, text_column="response").responses[0].text == long_text


# --- choosing columns ---------------------------------------------------------------------


def test_text_column_by_name_ignores_case(tmp_path: Path) -> None:
    table = read_survey(VARIANTS["utf-8"](tmp_path), text_column="RESPONSE")
    assert table.text_column == "response" and not table.text_column_guessed
    assert not any("--text-column" in note for note in table.notes)


def test_a_chosen_text_column_need_not_be_the_longest(tmp_path: Path) -> None:
    table = read_survey(VARIANTS["utf-8"](tmp_path), text_column="profession")
    assert [response.text for response in table.responses][:2] == ["Radiographer", "Radiologist"]
    assert "response" in table.responses[0].attributes and "profession" not in table.responses[0].attributes


def test_a_misspelt_text_column_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError) as caught:
        read_survey(VARIANTS["utf-8"](tmp_path), text_column="respnse")
    assert "no column 'respnse'" in caught.value.message
    assert "s.csv" in caught.value.message
    assert caught.value.hint == "did you mean 'response'?"


def test_a_wrong_column_with_nothing_close_lists_the_columns(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError) as caught:
        read_survey(VARIANTS["utf-8"](tmp_path), id_column="zzzzqqqq")
    assert caught.value.hint == "the columns are 'id', 'profession', 'years', 'agree', 'response'"


def test_the_guess_skips_ids_numbers_dates_and_closed_questions(tmp_path: Path) -> None:
    rows = [["ResponseId", "StartDate", "IPAddress", "Likert", "Comment", "Email"]]
    for index in range(20):
        rows.append(
            [
                f"R_{index:030d}",  # longest cells of all, but an id
                f"2024-05-{index + 1:02d} 10:15:00",
                f"192.168.0.{index}",
                ["Strongly agree", "Somewhat disagree"][index % 2],
                ["Yes", f"Helps {index}", f"They understand plan {index} better"][index % 3],
                f"someone.with.a.long.address{index}@hospital.example.org",
            ]
        )
    table = read_survey(_write_csv(tmp_path / "q.csv", rows))
    assert table.text_column == "Comment" and table.id_column == "ResponseId"


def test_a_repetitive_text_column_is_still_found(tmp_path: Path) -> None:
    rows = [["id", "grade", "response"], *[[str(index), "B", ["No", "n/a"][index % 2]] for index in range(10)]]
    assert read_survey(_write_csv(tmp_path / "r.csv", rows)).text_column == "response"


def test_a_column_named_for_free_text_wins_over_longer_answers(tmp_path: Path) -> None:
    """A one-row file chose 'site' ("York Hospital") over 'response' ("Worried"); a closed
    question named 'Response' is still passed over for the real text."""
    one = [["id", "response", "site"], ["r1", "Worried", "York Hospital"]]
    assert read_survey(_write_csv(tmp_path / "one.csv", one)).text_column == "response"
    likert = [["id", "Response", "Why"], *[[str(index), ["Agree", "Disagree"][index % 2],
                                           f"because the scan showed {index} things"] for index in range(12)]]
    assert read_survey(_write_csv(tmp_path / "likert.csv", likert)).text_column == "Why"


def test_no_free_text_column_is_an_error(tmp_path: Path) -> None:
    rows = [["id", "score"], *[[str(index), str(index % 5)] for index in range(10)]]
    with pytest.raises(DataFileError, match="no column looks like free text") as caught:
        read_survey(_write_csv(tmp_path / "n.csv", rows))
    assert "--text-column" in caught.value.hint


@pytest.mark.parametrize("name", ["ResponseId", "Respondent ID", "response_id", "ID"])
def test_conventional_id_columns_are_found(tmp_path: Path, name: str) -> None:
    path = _write_csv(tmp_path / "i.csv", [["response", name], ["some text here", "A1"], ["more text", "A2"]])
    table = read_survey(path, text_column="response")
    assert table.id_column == name and [response.id for response in table.responses] == ["A1", "A2"]
    assert table.responses[0].attributes == {}


def test_without_an_id_column_rows_become_ids(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "r.csv", [["response", "site"], ["first answer", "a"], [], ["third", "b"]])
    table = read_survey(path, text_column="response")
    assert table.id_column is None
    assert [(response.id, response.row) for response in table.responses] == [("row-2", 2), ("row-4", 4)]
    assert table.responses[0].attributes == {"site": "a"}
    assert any("no id column" in note for note in table.notes)
    assert "skipped 1 empty row" in table.notes


def test_blank_lines_above_the_header_count_as_rows(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_bytes("\r\n\r\nid,response\r\n1,caf\xe9 \r\n\r\n2,b\r\n".encode("cp1252"))
    table = read_survey(tmp_path / "b.csv", text_column="response")
    assert [(r.id, r.text, r.row) for r in table.responses] == [("1", "caf\xe9 ", 4), ("2", "b", 6)]
    assert table.encoding == "cp1252"


def test_id_column_by_name_and_ids_are_stripped(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", [["ref", "response"], [" 01 ", "text a"], ["02", "text b"]])
    table = read_survey(path, id_column="Ref", text_column="response")
    assert table.id_column == "ref" and [response.id for response in table.responses] == ["01", "02"]


def test_duplicate_ids_are_listed_with_their_rows(tmp_path: Path) -> None:
    rows = [["id", "response"], ["1", "a b"], ["2", "c d"], ["1", "e f"], ["3", "g"], ["2", "h"]]
    with pytest.raises(DataFileError) as caught:
        read_survey(_write_csv(tmp_path / "d.csv", rows))
    assert caught.value.message.endswith(
        "d.csv: 2 ids are used more than once in column 'id': '1' (rows 2, 4), '2' (rows 3, 6)"
    )


def test_many_duplicate_ids_are_counted(tmp_path: Path) -> None:
    rows = [["id", "response"], *[[str(index // 2), "text here"] for index in range(20)]]
    with pytest.raises(DataFileError) as caught:
        read_survey(_write_csv(tmp_path / "d.csv", rows), text_column="response")
    assert "10 ids are used more than once" in caught.value.message
    assert caught.value.message.endswith("'4' (rows 10, 11) and 5 more")


def test_empty_ids_name_their_rows(tmp_path: Path) -> None:
    rows = [["id", "response"], ["1", "a b"], ["", "c d"], ["3", "e"], [" ", "f"]]
    with pytest.raises(DataFileError) as caught:
        read_survey(_write_csv(tmp_path / "e.csv", rows))
    assert caught.value.message.endswith("e.csv: empty id in column 'id' at rows 3, 5")


def test_text_and_id_cannot_be_the_same_column(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="both the text and the id"):
        read_survey(VARIANTS["utf-8"](tmp_path), text_column="id")


def test_repeated_and_missing_column_names(tmp_path: Path) -> None:
    rows = [["id", "note", "", "Note", "response", ""], ["1", "a", "x", "b", "the text", ""]]
    table = read_survey(_write_csv(tmp_path / "c.csv", rows), text_column="response")
    assert table.responses[0].attributes == {"note": "a", "column C": "x", "Note (2)": "b"}
    assert "repeated column names were numbered: 'Note (2)'" in table.notes


# --- platform layouts ---------------------------------------------------------------------


def test_surveymonkey_names_come_from_both_header_rows(tmp_path: Path) -> None:
    header = ["Respondent ID", "Collector ID", "Which do you do?", "", "", "Please tell us more", ""]
    sub = ["", "", "Plain X-ray", "CT", "Other (please specify)", "Open-Ended Response", "Response"]
    data = [
        ["111", "9", "Plain X-ray", "", "", "They like seeing the fracture", "x"],
        ["112", "9", "", "CT", "MRI", "Worry about what they find alone", "y"],
    ]
    table = read_survey(_write_csv(tmp_path / "m.csv", [header, sub, *data]))
    assert table.layout == "surveymonkey" and table.id_column == "Respondent ID"
    assert table.text_column == "Please tell us more"
    assert table.responses[1].attributes == {
        "Collector ID": "9",
        "Which do you do? - Plain X-ray": "",
        "Which do you do? - CT": "CT",
        "Which do you do? - Other (please specify)": "MRI",
        "Please tell us more (2)": "y",
    }
    assert [response.row for response in table.responses] == [3, 4]


def test_a_first_answer_saying_response_is_not_surveymonkey(tmp_path: Path) -> None:
    rows = [["id", "response"], ["1", "Response"], ["2", "another answer"]]
    table = read_survey(_write_csv(tmp_path / "p.csv", rows), text_column="response")
    assert table.layout == "plain" and [response.text for response in table.responses] == ["Response", "another answer"]


def test_qualtrics_with_metadata_columns(tmp_path: Path) -> None:
    header = ["StartDate", "Status", "Progress", "Finished", "ResponseId", "Q1", "Q2_TEXT"]
    questions = ["Start Date", "Response Type", "Progress", "Finished", "Response ID", "Agree?", "Why?"]
    ids = ['{"ImportId":"startDate","timeZone":"Europe/London"}', '{"ImportId":"status"}', '{"ImportId":"progress"}',
           '{"ImportId":"finished"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2_TEXT"}']
    data = [
        ["2024-01-02 09:00:00", "IP Address", "100", "True", "R_1", "Agree", "It helps the patient see the break."],
        ["2024-01-02 09:05:00", "IP Address", "100", "True", "R_2", "Agree", "Unsupervised access worries me."],
        ["2024-01-02 09:07:00", "IP Address", "100", "True", "R_3", "Disagree", ""],
    ]
    table = read_survey(_write_csv(tmp_path / "q.csv", [header, questions, ids, *data]))
    assert (table.layout, table.id_column, table.text_column) == ("qualtrics", "ResponseId", "Q2_TEXT")
    assert [response.id for response in table.responses] == ["R_1", "R_2", "R_3"]
    assert table.empty_ids == ("R_3",)


# --- workbooks ----------------------------------------------------------------------------


def test_workbook_cells_read_as_the_text_excel_shows(tmp_path: Path) -> None:
    rows = [
        ["id", "response", "years", "score", "when", "consented", "code"],
        [12, "first", 12.0, 2.5, datetime(2024, 3, 1), True, "007"],
        [13, "second", 3, 0.1, datetime(2024, 3, 1, 14, 30), False, "NA"],
    ]
    table = read_survey(_write_xlsx(tmp_path / "w.xlsx", {"Data": rows}), text_column="response")
    assert [response.id for response in table.responses] == ["12", "13"]
    assert table.responses[0].attributes == {
        "years": "12", "score": "2.5", "when": "2024-03-01", "consented": "TRUE", "code": "007"
    }
    assert table.responses[1].attributes == {
        "years": "3", "score": "0.1", "when": "2024-03-01 14:30:00", "consented": "FALSE", "code": "NA"
    }
    assert table.sheet == "Data" and table.layout == "xlsx"


def test_workbook_sheets(tmp_path: Path) -> None:
    path = _write_xlsx(
        tmp_path / "w.xlsx",
        {"Notes": [["id", "response"], ["n1", "a note"]], "Responses": [["id", "response"], ["r1", "an answer"]]},
    )
    first = read_survey(path, text_column="response")
    assert first.sheet == "Notes" and first.responses[0].id == "n1"
    assert "read sheet 'Notes' (2 sheets; pass --sheet to choose)" in first.notes
    assert read_survey(path, sheet="responses", text_column="response").responses[0].id == "r1"
    with pytest.raises(UnknownNameError) as caught:
        read_survey(path, sheet="Responces")
    assert "no sheet 'Responces' (the sheets are 'Notes', 'Responses')" in caught.value.message
    assert caught.value.hint == "did you mean 'Responses'?"


def test_workbook_rows_count_from_the_top_of_the_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "id", "response"
    sheet["B4"], sheet["C4"] = "a", "first"
    sheet["B6"], sheet["C6"] = "b", "third"
    workbook.save(tmp_path / "w.xlsx")
    table = read_survey(tmp_path / "w.xlsx", text_column="response")
    assert [(response.id, response.row) for response in table.responses] == [("a", 4), ("b", 6)]


def test_files_are_told_apart_by_content_not_name(tmp_path: Path) -> None:
    workbook = _write_xlsx(tmp_path / "w.xlsx", {"Data": [["id", "response"], ["1", "from a workbook"]]})
    renamed = workbook.rename(tmp_path / "actually-a-workbook.csv")
    assert read_survey(renamed, text_column="response").layout == "xlsx"


def test_a_single_column_file(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text('Comments\n"It helps, a lot"\n\nNot sure\n')
    table = read_survey(tmp_path / "one.csv")
    assert table.text_column == "Comments" and table.id_column is None
    assert [(r.id, r.text) for r in table.responses] == [("row-2", "It helps, a lot"), ("row-4", "Not sure")]


def test_an_empty_sheet_is_an_error(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "w.xlsx", {"Blank": []})
    with pytest.raises(DataFileError, match="sheet 'Blank' is empty"):
        read_survey(path)


def test_a_sheet_for_a_csv_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="CSV file, which has no sheets"):
        read_survey(VARIANTS["utf-8"](tmp_path), sheet="Sheet1")


# --- files that cannot be read ------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(DataFileError) as caught:
        read_survey(path)
    return str(caught.value)


def test_missing_file_folder_and_empty_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.csv") == f"{tmp_path / 'nope.csv'}: no such file"
    assert _error(tmp_path) == f"{tmp_path}: is a folder, not a data file"
    (tmp_path / "empty.csv").write_text("")
    assert _error(tmp_path / "empty.csv").endswith("empty.csv: the file is empty")
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    assert _error(tmp_path / "blank.csv").endswith("blank.csv: the file is empty")


def test_a_header_alone_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("id,response\n\n")
    assert "h.csv: there is a header but no responses under it" in _error(tmp_path / "h.csv")
    header_only = _write_csv(tmp_path / "q.csv", _qualtrics_rows()[:3])
    assert "no responses" in _error(header_only)


def test_binary_and_undecodable_files(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_bytes(b"id,response\n1,\x00\x01\x02\n")
    assert _error(tmp_path / "b.csv").startswith(
        f"{tmp_path / 'b.csv'}, row 2: column 2 holds a NUL character")
    (tmp_path / "bin.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50)
    assert _error(tmp_path / "bin.csv").startswith(f"{tmp_path / 'bin.csv'}: an image, not a survey export")
    (tmp_path / "u.csv").write_bytes(b"id,response\n1,ok\n2,bad \x81 byte\n")
    assert _error(tmp_path / "u.csv").startswith(f"{tmp_path / 'u.csv'}, line 3: not UTF-8 or Windows-1252")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert "old-style Excel .xls file or a password-protected workbook" in _error(tmp_path / "old.xls")
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert "not a readable Excel workbook" in _error(tmp_path / "fake.xlsx")


def test_malformed_csv_rows_are_named(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text('id,response\n1,"fine,\nspans two lines"\n2,too,many\n')
    assert _error(tmp_path / "r.csv").startswith(f"{tmp_path / 'r.csv'}, row 3: 3 cells, but the first row has 2")
    (tmp_path / "q.csv").write_text('id,response\n1,ok\n2,"never closed\n3,x\n')
    assert _error(tmp_path / "q.csv").startswith(f"{tmp_path / 'q.csv'}, row 3: a double quote opens a cell")


# --- round trips --------------------------------------------------------------------------

_csv_text = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
# XML 1.0 forbids most control characters, and pandas writes a cell starting with "=" as a formula.
_xlsx_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\r\t")
).filter(lambda text: not text.startswith("="))


def _round_trip(texts: list[str], suffix: str, lineterminator: str = "\r\n") -> list[str]:
    import pandas as pd

    frame = pd.DataFrame({"id": [f"r{index}" for index in range(len(texts))], "response": texts})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"survey.{suffix}"
        if suffix == "csv":
            # With its default "\n" line ending pandas leaves a bare "\r" unquoted, which every
            # CSV reader (Excel too) takes as the end of a row; Excel's own "\r\n" quotes it.
            frame.to_csv(path, index=False, lineterminator=lineterminator)
        else:
            frame.to_excel(path, index=False)
        table = read_survey(path, text_column="response")
    assert [response.id for response in table.responses] == list(frame["id"])
    return [response.text for response in table.responses]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_csv_text, min_size=1, max_size=6))
def test_csv_round_trip_keeps_any_text(texts: list[str]) -> None:
    assert _round_trip(texts, "csv") == texts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_csv_text.filter(lambda text: "\r" not in text), min_size=1, max_size=6))
def test_csv_round_trip_with_unix_line_endings(texts: list[str]) -> None:
    assert _round_trip(texts, "csv", lineterminator="\n") == texts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_csv_text.filter(lambda text: "\r" not in text), min_size=1, max_size=6))
def test_csv_round_trip_with_classic_mac_line_endings(texts: list[str]) -> None:
    assert _round_trip(texts, "csv", lineterminator="\r") == texts


def test_line_feeds_in_a_file_whose_rows_end_in_carriage_returns_stay_in_their_answer(tmp_path: Path) -> None:
    """Rows ended by a lone CR, an answer's own line break a lone LF, unquoted: read as a row end,
    it split the answer into two rows, the second an answer of its own."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b"id,response,site\rR1,first line\nstill the first answer,A\rR2,second,B\r")
    table = read_survey(path)
    assert [(r.id, r.text, dict(r.attributes)) for r in table.responses] == [
        ("R1", "first line\nstill the first answer", {"site": "A"}), ("R2", "second", {"site": "B"})]
    assert any("carriage return" in note for note in table.notes)
    from codewell.io.readers import stream_survey
    from codewell.io.sources import NotStreamable

    with pytest.raises(NotStreamable):  # the import reads such a file whole, as above
        list(stream_survey(path, text_column=None, id_column=None, keep_metadata=False, columns=None,
                           chunk_rows=1).chunks())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_xlsx_text, min_size=1, max_size=6))
def test_xlsx_round_trip_keeps_any_text(texts: list[str]) -> None:
    assert _round_trip(texts, "xlsx") == texts


# ---------------------------------------------------------------- survey platforms' metadata

QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
                  "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
                  "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
                  "DistributionChannel", "UserLanguage"]
QUALTRICS_IDENTIFYING = ["IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                         "ExternalReference", "LocationLatitude", "LocationLongitude"]


def _qualtrics_export(path: Path) -> Path:
    header = [*QUALTRICS_META, "Q1", "Q2_TEXT"]
    questions = [*QUALTRICS_META, "Your role", "Anything else about sharing scans?"]
    import_ids = [json.dumps({"ImportId": name}) for name in header]
    row = ["2024-03-01 09:00:00", "2024-03-01 09:07:12", "IP Address", "203.0.113.7", "100", "432",
           "True", "2024-03-01 09:07:13", "R_1a2b3c", "Okafor", "Jude", "jude@example.org",
           "staff-0042", "51.5072", "-0.1276", "email", "EN", "Radiographer",
           "Patients grasp their diagnosis faster when they see the image"]
    return _write_csv(path, [header, questions, import_ids, row])


def test_qualtrics_identifying_columns_are_left_out_by_default(tmp_path: Path) -> None:
    table = read_survey(_qualtrics_export(tmp_path / "q.csv"))
    response = table.responses[0]
    assert response.id == "R_1a2b3c" and table.text_column == "Q2_TEXT"
    assert not set(QUALTRICS_IDENTIFYING) & set(response.attributes)
    assert [name for name, _ in table.dropped_columns] == QUALTRICS_IDENTIFYING
    assert dict(table.dropped_columns)["LocationLatitude"] == (
        "identifying: a location (latitude/longitude)")
    assert table.metadata_columns == ("StartDate", "EndDate", "Status", "Progress",
                                      "Duration (in seconds)", "Finished", "RecordedDate",
                                      "DistributionChannel", "UserLanguage")
    assert set(response.attributes) == {*table.metadata_columns, "Q1"}
    assert ("left out 7 identifying Qualtrics metadata columns: IPAddress (an IP address), "
            "RecipientLastName (a person's name)") in next(
                note for note in table.notes if note.startswith("left out"))
    assert table.column_details()["dropped_columns"][0] == {
        "column": "IPAddress", "reason": "identifying: an IP address"}


def test_keep_metadata_and_columns_choose_what_comes_in(tmp_path: Path) -> None:
    path = _qualtrics_export(tmp_path / "q.csv")
    kept = read_survey(path, keep_metadata=True)
    assert kept.responses[0].attributes["IPAddress"] == "203.0.113.7"
    assert kept.dropped_columns == ()
    assert any(note.startswith("kept identifying metadata columns (--keep-metadata): IPAddress")
               for note in kept.notes)
    chosen = read_survey(path, columns=["q1", "LocationLatitude"])
    assert chosen.responses[0].attributes == {"Q1": "Radiographer", "LocationLatitude": "51.5072"}
    assert len(chosen.dropped_columns) == len(QUALTRICS_META) - 2
    with pytest.raises(UnknownNameError, match="no column 'Q11' to use as the attribute"):
        read_survey(path, columns=["Q11"])


@pytest.mark.parametrize(("header", "dropped", "metadata"), [
    (["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
      "First Name", "Last Name", "Custom Data 1", "Comments"],
     ["IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"],
     ["Collector ID", "Start Date", "End Date"]),
    (["record_id", "redcap_survey_identifier", "feedback_timestamp", "comments", "feedback_complete"],
     ["redcap_survey_identifier"], ["feedback_timestamp", "feedback_complete"]),
    (["ID", "Start time", "Completion time", "Email", "Name", "Comments"],
     ["Email", "Name"], ["Start time", "Completion time"]),
    (["record_id", "feedback_timestamp", "comments", "feedback_complete"],
     [], ["feedback_timestamp", "feedback_complete"]),
    (["Timestamp", "Email Address", "Comments"], ["Email Address"], ["Timestamp"]),
    (["Timestamp", "Comments"], [], ["Timestamp"]),
], ids=["surveymonkey", "redcap", "microsoft-forms", "redcap-plain", "google-forms",
        "google-forms-anonymous"])
def test_other_platforms_metadata_is_recognised(tmp_path: Path, header: list[str],
                                                dropped: list[str], metadata: list[str]) -> None:
    row = [f"value {n}" for n in range(len(header))]
    row[header.index("Comments") if "Comments" in header else 3] = "The images made the risk real to me"
    path = _write_csv(tmp_path / "s.csv", [header, row])
    table = read_survey(path, text_column="comments")
    assert [name for name, _ in table.dropped_columns] == dropped
    assert list(table.metadata_columns) == metadata


def test_a_plain_survey_keeps_every_column(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", [["id", "Status", "Progress", "Comments"],
                                           ["r1", "nurse", "weekly", "Scans help"]])
    table = read_survey(path, text_column="Comments")
    assert table.dropped_columns == () and table.metadata_columns == ()
    assert table.responses[0].attributes == {"Status": "nurse", "Progress": "weekly"}


def test_the_import_command_says_what_it_left_out(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from codewell.cli.app import app

    runner = CliRunner()
    project = tmp_path / "p.cw"
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml"
    assert runner.invoke(app, ["init", str(project), "--codebook", str(codebook)]).exit_code == 0
    path = _qualtrics_export(tmp_path / "q.csv")
    result = runner.invoke(app, ["import", str(project), str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [d["column"] for d in report["dropped_columns"]] == QUALTRICS_IDENTIFYING
    assert "StartDate" in report["metadata_columns"]
    plain = runner.invoke(app, ["import", str(project), str(path), "--columns", "Q1"])
    assert "left out 16 columns not named in --columns: StartDate" in plain.stdout


def test_stored_attribute_names_can_be_told_apart_as_metadata() -> None:
    from codewell.io.survey_metadata import metadata_attributes

    names = ["StartDate", "Progress", "RecordedDate", "ResponseId", "IPAddress", "Q1", "Role"]
    assert metadata_attributes(names) == {"StartDate", "Progress", "RecordedDate", "IPAddress"}
    assert metadata_attributes(["Status", "Progress", "Role"]) == set()


@pytest.mark.parametrize("rows", [
    [["", "response"], ["0", "Helpful to see it."], ["1", "Worrying without the report."]],  # pandas index
    [["response", ""], ["Helpful to see it.", "North"], ["Worrying without the report.", "12"]],
    [["comment", "", ""], ["Good", "1", "2"], ["Bad", "3", "4"]],  # data in the row below, not names
])
def test_a_header_naming_one_column_is_not_taken_for_a_title(tmp_path: Path, rows: list[list[str]]) -> None:
    table = read_survey(_write_csv(tmp_path / "s.csv", rows))
    assert not any("title" in note for note in table.notes)
    assert len(table.responses) == 2


def _formula_workbook(path: Path, saved: bool) -> Path:
    """A workbook whose answer B2 is a formula, with its value saved (as a spreadsheet saves it)
    or not (as openpyxl and other programs write it)."""
    import zipfile

    _write_xlsx(path, {"Responses": [["id", "response"], ["a1", '=CONCATENATE("sharing ","helps")'],
                                     ["a2", "Seeing the scan with the doctor helped me understand."]]})
    if saved:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = parts[sheet].replace(b'<c r="B2">', b'<c r="B2" t="str">').replace(
            b"<v></v>", b"<v>sharing helps</v>")
        with zipfile.ZipFile(path, "w") as archive:
            for name, body in parts.items():
                archive.writestr(name, body)
    return path


def test_a_formula_with_no_saved_value_is_named_in_a_note(tmp_path: Path) -> None:
    """openpyxl reads such a cell as empty: the answer was imported blank without a word why."""
    unsaved = read_survey(_formula_workbook(tmp_path / "u.xlsx", saved=False), text_column="response")
    assert unsaved.responses[0].text == ""
    assert ("1 cell of sheet 'Responses' holds a formula with no saved value, read as empty (a workbook "
            "written by a program, never opened in a spreadsheet); open it in Excel or LibreOffice, save "
            "it, and import again") in unsaved.notes
    saved = read_survey(_formula_workbook(tmp_path / "s.xlsx", saved=True), text_column="response")
    assert saved.responses[0].text == "sharing helps"
    assert not any("formula" in note for note in saved.notes)
