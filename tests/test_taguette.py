"""The Taguette bridge (codewell.io.taguette) and lenient reading of schema-invalid .qdc files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.codebook import load_codebook, load_codebook_report
from codewell.errors import CodebookError
from codewell.io.refi_qda import write_codebook_qdc
from codewell.io.taguette import read_codebook_csv, read_codebook_csv_report, write_codebook_csv
from codewell.values import Code, Codebook

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT.parent / "shared" / "refi-qda"
runner = CliRunner()

NESTED = Codebook("ward", (
    Code("environment", "Environment", group="place", definition="The ward itself.",
         include=("noise", "cleanliness, hygiene"), colour="#4E79A7"),
    Code("cleanliness", "Cleanliness", group="place", parent="environment",
         keywords=("clean", "dirty"), examples=('"the floor was sticky"',)),
    Code("dr_visits", "Dr. visits", definition="Line one.\nLine two, with a comma."),
))

# What Taguette's codebook export writes (its four columns), in our own words.
TAGUETTE_EXPORT = (
    "tag,description,number of highlights,number of documents\r\n"
    "waiting,Time spent waiting for a bed or a doctor,12,4\r\n"
    "staff,,3,2\r\n"
    "staff.kindness,\"Warmth, patience and respect\",7,3\r\n"
    "food.taste,Meals described as bland or good,2,1\r\n"
)


def test_a_codebook_round_trips_through_a_taguette_csv(tmp_path: Path) -> None:
    path = write_codebook_csv(NESTED, tmp_path / "codebook.csv")
    assert path.stat().st_mode & 0o777 == 0o600
    back = read_codebook_csv(path)
    assert back.codes == NESTED.codes
    assert load_codebook(path).codes == NESTED.codes  # `codewell init --codebook X.csv`


def test_the_csv_has_taguettes_columns_and_dotted_paths(tmp_path: Path) -> None:
    import csv

    path = write_codebook_csv(NESTED, tmp_path / "codebook.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbftag,description\r\n")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert [row[0] for row in rows] == ["tag", "Environment", "Environment.Cleanliness",
                                        "Dr\u2024 visits"]
    assert rows[1][1].splitlines()[0] == "The ward itself."
    assert rows[1][1].endswith("Group: place\nColour: #4E79A7\n\ncodewell id: environment")


def test_a_taguette_export_is_read_with_its_hierarchy(tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text(TAGUETTE_EXPORT, encoding="utf-8")
    codebook, notes = read_codebook_csv_report(path)
    assert codebook.title == "codebook"
    assert [(c.id, c.label, c.parent) for c in codebook.codes] == [
        ("waiting", "waiting", None), ("staff", "staff", None), ("kindness", "kindness", "staff"),
        ("food", "food", None), ("taste", "taste", "food")]
    assert codebook.codes[2].definition == "Warmth, patience and respect"
    assert notes == ["row 5: added 'food', the parent its path names"]


def test_a_label_used_twice_gets_a_unique_tag(tmp_path: Path) -> None:
    twice = Codebook("t", (Code("noise_day", "Noise"), Code("noise_night", "noise")))
    back = read_codebook_csv(write_codebook_csv(twice, tmp_path / "c.csv"))
    assert [(c.id, c.label) for c in back.codes] == [("noise_day", "Noise"),
                                                      ("noise_night", "noise (noise_night)")]


@pytest.mark.parametrize("column", ["Name", "PATH"])
def test_taguettes_other_path_columns_are_accepted(tmp_path: Path, column: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"{column}\nnoise\n", encoding="utf-8")
    assert [c.id for c in read_codebook_csv(path).codes] == ["noise"]


@pytest.mark.parametrize(("text", "message"), [
    ("label,description\nx,y\n", "a Taguette codebook needs exactly one 'tag', 'name' or 'path' "
                                 "column; found no (columns: 'label', 'description')"),
    ("tag,name\nx,y\n", "a Taguette codebook needs exactly one 'tag', 'name' or 'path' column; "
                        "found more than one (columns: 'tag', 'name')"),
    ("tag,description\n,orphan description\n", "row 2: empty tag name"),
    ("tag\nnoise\nnoise\n", "row 3: tag 'noise' is listed twice (first on row 2)"),
    ("tag\n", "there is a header but no tags under it"),
    ("tag\na.b.c\n", "row 2: tag 'a.b.c' is nested 3 levels deep; codewell nests codes one level "
                     "only (codewell init --lenient makes it a child of its top-level code)"),
])
def test_bad_taguette_csvs_name_the_row(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        read_codebook_csv(path)
    separator = ", " if message.startswith("row") else ": "
    assert str(caught.value) == f"{path}{separator}{message}"


def test_a_deep_path_is_attached_to_its_top_level_code_when_lenient(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("tag\na\na.b.c\n", encoding="utf-8")
    codebook, notes = read_codebook_csv_report(path, lenient=True)
    assert [(c.id, c.parent) for c in codebook.codes] == [("a", None), ("c", "a")]
    assert notes == ["row 3: 'a.b.c' attached to 'a'"]


def test_init_reads_a_taguette_csv(tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text(TAGUETTE_EXPORT, encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "p.cw"), "--codebook", str(path)])
    assert result.exit_code == 0, result.output
    assert "with codebook 'codebook' (5 codes)" in result.stdout
    shown = json.loads(runner.invoke(app, ["codebook", "show", str(tmp_path / "p.cw"), "--json"]).stdout)
    assert [(c["id"], c["parent"]) for c in shown["codes"]][2] == ("kindness", "staff")


# ---------------------------------------------------------------- Taguette's .qdc: invalid, flat

TAGUETTE_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.2"><Codes>\
<Code guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F40" name="waiting" isCodable="true"></Code>\
<Code guid="8F1B0A45-2D66-5C2C-8F43-7B1D2E3F4051" name="staff.kindness" isCodable="true"></Code>\
</Codes><Sets></Sets></CodeBook>
"""


