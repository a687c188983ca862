"""Bad input and output safety from the command line, as a researcher (or a hostile tester) hits
them: each case found broken by a probe, with the exact message, the exit code, and the project or
file left as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def coded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small coded project (ana finished r1-r3, r4 not yet), built once for the module."""
    folder = tmp_path_factory.mktemp("probe")
    project = folder / "study.cw"
    data = folder / "data.csv"
    data.write_text("id,response,STR5,Site\n"
                    "r1,Worried about what they see,a,x\n"
                    "r2,Helps them understand,b,y\n"
                    "r3,Nothing to add,a,x\n"
                    "r4,Could frighten some patients,b,y\n", encoding="utf-8")
    codings = folder / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr2,ana,understanding\nr3,ana,\n",
                       encoding="utf-8")
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data),
                 ("import", project, codings, "--codings")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def coded(coded_template: Path, tmp_path: Path) -> Path:
    from conftest import copy_project

    return copy_project(coded_template, tmp_path / "study.cw")


def test_a_column_named_like_a_stata_string_type_still_exports_to_stata(coded: Path) -> None:
    """Stata reserves str1 ... str2045; a survey column 'STR5' made readstat refuse the whole file
    with 'A provided name is a reserved word' and a hint about disk space."""
    import pyreadstat

    from codewell.io.variable_names import variable_name

    assert [variable_name(n) for n in ("str5", "STR80", "str", "strong", "str5x")] == \
        ["str5_", "STR80_", "str_", "strong", "str5x"]
    out = coded.parent / "coded.dta"
    result = run("export", coded, "-o", out)
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(out))
    assert "STR5_" in frame.columns and meta.column_names_to_labels["STR5_"] == "STR5"


def test_export_to_a_folder_without_format_says_it_is_a_folder(coded: Path) -> None:
    """``-o results`` (a folder) used to say the suffix '' names no format."""
    folder = coded.parent / "results"
    folder.mkdir()
    before = digest(coded)
    result = run("export", coded, "-o", folder, "--coder", "ana")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {folder} is a folder, not a file (give a file name inside it, "
                             f"e.g. {folder / 'export.csv'})\n")
    assert list(folder.iterdir()) == [] and digest(coded) == before


@pytest.mark.parametrize(("name", "fmt", "named"), [("coded.xlsx", "csv", "xlsx"),
                                                    ("coded.csv", "qdpx", "csv"),
                                                    ("coded.sav", "dta", "sav")])
def test_export_format_that_contradicts_the_suffix_is_refused(coded: Path, name: str, fmt: str,
                                                              named: str) -> None:
    """``-o coded.xlsx --format csv`` wrote CSV text into a file Excel then calls damaged."""
    out = coded.parent / name
    out.write_bytes(b"an earlier export")
    before = digest(coded)
    result = run("export", coded, "-o", out, "--format", fmt, "--coder", "ana")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {out}: the suffix '{out.suffix}' is for {named}, but --format is "
                             f"{fmt} (name the file {out.stem}.{fmt}, or leave out --format)\n")
    assert out.read_bytes() == b"an earlier export" and digest(coded) == before


def test_export_format_where_the_suffix_names_none_or_taguette_csv_is_fine(coded: Path) -> None:
    out = coded.parent / "coded.txt"
    assert run("export", coded, "-o", out, "--format", "csv", "--coder", "ana").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("id,response,")
    tags = coded.parent / "tags.csv"
    assert run("export", coded, "-o", tags, "--format", "taguette-csv").exit_code == 0


CODE_WITH = "title: T\ncodes:\n  - id: {id}\n    label: Worry\n    colour: {colour}\n"


