"""Survey columns of numbers are numbers in Parquet and XLSX exports, wide and streamed alike,
while CSV keeps every cell as imported and anything not purely numbers stays text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.io.attribute_kinds import AttributeKinds, as_numbers, column_kind, plain_number
from codewell.io.export import export_dataset
from codewell.io.export_stream import export_blocks

# Each column is one case; the late rows (a later block when streamed 2 at a time) hold the values
# that decide it: a stray "n/a" after four numbers, the first decimal after whole numbers.
HEADER = ["id", "response", "age (years)", "score", "staff_id", "rating", "phone", "role", "late_decimal"]
ROWS = [
    ["R1", "Helps them understand.", "34", "3.5", "007", "4", "12345678901234567890", "nurse", "1"],
    ["R2", "Worry at home.", "", "-2.25", "12", "5", "98765432109876543210", "radiographer", "2"],
    ["R3", "Talk it through.", "61", "0", "13", "", "11111111111111111111", "nurse", ""],
    ["R4", "n/a", "-7", "10.0", "14", "3", "22222222222222222222", "", "3"],
    ["R5", "Must come with the report.", "0", "3.50", "15", "n/a", "33333333333333333333", "sonographer", "4.5"],
]


@pytest.fixture
def survey(empty_project, tmp_path: Path):
    """The survey imported into a real project (a file, or a server database where marked),
    coded by ana (R1-R4 finished, R5 left uncoded)."""
    import csv

    data = tmp_path / "survey.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    empty_project.import_responses(data, text_column="response", id_column="id")
    empty_project.apply_codings({"ana": {"R1": frozenset({"understanding"}), "R2": frozenset({"anxiety"}),
                                         "R3": frozenset(), "R4": frozenset()}}, "test")
    return empty_project


def streamed(project, out: Path, **options) -> None:
    """The CLI's streamed export, in blocks of two responses (so a column's deciding value
    arrives after its schema is fixed)."""
    project.export_stream(None, lambda attributes, blocks: export_blocks(
        blocks, attributes, out, coder="ana", **options), block=2, with_log=options.get("layout") == "long")


def cli(*args: object) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def test_parquet_read_by_pandas_has_number_columns_and_text_left_as_written(survey, tmp_path: Path) -> None:
    import pandas as pd
    import pyarrow.parquet as pq

    out = tmp_path / "coded.parquet"
    cli("export", survey.location, "-o", out, "--coder", "ana")
    frame = pd.read_parquet(out)
    assert str(frame["age_years"].dtype) == "Int64"
    assert frame["age_years"].tolist()[0] == 34 and frame["age_years"].isna().tolist() == [False, True, False, False, False]
    assert frame["age_years"].sum() == 34 + 61 - 7 + 0
    assert str(frame["score"].dtype) == "Float64" and frame["score"].tolist() == [3.5, -2.25, 0.0, 10.0, 3.5]
    assert str(frame["late_decimal"].dtype) == "Float64"  # its only decimal comes in the last block
    assert frame["late_decimal"].isna().tolist() == [False, False, True, False, False]
    # a leading zero, a stray word, numbers longer than a double holds, words: text, as written
    assert frame["staff_id"].tolist() == ["007", "12", "13", "14", "15"]
    assert frame["rating"].tolist() == ["4", "5", "", "3", "n/a"]
    assert frame["phone"].tolist() == [row[6] for row in ROWS]
    assert frame["role"].tolist() == ["nurse", "radiographer", "nurse", "", "sonographer"]
    schema = pq.read_schema(out)
    assert schema.field("age_years").metadata == {b"label": b"age (years)"}  # the label stays the header
    assert str(schema.field("phone").type) == "string"


def test_r_arrow_types_are_int64_and_double(survey, tmp_path: Path) -> None:
    """What arrow::read_parquet sees: the Parquet physical types, not pandas' reading of them."""
    import pyarrow.parquet as pq

    out = tmp_path / "coded.parquet"
    cli("export", survey.location, "-o", out, "--coder", "ana")
    types = {field.name: str(field.type) for field in pq.read_schema(out)}
    assert (types["age_years"], types["score"], types["staff_id"], types["rating"]) == \
        ("int64", "double", "string", "string")