def test_taguettes_qdc_is_refused_saying_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "taguette.qdc"
    path.write_text(TAGUETTE_QDC, encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert str(caught.value) == (f"{path}, line 2: <Sets> is empty; REFI-QDA needs at least one "
                                 "<Set> in it")


def test_taguettes_qdc_is_read_leniently_with_its_hierarchy(tmp_path: Path) -> None:
    path = tmp_path / "taguette.qdc"
    path.write_text(TAGUETTE_QDC, encoding="utf-8")
    codebook, problems = load_codebook_report(path, lenient=True)
    assert [(c.id, c.label, c.parent) for c in codebook.codes] == [
        ("waiting", "waiting", None), ("staff", "staff", None), ("kindness", "kindness", "staff")]
    assert problems == ["1 an empty <Sets> (not valid REFI-QDA)",
                        "1 dotted code names read as parent.child",
                        "1 parent codes implied by a dotted name (added)"]


def test_init_lenient_imports_taguettes_qdc_and_says_what_was_wrong(tmp_path: Path) -> None:
    path = tmp_path / "taguette.qdc"
    path.write_text(TAGUETTE_QDC, encoding="utf-8")
    project = tmp_path / "p.cw"
    strict = runner.invoke(app, ["init", str(project), "--codebook", str(path)])
    assert strict.exit_code == 2 and not project.exists()
    assert strict.stderr.strip() == (f"Error: {path}, line 2: <Sets> is empty; REFI-QDA needs at "
                                     "least one <Set> in it")
    lenient = runner.invoke(app, ["init", str(project), "--codebook", str(path), "--lenient"])
    assert lenient.exit_code == 0, lenient.output
    assert "Read leniently: 1 an empty <Sets> (not valid REFI-QDA)" in lenient.stdout
    assert "(3 codes)" in lenient.stdout


# Each variant breaks one rule of Codebook.xsd; the strict reader must refuse all of them, which
# is checked against the schema itself where the shared REFI-QDA folder is present.
VALID_CODE = '<Code guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F40" name="waiting" isCodable="true"/>'
INVALID_QDCS = {
    "empty sets": f"<Codes>{VALID_CODE}</Codes><Sets></Sets>",
    "sets before codes": f'<Sets><Set guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F41" name="s"/></Sets><Codes>{VALID_CODE}</Codes>',
    "no isCodable": '<Codes><Code guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F40" name="w"/></Codes>',
    "bad guid": '<Codes><Code guid="not-a-guid" name="w" isCodable="true"/></Codes>',
    "bad colour": '<Codes><Code guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F40" name="w" isCodable="true" color="red"/></Codes>',
    "unknown attribute": '<Codes><Code guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F40" name="w" isCodable="true" weight="2"/></Codes>',
    "set without name": f'<Codes>{VALID_CODE}</Codes><Sets><Set guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F41"/></Sets>',
    "description after child": '<Codes><Code guid="7E0A9F34-1C55-5B1B-9E32-6A0C1D2E3F40" name="w" isCodable="true">'
                               f'{VALID_CODE.replace("40", "42")}<Description>late</Description></Code></Codes>',
}


@pytest.mark.parametrize("body", INVALID_QDCS.values(), ids=INVALID_QDCS.keys())
def test_schema_invalid_qdc_files_are_refused(tmp_path: Path, body: str) -> None:
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n'
           f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">{body}</CodeBook>\n')
    path = tmp_path / "bad.qdc"
    path.write_text(xml, encoding="utf-8")
    if (SCHEMAS / "Codebook.xsd").is_file():
        from lxml import etree

        schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "Codebook.xsd")))
        assert not schema.validate(etree.fromstring(xml.encode()).getroottree())
    with pytest.raises(CodebookError, match=r"bad\.qdc, line \d+: "):
        load_codebook(path)
    codebook, problems = load_codebook_report(path, lenient=True)
    assert codebook.codes and problems


