"""A survey column holding a rating scale is an ordered category in Parquet, in scale order and
spelled as the respondents wrote it, exactly when the SPSS file numbers it as an ordinal scale;
streamed or whole, on SQLite and PostgreSQL; XLSX and CSV still hold it as text."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codewell.io.attribute_kinds import MAX_CATEGORIES, AttributeKinds
from codewell.io.export import export_dataset
from codewell.io.export_columns import AttributeType
from codewell.io.export_layouts import attribute_types, wide_columns
from codewell.io.export_stream import export_blocks
from codewell.io.stats_attributes import ordinal_categories, typed_attribute

# Read in blocks of two, the first block answers only "Agree" and "disagree", and the one
# "Strongly disagree" and the one "Maybe" come in the last row.
HEADER = ["id", "response", "agreement", "years", "stray", "site", "two_spellings", "once_each"]
ROWS = [
    ["R01", "It helps.", "Agree", "6-10", "Agree", "Leeds", "Agree", "Strongly disagree"],
    ["R02", "Worry.", "disagree", "<2", "Agree", "York", "agree", "Disagree"],
    ["R03", "Talk it through.", "", "2-5", "Disagree", "Leeds", "Disagree", "Neutral"],
    ["R04", "Needs the report.", "STRONGLY AGREE", "11-20", "Agree", "Hull", "Agree", "Agree"],
    ["R05", "Only in clinic.", "Neither agree nor disagree", ">20", "Disagree", "York", "Disagree",
     "Strongly agree"],
    ["R06", "Understanding.", "Agree", "2-5", "Agree", "Leeds", "agree", ""],
    ["R07", "Adherence.", "disagree", "6-10", "Agree", "Hull", "Agree", ""],
    ["R08", "n/a", "", "<2", "Disagree", "York", "Disagree", ""],
    ["R09", "Trust.", "STRONGLY AGREE", "11-20", "Agree", "Leeds", "Agree", ""],
    ["R10", "Anxiety.", "Neither agree nor disagree", ">20", "Agree", "Hull", "agree", ""],
    ["R11", "Privacy.", "Agree", "2-5", "Disagree", "York", "Disagree", ""],
    ["R12", "Fine.", "Strongly disagree", "6-10", "Maybe", "Leeds", "Agree", ""],
]
AGREEMENT = ["Strongly disagree", "disagree", "Neither agree nor disagree", "Agree", "STRONGLY AGREE"]
YEARS = ["<2", "2-5", "6-10", "11-20", ">20"]
TEXT = ["stray", "site", "two_spellings", "once_each"]


def imported(project, tmp_path: Path, header: list[str], rows: list[list[str]]):
    """``rows`` imported into ``project`` (a file, or a server database where marked), coded by
    ana: the first response finished with a code, the rest left uncoded."""
    data = tmp_path / "survey.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    project.import_responses(data, text_column="response", id_column="id")
    project.apply_codings({"ana": {rows[0][0]: frozenset({"understanding"})}}, "test")
    return project


@pytest.fixture
def survey(empty_project, tmp_path: Path):
    return imported(empty_project, tmp_path, HEADER, ROWS)


def streamed(project, out: Path, format: str) -> None:
    """The CLI's streamed export, in blocks of two responses."""
    project.export_stream(None, lambda attributes, blocks: export_blocks(
        blocks, attributes, out, format=format, coder="ana"), block=2)