@pytest.mark.parametrize(("code_id", "expected"), [
    ("5", "code id '5' must be snake_case (try 'code_5')"),
    ("sorge_ü", "code id 'sorge_ü' must be snake_case (try 'sorge_u')"),
    ("Fear of results", "code id 'Fear of results' must be snake_case (try 'fear_of_results')"),
    ("😀", "code id '😀' must be snake_case"),
])
def test_a_bad_code_id_hints_an_id_that_is_accepted(tmp_path: Path, code_id: str, expected: str) -> None:
    """The hint for '5' was 'try '5'' and for 'sorge_ü' 'try 'sorge'': not ids, or another word."""
    from codewell.codebook import CODE_ID, _snake

    book = tmp_path / "book.yaml"
    book.write_text(CODE_WITH.format(id=code_id, colour='"#4E79A7"'), encoding="utf-8")
    result = run("init", tmp_path / "study.cw", "--codebook", book)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {book}, line 3: {expected}\n"
    assert not (tmp_path / "study.cw").exists()
    assert _snake(code_id) == "" or CODE_ID.match(_snake(code_id))


def test_an_unquoted_colour_says_the_hash_starts_a_comment(tmp_path: Path) -> None:
    """``colour: #4E79A7`` is a YAML comment, so the colour read as ''."""
    book = tmp_path / "book.yaml"
    book.write_text(CODE_WITH.format(id="worry", colour="#4E79A7"), encoding="utf-8")
    result = run("init", tmp_path / "study.cw", "--codebook", book)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {book}, line 5: colour '' of 'worry' must look like #4E79A7 "
                             '(write it in quotes, colour: "#4E79A7": in YAML a # after a space '
                             "starts a comment)\n")
    assert not (tmp_path / "study.cw").exists()


@pytest.mark.parametrize(("options", "expected"), [
    (("--size", "2", "--seed", "99999999999999999999999"),
     "--seed must be between -2**63 and 2**63 - 1, not 99999999999999999999999"),
    (("--plan", "--alpha-min", "2"), "--alpha-min must be between 0 and 1, not 2.0"),
    (("--plan", "--alpha-min", "-1"), "--alpha-min must be between 0 and 1, not -1.0"),
    (("--plan", "--level", "0"), "--level must be between 0 and 0.5, not 0.0"),
    (("--plan", "--level", "1.5"), "--level must be between 0 and 0.5, not 1.5"),
])
def test_sample_options_out_of_range_are_one_line(coded: Path, options: tuple[str, ...],
                                                  expected: str) -> None:
    """A seed SQLite cannot store, and a plan's alpha or level out of range, were tracebacks."""
    before = digest(coded)
    result = run("sample", coded, *options)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {expected}\n"
    assert digest(coded) == before


def test_sample_takes_the_extreme_seeds_a_set_can_keep(coded: Path) -> None:
    for seed, name in ((2**63 - 1, "high"), (-2**63, "low")):
        result = run("sample", coded, "--size", "2", "--seed", seed, "--name", name)
        assert result.exit_code == 0, result.output
        assert f"(seed {seed})" in result.stdout


@pytest.mark.parametrize("coder", ["", " ana", "ana,ben"])
def test_code_refuses_an_unusable_coder_name_before_the_screen(coded: Path, coder: str) -> None:
    """``code --coder ''`` opened the coding screen, which then failed at the first key."""
    before = digest(coded)
    result = run("code", coded, "--coder", coder)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: '{coder}' is not a usable coder name (use a short name (up to 64 "
                             "characters) without commas or control characters, e.g. 'ana')\n")
    assert digest(coded) == before


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_suggest_limit_below_one_is_an_error_not_an_empty_answer(coded: Path, tmp_path: Path,
                                                                 limit: str) -> None:
    """``--limit -3`` printed "No responses to suggest codes for." on a project with uncoded ones."""
    out = tmp_path / "s.csv"
    before = digest(coded)
    for extra in ((), ("-o", out)):
        result = run("suggest", coded, "--coder", "ana", "--limit", limit, *extra)
        assert result.exit_code == 2
        assert result.stderr == f"Error: --limit must be at least 1, not {limit}\n"
    assert digest(coded) == before and not out.exists()


def test_a_labelled_file_imported_as_codings_says_what_it_is(coded: Path, tmp_path: Path) -> None:
    """A wide file (id, response, one column per code) given to --codings was told: for 'code',
    did you mean 'medicolegal'?"""
    wide = tmp_path / "labelled.csv"
    wide.write_text("id,response,anxiety,medicolegal\nr1,Worried,1,0\n", encoding="utf-8")
    before = digest(coded)
    result = run("import", coded, wide, "--codings")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {wide}: a codings file needs the columns id, coder and code; missing 'coder', 'code' "
        "(found 'id', 'response', 'anxiety', 'medicolegal') (this looks like responses or a labelled "
        "file (one column per code); a codings file has one row per response, coder and code applied, "
        "as 'codewell export --layout long' writes)\n")
    assert digest(coded) == before


