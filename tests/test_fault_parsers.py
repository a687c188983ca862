"""Hostile and broken input files (issue 9, cases 12-14 and the .qdpx reader): one clear line, never a
traceback, nothing expanded or inflated, and the project file untouched after a refused import."""

from __future__ import annotations

import codecs
import gc
import io
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner
from xlsx_parts import (
    BILLION_LAUGHS,
    DECLARATION,
    EXTERNAL_ENTITY,
    MAIN_NS,
    parts,
    with_doctype,
    workbook_bytes,
)

from codewell.cli.app import app
from codewell.codebook import load_codebook
from codewell.errors import ArchiveError, CodebookError, CodewellError, DataFileError
from codewell.io.codings_reader import read_codings
from codewell.io.readers import read_survey
from codewell.io.refi_qda import read_project_qdpx
from codewell.io.xml_safety import ArchiveLimits, check_xml_bytes, scan_xml_members

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
SURVEY = "id,response\nr1,Seeing the scan helped\nr2,Worried about reading it alone\n"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "p.cw"
    assert run("init", path, "--codebook", CODEBOOK).exit_code == 0
    return path


def refused(project: Path, *args: object) -> str:
    """Run a command that must fail as bad input; return its one error line."""
    before = project.read_bytes() if project.exists() else None
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    if before is not None:
        assert project.read_bytes() == before
    return lines[0]


def error_of(path: Path, reader=read_survey) -> str:
    with pytest.raises(CodewellError) as caught:
        reader(path)
    return str(caught.value)


# ------------------------------------------------------------ case 12: encodings and empty files

BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE}