def codewell(*args: object) -> None:
    """``codewell ...`` as its own process, as a researcher runs it."""
    done = subprocess.run([sys.executable, "-m", "codewell", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def column(index: int) -> list[str]:
    return [row[index] for row in ROWS]


def test_pandas_reads_a_rating_scale_as_an_ordered_categorical_in_scale_order(survey, tmp_path: Path) -> None:
    import pandas as pd

    out = tmp_path / "coded.parquet"
    codewell("export", survey.location, "-o", out, "--coder", "ana")
    frame = pd.read_parquet(out)
    agreement = frame["agreement"]
    assert isinstance(agreement.dtype, pd.CategoricalDtype) and agreement.cat.ordered
    assert list(agreement.cat.categories) == AGREEMENT  # low to high, each as the respondents wrote it
    assert agreement.isna().tolist() == [value == "" for value in column(2)]  # a blank is missing
    assert agreement.dropna().tolist() == [value for value in column(2) if value]
    assert agreement.value_counts(sort=False).index.tolist() == AGREEMENT  # a table comes out in order
    assert (agreement > "disagree").tolist() == [v in AGREEMENT[2:] for v in column(2)]
    years = frame["years"]
    assert years.cat.ordered and list(years.cat.categories) == YEARS  # bands by where they start
    assert years.tolist() == column(3)


def test_r_and_pyarrow_see_an_ordered_dictionary_holding_the_scale(survey, tmp_path: Path) -> None:
    """What ``arrow::read_parquet`` turns into an ordered factor: the Parquet file's own type."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "coded.parquet"
    codewell("export", survey.location, "-o", out, "--coder", "ana")
    schema = pq.read_schema(out)
    assert schema.field("agreement").type == pa.dictionary(pa.int8(), pa.string(), ordered=True)
    assert schema.field("agreement").metadata == {b"label": b"agreement"}
    pandas_columns = {c["name"]: c for c in schema.pandas_metadata["columns"]}
    assert pandas_columns["agreement"]["metadata"] == {"num_categories": 5, "ordered": True}
    read = pq.read_table(out).column("agreement").combine_chunks()
    assert read.dictionary.to_pylist() == AGREEMENT
    assert read.to_pylist() == [value or None for value in column(2)]


def test_a_column_that_is_no_scale_stays_text_as_written(survey, tmp_path: Path) -> None:
    """One answer outside the scale (``Maybe``, in the last row), site names, one point in two
    spellings (``Agree``, ``agree``), each point given once (free answers, not a category)."""
    import pandas as pd
    import pyarrow.parquet as pq

    out = tmp_path / "coded.parquet"
    codewell("export", survey.location, "-o", out, "--coder", "ana")
    frame = pd.read_parquet(out)
    schema = pq.read_schema(out)
    for name in TEXT:
        assert str(schema.field(name).type) == "string", name
        assert not isinstance(frame[name].dtype, pd.CategoricalDtype), name
        assert frame[name].tolist() == column(HEADER.index(name)), name  # blanks stay "" as before


@pytest.mark.engines
def test_streamed_file_is_the_in_memory_file(survey, tmp_path: Path) -> None:
    """The scale is learnt before the first block of two: that block alone holds two points
    of it, and the row holding ``Maybe`` (making ``stray`` text) comes last. Every row group
    carries the whole scale."""
    import pyarrow.parquet as pq

    whole, blocks = tmp_path / "whole.parquet", tmp_path / "blocks.parquet"
    export_dataset(survey.dataset(), whole, format="parquet", coder="ana")
    streamed(survey, blocks, "parquet")
    assert pq.read_table(blocks).equals(pq.read_table(whole), check_metadata=True)
    first = pq.ParquetFile(blocks).read_row_group(0).column("agreement").chunk(0)
    assert first.to_pylist() == ["Agree", "disagree"] and first.dictionary.to_pylist() == AGREEMENT
    assert str(pq.read_schema(blocks).field("stray").type) == "string"


@pytest.mark.engines
def test_a_scale_many_respondents_answered_alike_is_learnt_from_counted_sets(empty_project,
                                                                            tmp_path: Path) -> None:
    """With one survey column the stored attribute sets are its five answers: only how many
    responses carry each set shows each answer is given more than once, as SPSS requires."""
    import pandas as pd
    import pyreadstat

    answers = ["Agree", "Disagree", "Neutral", "Strongly agree", "Strongly disagree"] * 3
    survey = imported(empty_project, tmp_path, ["id", "response", "agreement"],
                      [[f"R{i:02d}", f"Answer {i}.", a] for i, a in enumerate(answers)])
    whole, blocks = tmp_path / "whole.parquet", tmp_path / "blocks.parquet"
    export_dataset(survey.dataset(), whole, format="parquet", coder="ana")
    streamed(survey, blocks, "parquet")
    scale = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    for path in (whole, blocks):
        assert list(pd.read_parquet(path)["agreement"].cat.categories) == scale
    export_dataset(survey.dataset(), tmp_path / "coded.sav", format="sav", coder="ana")
    _, meta = pyreadstat.read_sav(tmp_path / "coded.sav")
    assert meta.variable_measure["agreement"] == "ordinal"


def test_spss_labels_the_scale_in_the_order_of_the_parquet_categories(survey, tmp_path: Path) -> None:
    """The two files agree column by column: ordered in Parquet exactly where SPSS says ordinal,
    and the value labels, by value, are the categories."""
    import pandas as pd
    import pyreadstat

    parquet, sav = tmp_path / "coded.parquet", tmp_path / "coded.sav"
    codewell("export", survey.location, "-o", parquet, "--coder", "ana")
    codewell("export", survey.location, "-o", sav, "--coder", "ana")
    frame = pd.read_parquet(parquet)
    _, meta = pyreadstat.read_sav(sav)
    for name in HEADER[2:]:
        ordered = isinstance(frame[name].dtype, pd.CategoricalDtype)
        assert ordered == (meta.variable_measure[name] == "ordinal"), name
        if ordered:
            labels = [label for _, label in sorted(meta.variable_value_labels[name].items())]
            assert labels == list(frame[name].cat.categories), name
    assert {name for name in HEADER[2:] if meta.variable_measure[name] == "ordinal"} == {"agreement", "years"}


def test_xlsx_and_csv_write_the_scale_as_text_as_before(survey, tmp_path: Path) -> None:
    """XLSX: the same workbook, byte for byte, as one written with every survey column as text
    (this survey has no column of numbers). CSV: the answers as imported, streamed or whole, and
    an ordinal column handed to the CSV writer gives the bytes of the text column."""
    from codewell.io.export_csv import write_csv_pair
    from codewell.io.export_xlsx import write_dataset_xlsx
    from codewell.report.non_answers import NonAnswers

    ds = survey.dataset()
    xlsx, as_text = tmp_path / "coded.xlsx", tmp_path / "text.xlsx"
    codewell("export", survey.location, "-o", xlsx, "--coder", "ana")
    write_dataset_xlsx(ds, ("ana",), wide_columns(ds, ("ana",), numbers=False), as_text, NonAnswers())
    with zipfile.ZipFile(xlsx) as written, zipfile.ZipFile(as_text) as text:
        assert written.namelist() == text.namelist()
        assert all(written.read(part) == text.read(part) for part in written.namelist())

    out, whole = tmp_path / "coded.csv", tmp_path / "whole.csv"
    codewell("export", survey.location, "-o", out, "--coder", "ana")
    export_dataset(ds, whole, coder="ana")
    assert out.read_bytes() == whole.read_bytes()
    with out.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert [row["agreement"] for row in read] == column(2) and [row["years"] for row in read] == column(3)
    typed = wide_columns(ds, ("ana",), numbers=True)
    assert [c.kind for c in typed if c.name in ("agreement", "years")] == ["ordinal", "ordinal"]
    write_csv_pair(typed, tmp_path / "typed.csv", tmp_path / "typed.variables.csv", raw=False)
    assert (tmp_path / "typed.csv").read_bytes() == whole.read_bytes()


# -- the rule itself ------------------------------------------------------------------------------


def test_the_pass_keeps_at_most_a_scales_worth_of_answers_per_column() -> None:
    learnt = AttributeKinds()
    for i in range(MAX_CATEGORIES + 1):
        learnt.add({"comment": f"answer {i}", "agreement": ["Agree", "Disagree"][i % 2]}, 2)
    assert learnt.answers("comment") == {}  # more distinct answers than a category has: no scale
    assert learnt.answers("agreement") == {"Agree": 32, "Disagree": 30}
    assert attribute_types(learnt) == {"comment": AttributeType("text"),
                                       "agreement": AttributeType("ordinal", ("Disagree", "Agree"))}


answers = st.sampled_from([
    "", "Agree", "agree", "AGREE", "Disagree", "Strongly agree", "strongly disagree", "Neutral",
    "Somewhat agree", "Never", "Sometimes", "always", "Good", "Excellent", "very poor",
    "<2", "2-5", "6-10", ">20", "2 to 5 years", "65+", "Maybe", "Leeds", "n/a", "3", "4.5", "007"])


@settings(max_examples=300, deadline=None)
@given(st.lists(answers, max_size=14), st.integers(1, 4))
def test_the_parquet_scale_is_the_spss_ordinal_scale_however_it_is_counted(column_values: list[str],
                                                                           block: int) -> None:
    """Whatever the answers, Parquet's categories are exactly the labels, by value, of an SPSS
    ordinal variable (and there are none where SPSS writes anything else); the streamed pass,
    learning from distinct sets with their counts or from responses a few at a time, decides
    the same."""
    spss = typed_attribute(column_values, "sav")
    wanted = (tuple(label for _, label in sorted(spss.labels.items()))
              if spss.values is not None and spss.measure == "ordinal" else None)
    present = Counter(v for v in column_values if v)
    assert ordinal_categories(present) == wanted
    by_sets, by_blocks = AttributeKinds(), AttributeKinds()
    for value, count in Counter(column_values).items():
        by_sets.add({"x": value}, count)
    for start in range(0, len(column_values), block):
        for value in column_values[start:start + block]:
            by_blocks.add({"x": value})
    expected = AttributeType("ordinal", wanted) if wanted else None
    for learnt in (by_sets, by_blocks):
        found = attribute_types(learnt).get("x", AttributeType("text"))
        assert found == expected if expected else found.kind != "ordinal"