def test_a_missing_codings_column_is_not_matched_to_another_required_one(coded: Path,
                                                                         tmp_path: Path) -> None:
    """Missing 'coder' was hinted "did you mean 'code'?", a column the file needs as well."""
    codings = tmp_path / "codings.csv"
    codings.write_text("id,code\nr1,anxiety\n", encoding="utf-8")
    result = run("import", coded, codings, "--codings")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {codings}: a codings file needs the columns id, coder and code; "
                             "missing 'coder' (found 'id', 'code')\n")


def test_a_codings_file_imported_as_responses_points_to_codings(coded: Path, tmp_path: Path) -> None:
    codings = tmp_path / "codings.csv"
    codings.write_text("id,coder,code\nr1,ben,anxiety\nr1,ben,privacy\n", encoding="utf-8")
    before = digest(coded)
    result = run("import", coded, codings)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {codings}: 1 id is used more than once in column 'id': 'r1' "
                             "(rows 2, 3) (this looks like a codings file (id, coder, code): import it "
                             "with --codings)\n")
    assert digest(coded) == before


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A project whose codebook, attribute names and answers all start like spreadsheet formulas."""
    book = tmp_path / "book.yaml"
    book.write_text('title: T\ncodes:\n  - id: worry\n    label: "=1+1 Worry"\n'
                    '    definition: "-2+3 is how it starts"\n  - id: trust\n    label: "@Trust"\n',
                    encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text('id,response,"=HYPERLINK(""http://x"",""y"")"\n'
                    "r1,=1+2,=cmd|' /C calc'!A0\nr2,@cmd,plain\nr3,- fine as it is,x\n", encoding="utf-8")
    codings = tmp_path / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,worry\nr2,ana,worry\nr3,ana,worry\n", encoding="utf-8")
    project = tmp_path / "hostile.cw"
    for args in (("init", project, "--codebook", book), ("import", project, data, "--text-column", "response"),
                 ("import", project, codings, "--codings")):
        assert run(*args).exit_code == 0
    return project


def test_quotes_as_csv_neutralise_formulas_like_every_csv(hostile: Path) -> None:
    """``report --quotes CODE --format csv`` wrote =1+2, @cmd and =cmd|... (a DDE payload in an
    attribute) and a =HYPERLINK header straight into a CSV a spreadsheet runs."""
    import csv
    import io

    before = digest(hostile)
    result = run("report", hostile, "--quotes", "worry", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["id", "start", "end", "quote", "'=HYPERLINK(\"http://x\",\"y\")"],
                    ["r1", "", "", "'=1+2", "'=cmd|' /C calc'!A0"],
                    ["r2", "", "", "'@cmd", "plain"],
                    ["r3", "", "", "- fine as it is", "x"]]
    quotes = json.loads(run("report", hostile, "--quotes", "worry", "--format", "json").stdout)["quotes"]
    assert [q["text"] for q in quotes] == ["=1+2", "@cmd", "- fine as it is"]  # exact there
    assert digest(hostile) == before


def test_taguette_csv_neutralises_formulas_and_reads_back_exactly(hostile: Path, tmp_path: Path) -> None:
    """The Taguette codebook CSV wrote '=1+1 Worry' as a bare formula cell."""
    import csv

    out = tmp_path / "tags.csv"
    assert run("export", hostile, "-o", out, "--format", "taguette-csv").exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0] == "'=1+1 Worry" and rows[1][1].startswith("'-2+3 is how it starts")
    assert rows[2][0] == "'@Trust"
    again = tmp_path / "again.cw"
    assert run("init", again, "--codebook", out).exit_code == 0
    shown = json.loads(run("codebook", "show", again, "--json").stdout)
    codes = {c["id"]: c for c in shown["codes"]}
    assert codes["worry"]["label"] == "=1+1 Worry" and codes["trust"]["label"] == "@Trust"
    assert codes["worry"]["definition"] == "-2+3 is how it starts"
    raw = tmp_path / "raw.csv"
    assert run("export", hostile, "-o", raw, "--format", "taguette-csv", "--raw").exit_code == 0
    assert raw.read_text(encoding="utf-8-sig").splitlines()[1].startswith("=1+1 Worry,")


def test_suggestions_csv_neutralises_formula_like_ids(tmp_path: Path) -> None:
    """``suggest -o FILE.csv`` wrote an id such as +3-1 or =cmd|... as a bare cell."""
    import csv

    data = tmp_path / "data.csv"
    data.write_text("id,response\n+3-1,I worry about the scan\n=cmd|x!A0,They understand it\n"
                    "r3,Helps explain\n", encoding="utf-8")
    project, out = tmp_path / "s.cw", tmp_path / "suggestions.csv"
    assert run("init", project, "--codebook", CODEBOOK).exit_code == 0
    assert run("import", project, data).exit_code == 0
    result = run("suggest", project, "-o", out)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        ids = [row[0] for row in csv.reader(handle)][1:]
    assert ids == ["'+3-1", "'=cmd|x!A0", "r3"]


def test_control_characters_a_workbook_cannot_hold_keep_words_apart_and_are_named(tmp_path: Path) -> None:
    """XML cannot carry a vertical tab (Word's manual line break) or a form feed: they were
    dropped, running the words either side together ("scanI felt"). They become line breaks;
    other control characters are left out; the summary says how many cells; CSV keeps them."""
    import pandas as pd

    data = tmp_path / "data.csv"
    data.write_text("id,response\nr1,I saw the scan\x0bI felt calm\nr2,page one\x0cpage two\n"
                    "r3,bell\x07 rang\nr4,plain answer\n", encoding="utf-8")
    project, out = tmp_path / "c.cw", tmp_path / "c.xlsx"
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data)):
        assert run(*args).exit_code == 0
    codings = tmp_path / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr2,ana,\nr3,ana,\nr4,ana,\n", encoding="utf-8")
    assert run("import", project, codings, "--codings").exit_code == 0
    result = run("export", project, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("; 3 cells held control characters a workbook cannot store: vertical tabs "
                                  "and form feeds became line breaks, any others were left out (CSV and "
                                  "Parquet keep them as they are)\n")
    frame = pd.read_excel(out, sheet_name="data", dtype=str)
    assert list(frame["response"]) == ["I saw the scan\nI felt calm", "page one\npage two", "bell rang",
                                       "plain answer"]
    result = run("export", project, "-o", tmp_path / "c.csv")
    assert result.exit_code == 0 and "cannot store" not in result.stdout
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as handle:
        assert "I saw the scan\x0bI felt calm" in handle.read()


def test_xlsx_export_says_when_a_text_is_longer_than_excel_shows(tmp_path: Path) -> None:
    """A 40,000-character answer went into the workbook without a word; Excel cuts a cell at
    32,767 characters (UTF-16 units: 20,000 emoji are 40,000 of them)."""
    import pandas as pd

    long_text, emoji = "word " * 8_000, "\U0001F600" * 20_000
    data = tmp_path / "data.csv"
    data.write_text(f"id,response\nr1,{long_text}\nr2,{emoji}\nr3,short answer\n", encoding="utf-8")
    codings = tmp_path / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr3,ana,\n", encoding="utf-8")
    project, out = tmp_path / "long.cw", tmp_path / "long.xlsx"
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data),
                 ("import", project, codings, "--codings")):
        assert run(*args).exit_code == 0
    result = run("export", project, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("; 2 cells are longer than the 32,767 characters Excel shows: Excel "
                                  "cuts them when it opens the file (CSV and Parquet keep the whole text)\n")
    frame = pd.read_excel(out, sheet_name="data", dtype=str)
    assert list(frame["response"]) == [long_text, emoji, "short answer"]  # written whole
    result = run("export", project, "-o", tmp_path / "long_layout.xlsx", "--layout", "long")
    assert result.exit_code == 0 and "Excel" not in result.stdout  # no response text in it


@pytest.mark.parametrize(("columns", "column", "role"), [("response", "response", "text"),
                                                         ("ID,Site", "id", "id")])
def test_import_columns_naming_the_text_or_id_says_so(coded: Path, tmp_path: Path, columns: str,
                                                      column: str, role: str) -> None:
    """``--columns response`` said there was "no column 'response'" in a file that has one."""
    data = tmp_path / "more.csv"
    data.write_text("id,response,Site\nr9,Another answer,x\n", encoding="utf-8")
    before = digest(coded)
    result = run("import", coded, data, "--columns", columns)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {data}: column '{column}' is the {role} of each response, not an "
                             "attribute (leave it out of --columns; it is imported anyway)\n")
    assert digest(coded) == before


def test_import_with_sheet_does_not_advise_passing_sheet(coded: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["note"])
    book.active.append(["a summary, not responses"])
    answers = book.create_sheet("Responses")
    answers.append(["id", "response"])
    answers.append(["r9", "Another answer"])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    result = run("import", coded, path, "--sheet", "Responses")
    assert result.exit_code == 0, result.output
    assert "pass --sheet" not in result.output
    assert "Imported 1 new responses" in result.stdout


def test_a_codebook_that_is_a_folder_a_project_or_a_workbook_says_what_it_is(tmp_path: Path,
                                                                            coded: Path) -> None:
    """``--codebook study.cw`` or ``survey.xlsx`` said "not UTF-8 text (byte 106)"."""
    from openpyxl import Workbook

    book = tmp_path / "survey.xlsx"
    Workbook().save(book)
    formats = ("(a codebook is a YAML file (.yaml), a REFI-QDA codebook (.qdc) or a Taguette codebook "
               "(.csv))")
    for given, expected in (
            (tmp_path, f"{tmp_path} is a folder, not a codebook file"),
            (coded, f"{coded}: a codewell project (or another database), not a codebook"),
            (book, f"{book}: a zip archive (an Excel workbook or a .qdpx project?), not a codebook")):
        result = run("init", tmp_path / "new.cw", "--codebook", given)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {expected} {formats}\n"
        assert not (tmp_path / "new.cw").exists()
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Sörge\n".encode("latin-1"))
    result = run("init", tmp_path / "new.cw", "--codebook", latin)
    assert result.stderr == f"Error: {latin}: not UTF-8 text (byte 8) (save it as UTF-8 in your editor)\n"


@pytest.mark.parametrize(("name", "options", "named"), [
    ("book.qdc", ["--layout", "long", "--names", "names.txt"], "--layout, --names: do not apply to a REFI-QDA codebook (.qdc)"),
    ("all.qdpx", ["--raw"], "--raw: does not apply to a REFI-QDA project (.qdpx)"),
    ("all.qdpx", ["--non-answers", "n/a"], "--non-answers: does not apply to a REFI-QDA project (.qdpx)"),
    ("tags.csv", ["--format", "taguette-csv", "--redact"], "--redact: does not apply to a Taguette codebook CSV"),
    ("data.xlsx", ["--raw"], "--raw: does not apply to a wide xlsx file"),
    ("data.csv", ["--include-uncoded"], "--include-uncoded: does not apply to a wide csv file"),
    ("passages.csv", ["--layout", "segments", "--non-answers", "n/a"], "--non-answers: does not apply to a segments csv file"),
])
def test_an_export_option_the_output_does_not_use_is_refused(coded: Path, tmp_path: Path, name, options, named) -> None:
    """Ignored, the option would be read as applied: a '--raw' project, uncoded rows in a wide file."""
    result = run("export", coded, "-o", tmp_path / name, *options)
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "codewell export --help" in result.stderr
    assert result.stderr.count("(") == result.stderr.count(")") == named.count("(") + 1  # one hint, not nested
    assert not (tmp_path / name).exists()