@pytest.mark.parametrize("bom", BOMS.values(), ids=BOMS.keys())
def test_a_file_that_is_only_a_byte_order_mark_has_no_header(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(bom)
    expected = (f"{path}: has no header row and no rows (only a byte-order mark or blank lines) "
                "(export the survey again; the file is empty)")
    assert error_of(path) == expected
    assert error_of(path, read_codings) == expected


def test_bom_only_files_are_refused_by_import_and_import_codings(
        tmp_path: Path, project_file: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le"))
    message = (f"Error: {path}: has no header row and no rows (only a byte-order mark or blank "
               "lines) (export the survey again; the file is empty)")
    assert refused(project_file, "import", project_file, path) == message
    assert refused(project_file, "import", project_file, path, "--codings") == message


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_wide_encodings_are_read_exactly_with_or_without_a_mark(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.csv"
    text = 'id,response\r\nr1,"Héllo, 😊 — ""quoted""\nsecond line"\r\nr2,€ plain\r\n'
    path.write_bytes(text.encode(encoding))
    table = read_survey(path)
    assert [(r.id, r.text) for r in table.responses] == [
        ("r1", 'Héllo, 😊 — "quoted"\nsecond line'), ("r2", "€ plain")]
    assert table.encoding == encoding
    assert not any("\x00" in r.text or "\x00" in r.id for r in table.responses)


def test_utf32_import_through_the_cli_stores_clean_text(tmp_path: Path, project_file: Path) -> None:
    path = tmp_path / "u32.csv"
    path.write_bytes(SURVEY.encode("utf-32"))
    result = run("import", project_file, path)
    assert result.exit_code == 0, result.output
    assert "read as UTF-32" in result.stdout and "Imported 2 new responses" in result.stdout


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_nul_character_in_a_cell_is_refused_naming_the_row(tmp_path: Path, encoding: str,
                                                              project_file: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes("id,response\nr1,fine\nr2,\"bro\x00ken\"\n".encode(encoding))
    expected = (f"{path}, row 3: column 2 holds a NUL character, which is not text; refusing the "
                "file (remove the NUL characters (a damaged or binary export) and import again)")
    assert error_of(path) == expected
    assert refused(project_file, "import", project_file, path) == f"Error: {expected}"


def test_a_nul_character_in_an_xlsx_cell_is_refused(tmp_path: Path) -> None:
    members = parts((("id", "response"), ("r1", "fine"), ("r2", "also fine")))
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b'<c r="B3" t="s"><v>5</v></c>', b'<c r="B3" t="inlineStr"><is><t>a&#0;b</t></is></c>')
    path = tmp_path / "nul.xlsx"
    path.write_bytes(workbook_bytes(members))
    # NUL cannot be written in XML 1.0 at all, not even as a character reference
    assert error_of(path).startswith(f"{path}: not a readable Excel workbook (reference to invalid")


# ------------------------------------------------------------ case 13: hostile workbooks

HOSTILE_PARTS = ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml",
                 "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"]


@pytest.mark.parametrize("doctype", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
@pytest.mark.parametrize("member", HOSTILE_PARTS)
def test_a_dtd_anywhere_in_a_workbook_is_refused_before_parsing(
        tmp_path: Path, member: str, doctype: bytes) -> None:
    members = parts()
    members[member] = with_doctype(members[member], doctype)
    if member == "xl/sharedStrings.xml":
        members[member] = members[member].replace(b"Seeing the scan", b"&lol3;&secret;")
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(workbook_bytes(members))
    assert error_of(path) == (
        f"{path}:{member}: declares a DTD (<!DOCTYPE>), which spreadsheets and REFI-QDA files "
        "never need and entity attacks rely on; refusing it")


def test_a_hostile_workbook_import_leaves_the_project_unchanged(
        tmp_path: Path, project_file: Path) -> None:
    members = parts()
    members["xl/sharedStrings.xml"] = with_doctype(members["xl/sharedStrings.xml"], BILLION_LAUGHS)
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(workbook_bytes(members))
    line = refused(project_file, "import", project_file, path)
    assert line.startswith(f"Error: {path}:xl/sharedStrings.xml: declares a DTD")


def test_a_dtd_hidden_behind_comments_or_in_utf16_is_still_found() -> None:
    padding = b"<!--" + b" " * 70_000 + b"-->"
    with pytest.raises(DataFileError, match="prolog runs past"):
        check_xml_bytes(DECLARATION.encode() + padding + b"<!DOCTYPE x []><x/>", "x.xml", DataFileError)
    with pytest.raises(DataFileError, match="declares a DTD"):
        check_xml_bytes(b"<!-- a --><?pi ?>\n<!DOCTYPE x []><x/>", "x.xml", DataFileError)
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x []><x/>'.encode("utf-16")
    with pytest.raises(DataFileError, match="declares a DTD"):
        check_xml_bytes(utf16, "x.xml", DataFileError)
    check_xml_bytes(b"<x>text mentioning <!DOCTYPE in CDATA is not a prolog</x>", "x.xml",
                    DataFileError)


def _bomb(path: Path, megabytes: int) -> Path:
    """A workbook whose shared strings inflate to ``megabytes`` MB of one cell, written in a stream."""
    members = parts()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name != "xl/sharedStrings.xml":
                archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w") as handle:
            handle.write(f'{DECLARATION}<sst xmlns="{MAIN_NS}"><si><t>id</t></si><si><t>'
                         "response</t></si><si><t>r1</t></si><si><t>".encode())
            block = b"a" * (1 << 20)
            for _ in range(megabytes):
                handle.write(block)
            handle.write(b"</t></si><si><t>r2</t></si><si><t>x</t></si></sst>")
    return path


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path, project_file: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 40)
    assert path.stat().st_size < 100_000
    message = error_of(path)
    assert message.startswith(f"{path}: entry 'xl/sharedStrings.xml' is compressed ")
    assert message.endswith("times (more than 200); refusing a possible zip bomb")
    assert refused(project_file, "import", project_file, path) == f"Error: {message}"


def _set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the central directory so ``member`` claims to inflate to ``size`` bytes."""
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name:
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in the archive")


def test_a_member_declaring_a_huge_size_is_refused_without_inflating(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(_set_declared_size(workbook_bytes(parts()), "xl/worksheets/sheet1.xml",
                                        600 << 20))
    assert error_of(path) == (f"{path}: entry 'xl/worksheets/sheet1.xml' unpacks to 629,145,600 "
                              "bytes, more than the limit of 536,870,912; refusing a possible "
                              "zip bomb")


def test_a_member_whose_header_understates_its_size_stops_at_the_declared_size(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "liar.xlsx", 8)
    path.write_bytes(_set_declared_size(path.read_bytes(), "xl/sharedStrings.xml", 1000))
    message = error_of(path)
    assert message.startswith(f"{path}:xl/sharedStrings.xml: the entry is damaged or unreadable")


def test_an_over_long_cell_is_refused_while_streaming(tmp_path: Path) -> None:
    members = parts((("id", "response"), ("r1", "x" * 5000), ("r2", "short")))
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(members))) as archive:
        limits = ArchiveLimits(max_text_run=4096)
        with pytest.raises(DataFileError, match="holds a cell or value of more than 4,096 bytes"):
            scan_xml_members(archive, "w.xlsx", DataFileError, limits)
        scan_xml_members(archive, "w.xlsx", DataFileError, ArchiveLimits(max_text_run=8192))


def test_an_ordinary_workbook_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(workbook_bytes(parts()))
    assert [r.text for r in read_survey(path).responses] == [
        "Seeing the scan helped me", "Too hard to read alone"]


# ------------------------------------------------------------ case 14: deep codebooks

def _deep_yaml(levels: int) -> str:
    lines, indent = ["title: deep", "codes:"], ""
    for n in range(levels):
        lines += [f"{indent}- id: level_{n}", f"{indent}  label: Level {n}", f"{indent}  children:"]
        indent += "    "
    lines += [f"{indent}- id: leaf", f"{indent}  label: Leaf"]
    return "\n".join(lines) + "\n"


def test_a_yaml_codebook_thousands_of_levels_deep_is_one_codebook_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(_deep_yaml(1000))
    assert error_of(path, load_codebook) == (
        f"{path}, line 12: the codebook is nested too deeply under code 'level_2'; codes nest one "
        "level only (a code's children have no children)")
    flow = tmp_path / "flow.yaml"
    flow.write_text("title: t\ncodes: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in error_of(flow, load_codebook)
    assert refused(tmp_path / "none.cw", "init", tmp_path / "none.cw", "--codebook", path).startswith(
        f"Error: {path}, line 12: the codebook is nested too deeply")
    assert not (tmp_path / "none.cw").exists()


def _deep_qdc(levels: int) -> str:
    opening = "".join(f'<Code guid="00000000-0000-4000-8000-{n:012d}" name="Level {n}" '
                      'isCodable="true">' for n in range(levels))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
            f'origin="another tool"><Codes>{opening}{"</Code>" * levels}</Codes></CodeBook>\n')


def test_a_qdc_codebook_thousands_of_levels_deep_is_one_codebook_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.qdc"
    path.write_text(_deep_qdc(3000))
    message = error_of(path, load_codebook)
    assert message.startswith(f"{path}, line 2: not well-formed XML (Excessive depth")
    assert isinstance(pytest.raises(CodebookError, load_codebook, path).value, CodebookError)


def test_a_qdc_nested_three_levels_names_the_code(tmp_path: Path) -> None:
    path = tmp_path / "three.qdc"
    path.write_text(_deep_qdc(3))
    assert error_of(path, load_codebook) == (
        f"{path}, line 2: code 'Level 2' is nested 3 levels deep; codewell nests codes one level "
        "only (codewell init --lenient attaches deeper codes to their top-level code)")


# ------------------------------------------------------------ .qdpx: hostile archives, bad users

USER = "4c1f7b6e-0000-4000-8000-000000000001"
SOURCE = "4c1f7b6e-0000-4000-8000-000000000002"
CODE = "4c1f7b6e-0000-4000-8000-000000000003"


def _qde(user: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="a tool">
<Users><User guid="{USER}" name="{user}"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Waiting" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{SOURCE}" name="resp-1" plainTextPath="internal://{SOURCE}.txt">
<PlainTextSelection guid="4c1f7b6e-0000-4000-8000-000000000004" startPosition="0" endPosition="4">
<Coding guid="4c1f7b6e-0000-4000-8000-000000000005" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>
</PlainTextSelection></TextSource></Sources>
</Project>""".encode()


def _qdpx(path: Path, qde: bytes, text: bytes = b"Long wait for a bed") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{SOURCE}.txt", text)
    return path


@pytest.mark.parametrize(("name", "problem"), [
    ("Smith, Ana", "contains a comma"),
    ("", "is blank"),
    ("   ", "is blank"),
    ("a" * 200, "is 200 characters long (at most 64)"),
])
def test_a_qdpx_user_who_cannot_be_a_coder_is_refused_while_reading(
        tmp_path: Path, project_file: Path, name: str, problem: str) -> None:
    path = _qdpx(tmp_path / "bad-user.qdpx", _qde(name))
    expected = (f"{path}, line 3: user '{name[:80]}' {problem}, so it cannot be a coder name; "
                "nothing was imported (rename the user in the QDA tool (a short name without "
                "commas) and export again)")
    assert error_of(path, read_project_qdpx) == expected
    assert refused(project_file, "import", project_file, path) == f"Error: {expected}"


def test_a_good_qdpx_user_reads(tmp_path: Path) -> None:
    project = read_project_qdpx(_qdpx(tmp_path / "ok.qdpx", _qde("Ana Smith")))
    assert project.users == ("Ana Smith",)
    assert [(c.user, c.code) for c in project.codings] == [("Ana Smith", "waiting")]


def test_a_qdpx_with_a_dtd_or_a_nul_in_a_source_is_refused(tmp_path: Path) -> None:
    hostile = _qde("ana").replace(b"?>\n", b"?>\n" + EXTERNAL_ENTITY.replace(b"sst", b"Project"), 1)
    path = _qdpx(tmp_path / "dtd.qdpx", hostile)
    assert error_of(path, read_project_qdpx) == (
        f"{path}:project.qde: declares a DTD (<!DOCTYPE>), which spreadsheets and REFI-QDA files "
        "never need and entity attacks rely on; refusing it")
    path = _qdpx(tmp_path / "nul.qdpx", _qde("ana"), b"Long\x00wait")
    assert error_of(path, read_project_qdpx) == (
        f"{path}:sources/{SOURCE}.txt: holds a NUL character, which is not text; refusing the "
        "archive (the file is damaged or not plain text)")


def test_a_qdpx_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _qde("ana"))
        with archive.open(f"sources/{SOURCE}.txt", "w") as handle:
            for _ in range(20):
                handle.write(b"w" * (1 << 20))
    with pytest.raises(ArchiveError, match=r"is compressed [\d,]+ times \(more than 200\)"):
        read_project_qdpx(path)


# ------------------------------------------------------------ no process-wide side effects

def test_a_large_import_leaves_the_garbage_collector_running(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("id,group,response\n" + "".join(
        f"r{n},g{n % 7},answer number {n} about the scan\n" for n in range(20_000)))
    collections: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        table = read_survey(path)
    finally:
        gc.callbacks.remove(seen)
    assert len(table.responses) == 20_000 and gc.isenabled()
    assert collections, "the collector never ran: something paused it for the whole process"