def test_xlsx_cells_are_numbers_where_the_column_is_numbers(survey, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "coded.xlsx"
    cli("export", survey.location, "-o", out, "--coder", "ana")
    book = load_workbook(out)
    sheet = book["data"]
    header = [cell.value for cell in sheet[1]]
    column = {name: [row[i] for row in sheet.iter_rows(min_row=2)] for i, name in enumerate(header)}
    assert [(c.value, c.data_type) for c in column["age_years"]] == \
        [(34, "n"), (None, "n"), (61, "n"), (-7, "n"), (0, "n")]  # a blank is an empty cell
    assert [c.value for c in column["score"]] == [3.5, -2.25, 0, 10, 3.5]
    assert all(c.data_type == "n" for c in column["score"])
    assert [(c.value, c.data_type) for c in column["staff_id"][:2]] == [("007", "s"), ("12", "s")]
    assert [(c.value, c.data_type) for c in column["rating"]][-1] == ("n/a", "s")
    assert all(c.data_type == "s" and c.value == row[6] for c, row in zip(column["phone"], ROWS))
    variables = {row[0]: row[1] for row in book["variables"].iter_rows(min_row=2, values_only=True)}
    assert variables["age_years"] == "age (years)" and variables["late_decimal"] == "late_decimal"


@pytest.mark.engines
@pytest.mark.parametrize("format", ["parquet", "xlsx"])
def test_streamed_file_is_the_in_memory_file(survey, tmp_path: Path, format: str) -> None:
    """Each column's kind is known before the first block of two: a block alone would type
    ``rating`` as numbers and ``late_decimal`` as whole numbers."""
    whole, blocks = tmp_path / f"whole.{format}", tmp_path / f"blocks.{format}"
    export_dataset(survey.dataset(), whole, format=format, coder="ana")
    streamed(survey, blocks, format=format)
    if format == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_table(blocks).equals(pq.read_table(whole), check_metadata=True)
        assert str(pq.read_schema(blocks).field("late_decimal").type) == "double"
    else:
        from openpyxl import load_workbook

        def cells(path: Path) -> list[list[tuple[object, str]]]:
            return [[(c.value, c.data_type) for c in row] for row in load_workbook(path)["data"].iter_rows()]

        assert cells(blocks) == cells(whole)


@pytest.mark.parametrize("format", ["parquet", "xlsx"])
def test_long_layout_streams_as_in_memory_and_carries_no_survey_columns(survey, tmp_path: Path,
                                                                     format: str) -> None:
    """The long layout (response, coder, code) has no attribute columns to type: the kinds the
    stream learns first leave it as it was."""
    whole, blocks = tmp_path / f"whole.{format}", tmp_path / f"blocks.{format}"
    export_dataset(survey.dataset(), whole, format=format, layout="long", coder="ana")
    streamed(survey, blocks, format=format, layout="long")
    if format == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(blocks)
        assert table.equals(pq.read_table(whole), check_metadata=True)
        assert "age_years" not in table.column_names and table.num_rows == 4 * len(survey.codebook.ids)
    else:
        from openpyxl import load_workbook

        rows = [list(r) for r in load_workbook(blocks)["data"].iter_rows(values_only=True)]
        assert rows == [list(r) for r in load_workbook(whole)["data"].iter_rows(values_only=True)]
        assert "age_years" not in rows[0]


def test_csv_keeps_every_cell_as_imported(survey, tmp_path: Path) -> None:
    """CSV has no types: ``3.50`` stays ``3.50`` and ``10.0`` stays ``10.0``, streamed or not."""
    import csv

    out, whole = tmp_path / "coded.csv", tmp_path / "whole.csv"
    cli("export", survey.location, "-o", out, "--coder", "ana")
    export_dataset(survey.dataset(), whole, coder="ana")
    assert out.read_bytes() == whole.read_bytes()
    with out.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    wanted = {"age_years": 2, "score": 3, "staff_id": 4, "rating": 5, "phone": 6, "late_decimal": 8}
    for name, index in wanted.items():
        assert [row[name] for row in read] == [row[index] for row in ROWS]
    assert (tmp_path / "coded.variables.csv").read_text(encoding="utf-8").splitlines()[0] == "variable,label,values"


def test_spss_file_types_survey_columns_as_before(survey, tmp_path: Path) -> None:
    """The number rule moved to a shared module; SPSS still reads it the same way."""
    import pyreadstat

    out = tmp_path / "coded.sav"
    cli("export", survey.location, "-o", out, "--coder", "ana")
    frame, meta = pyreadstat.read_sav(out, user_missing=True)
    assert frame["age_years"].tolist()[:1] == [34.0] and frame["age_years"].isna().tolist()[1]
    assert frame["staff_id"].tolist()[0] == "007" and frame["phone"].tolist()[0] == ROWS[0][6]
    assert meta.variable_value_labels["rating"] == {-1.0: "n/a"}  # a stray word: labelled missing


# -- the rule itself ------------------------------------------------------------------------------


def spelled_plainly(text: str) -> bool:
    """An oracle written apart from the module's: an optional minus, digits without a leading
    zero (``0`` alone is one), an optional point and digits, 15 digits at most."""
    body = text[1:] if text.startswith("-") else text
    whole, point, fraction = body.partition(".")
    plain_digits = all(part and part.isascii() and part.isdigit() for part in (whole, *([fraction] if point else [])))
    return plain_digits and (whole == "0" or not whole.startswith("0")) and len(whole) + len(fraction) <= 15


values = st.one_of(
    st.just(""), st.none(),
    st.integers(-10**16, 10**16).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.from_regex(r"-?0[0-9]{1,3}(\.[0-9])?", fullmatch=True),  # leading zeros
    st.sampled_from(["n/a", "+3", " 4", "1e3", "3.", ".5", "-", "1,000", "٣", "34 "]),
    st.text(max_size=4),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(values, max_size=12), st.integers(1, 5))
def test_a_column_is_numbers_only_when_every_answer_is_one_and_they_read_back(column: list[str | None],
                                                                             block: int) -> None:
    present = [v for v in column if v not in (None, "")]
    kind = column_kind(column)
    assert (kind != "text") == (bool(present) and all(spelled_plainly(v) for v in present))
    assert all((plain_number(v) is not None) == spelled_plainly(v) for v in present)
    # learnt a block of responses at a time, the kind is the same as over the whole column
    learnt = AttributeKinds()
    for start in range(0, len(column), block):
        for value in column[start:start + block]:
            learnt.add({} if value is None else {"x": value})
    assert learnt.kinds().get("x", "text") == kind
    if kind == "text":
        return
    assert kind == ("float" if any("." in v for v in present) else "int")
    written = as_numbers(column, kind)
    assert [w is None for w in written] == [v in (None, "") for v in column]
    for text, number in zip(column, written):
        if number is not None:
            assert type(number) is (int if kind == "int" else float)
            assert type(number)(str(number)) == number  # the number's own text reads back to it
            assert Decimal(str(number)) == Decimal(text)  # and is the number the respondent wrote