def test_our_own_qdc_passes_the_strict_reader(tmp_path: Path) -> None:
    path = write_codebook_qdc(NESTED, tmp_path / "ours.qdc")
    assert load_codebook_report(path) == (load_codebook(path), [])
    assert load_codebook(path).codes == NESTED.codes


# ---------------------------------------------------------------- Taguette's own reader

TAGUETTE_PYTHON = os.environ.get("CODEWELL_TAGUETTE_PYTHON")
READ_WITH_TAGUETTE = """
import json, sys
from taguette.import_codebook import list_tags
with open(sys.argv[1], "rb") as handle:
    print(json.dumps(list_tags(handle)))
"""


@pytest.mark.skipif(not TAGUETTE_PYTHON, reason=(
    "Taguette pins SQLAlchemy<1.5 and cannot share codewell's environment; set "
    "CODEWELL_TAGUETTE_PYTHON to the python of a virtualenv where `pip install taguette` ran"))
def test_taguettes_own_codebook_reader_accepts_our_csv(tmp_path: Path) -> None:
    path = write_codebook_csv(NESTED, tmp_path / "codebook.csv")
    done = subprocess.run([TAGUETTE_PYTHON, "-c", READ_WITH_TAGUETTE, str(path)],
                          capture_output=True, text=True, check=True)
    tags = json.loads(done.stdout)
    assert [tag["path"] for tag in tags] == ["Environment", "Environment.Cleanliness", "Dr\u2024 visits"]
    assert tags[1]["description"].endswith("codewell id: cleanliness")
    # a short file with one accented label: the byte-order mark keeps Taguette's guess at UTF-8
    accented = Codebook("t", (Code("attente", "Attente à l'accueil"),))
    path = write_codebook_csv(accented, tmp_path / "fr.csv")
    done = subprocess.run([TAGUETTE_PYTHON, "-c", READ_WITH_TAGUETTE, str(path)],
                          capture_output=True, text=True, check=True)
    assert [tag["path"] for tag in json.loads(done.stdout)] == ["Attente à l'accueil"]
