"""REFI-QDA exchange (codewell.io.refi_qda): schema-valid exports, round trips, safe and lenient import."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from export_samples import ALICE, BOB, TEXTS, sample_dataset

from codewell.codebook import load_codebook
from codewell.errors import ArchiveError, CodebookError
from codewell.io.refi_qda import (
    read_codebook_qdc,
    read_project_qdpx,
    write_codebook_qdc,
    write_project_qdpx,
)
from codewell.values import Code, Codebook

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
FEEDBACK = Path(__file__).resolve().parents[1] / "codebooks" / "patient-feedback.yaml"
needs_schemas = pytest.mark.skipif(
    not (SCHEMAS / "Project.xsd").is_file(),
    reason=f"the REFI-QDA schemas are not at {SCHEMAS} (they live beside the repository)")


def schema(name: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def assert_valid(xsd: str, xml: bytes) -> None:
    from lxml import etree

    checker = schema(xsd)
    assert checker.validate(etree.fromstring(xml).getroottree()), checker.error_log


# ---------------------------------------------------------------- codebooks (.qdc)


def test_codebook_round_trips_through_qdc(tmp_path: Path) -> None:
    codebook = sample_dataset().codebook
    path = write_codebook_qdc(codebook, tmp_path / "image-sharing.qdc")
    back = read_codebook_qdc(path)
    assert back.codes == codebook.codes
    assert back.title == "image-sharing"
    assert load_codebook(path).codes == codebook.codes  # `codewell init --codebook FILE.qdc`


def test_nested_codes_and_groups_round_trip(tmp_path: Path) -> None:
    codebook = load_codebook(FEEDBACK) if FEEDBACK.is_file() else Codebook("t", (
        Code("environment", "Environment", group="place"),
        Code("cleanliness", "Cleanliness", group="place", parent="environment")))
    assert any(code.parent for code in codebook.codes)
    back = read_codebook_qdc(write_codebook_qdc(codebook, tmp_path / "nested.qdc"))
    assert back.codes == codebook.codes


@needs_schemas
def test_exported_codebook_is_schema_valid(tmp_path: Path) -> None:
    for codebook in (sample_dataset().codebook, Codebook("t", (
            Code("a", "A & <b>", colour="#ABCDEF"), Code("b", "Child", parent="a", group="g")))):
        path = write_codebook_qdc(codebook, tmp_path / "c.qdc")
        assert_valid("Codebook.xsd", path.read_bytes())


def qdc(body: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n'
            f'<Codes>{body}</Codes>\n</CodeBook>\n')


GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_unknown_code_element_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.qdc"
    path.write_text(qdc(f'<Code guid="{GUID}" name="Trust" isCodable="true">\n'
                        '<Colour>red</Colour></Code>'))
    with pytest.raises(CodebookError) as error:
        read_codebook_qdc(path)
    assert str(error.value.message) == f"{path}, line 4: unknown element <Colour> in code 'Trust'"
    assert error.value.hint == "REFI-QDA allows only <Description>, <Code> there"


def test_codes_from_other_tools_get_snake_case_ids(tmp_path: Path) -> None:
    path = tmp_path / "other.qdc"
    path.write_text(qdc(
        f'<Code guid="{{{GUID.upper()}}}" name="Patient trust" isCodable="false" color="#abc">'
        '<Description>Trust in staff.</Description>'
        '<Code guid="1b4e28ba-2fa1-11d2-883f-0016d3cca427" name="Patient trust" isCodable="true"/>'
        '</Code><Code guid="6fa459ea-ee8a-3ca4-894e-db77e160355e" name="2nd opinion" isCodable="true"/>'))
    codes = read_codebook_qdc(path).codes
    assert [(c.id, c.label, c.parent) for c in codes] == [
        ("patient_trust", "Patient trust", None), ("patient_trust_2", "Patient trust", "patient_trust"),
        ("code_2nd_opinion", "2nd opinion", None)]
    assert (codes[0].definition, codes[0].colour) == ("Trust in staff.", "#AABBCC")


@pytest.mark.parametrize("text, message", [
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', "not a REFI-QDA codebook"),
    ("<CodeBook", "not well-formed XML"),
    ('<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "declares a DTD"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "has no codes"),
])
def test_broken_codebooks_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.qdc"
    path.write_text(text)
    with pytest.raises(CodebookError, match=message):
        read_codebook_qdc(path)


# ---------------------------------------------------------------- projects (.qdpx)


@needs_schemas
def test_exported_project_is_schema_valid(tmp_path: Path) -> None:
    path = write_project_qdpx(sample_dataset(), tmp_path / "study.qdpx")
    with zipfile.ZipFile(path) as archive:
        assert_valid("Project.xsd", archive.read("project.qde"))


def test_project_round_trips_through_qdpx(tmp_path: Path) -> None:
    ds = sample_dataset()
    project = read_project_qdpx(write_project_qdpx(ds, tmp_path / "study.qdpx"))
    assert project.dropped == []
    assert project.name == "study" and project.users == ("alice", "bob")
    assert project.codebook.codes == ds.codebook.codes
    lf = {rid: text.replace("\r\n", "\n") for rid, text in TEXTS.items()}
    assert [(s.name, s.text) for s in project.sources] == list(lf.items())
    assert project.sources[0].attributes == {"profession": "radiographer", "site": "site 0"}
    for coder, plan in (("alice", ALICE), ("bob", BOB)):
        got: dict[str, set[str]] = {}
        for c in project.codings:
            if c.user == coder:
                assert (c.start, c.end) == (0, len(lf[c.source]))
                got.setdefault(c.source, set()).add(c.code)
        assert got == {rid: codes for rid, codes in plan.items() if codes}
    assert [(m.source, m.user) for m in project.memos] == [("r2", "alice"), ("r5", "alice")]


def test_texts_use_lf_and_positions_count_code_points(tmp_path: Path) -> None:
    path = write_project_qdpx(sample_dataset(), tmp_path / "study.qdpx")
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        ns = {"q": "urn:QDA-XML:project:1.0"}
        source = root.find(".//q:TextSource[@name='r5']", ns)
        stored = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://"))
    assert b"\r" not in stored
    text = stored.decode("utf-8")
    ends = {int(s.get("endPosition")) for s in source.findall("q:PlainTextSelection", ns)}
    assert ends == {len(text)} and len(text) < len(stored)  # code points, not bytes


def test_exports_are_byte_for_byte_stable(tmp_path: Path) -> None:
    ds = sample_dataset()
    first = write_project_qdpx(ds, tmp_path / "a.qdpx").read_bytes()
    assert write_project_qdpx(ds, tmp_path / "b.qdpx", name="a").read_bytes() == first


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("entry", ["../../evil", "sources/../../evil.txt", "/etc/cron.d/evil",
                                   "C:\\evil.txt", "sources\\..\\..\\evil"])
def test_entries_leaving_the_folder_are_refused(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "slip.qdpx"
    path.write_bytes(zip_bytes({"project.qde": b"<Project/>", entry: b"boom"}))
    with pytest.raises(ArchiveError, match="zip-slip"):
        read_project_qdpx(path)


def test_oversized_archives_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(zip_bytes({"project.qde": b"<Project/>", "sources/a.txt": b"0" * 200_000}))
    with pytest.raises(ArchiveError, match="zip bomb"):
        read_project_qdpx(path, max_bytes=100_000)
    with pytest.raises(ArchiveError, match="2 entries is more than the limit of 1"):
        read_project_qdpx(path, max_files=1)


def test_a_header_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"project.qde": b"<Project/>" + b" " * 50_000}))
    # Shrink the declared size in the central directory: the declared-size check passes, but
    # reading stops at the declared size and the checksum gives the lie away.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    path = tmp_path / "liar.qdpx"
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="damaged|zip bomb"):
        read_project_qdpx(path, max_bytes=1_000)


def test_not_a_zip_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.qdpx"
    path.write_text("hello")
    with pytest.raises(ArchiveError, match="not a zip archive"):
        read_project_qdpx(path)


USER = "2f1c1b4e-0000-4000-8000-000000000001"
CAT, TRUST, WAIT, DEEP = (f"2f1c1b4e-0000-4000-8000-00000000001{i}" for i in range(4))
SRC1, SRC2, PIC = (f"2f1c1b4e-0000-4000-8000-00000000002{i}" for i in range(3))
QUALCODER_QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
 name="ward-survey.qda" origin="QualCoder 3.5" creatingUserGUID="{USER}" creationDateTime="2024-05-01T10:00:00Z">
<Users><User guid="{USER}" name="default"/></Users>
<CodeBook><Codes>
 <Code guid="{CAT}" name="Staff" isCodable="false" color="#F781F3">
  <Description>Category</Description>
  <Code guid="{TRUST}" name="Trust in staff" isCodable="true" color="#0B610B"><Description>Feeling safe with the team.</Description>
   <Code guid="{DEEP}" name="Named nurse" isCodable="true"/></Code>
 </Code>
 <Code guid="{WAIT}" name="Waiting" isCodable="true" color="#FFBF00"/>
</Codes></CodeBook>
<Cases><Case guid="2f1c1b4e-0000-4000-8000-000000000031" name="ward A"><SourceRef targetGUID="{SRC1}"/></Case></Cases>
<Sources>
 <TextSource guid="{SRC1}" name="resp-01.txt" plainTextPath="internal://{SRC1}.txt" creatingUser="{USER}" creationDateTime="2024-05-01T10:00:00Z">
  <PlainTextSelection guid="2f1c1b4e-0000-4000-8000-000000000041" name="Nurses" startPosition="0" endPosition="6" creatingUser="{USER}" creationDateTime="2024-05-01T10:01:00Z">
   <Description></Description>
   <Coding guid="2f1c1b4e-0000-4000-8000-000000000051" creatingUser="{USER}"><CodeRef targetGUID="{TRUST}"/></Coding>
  </PlainTextSelection>
  <PlainTextSelection guid="2f1c1b4e-0000-4000-8000-000000000042" name="waited" startPosition="9" endPosition="24" creatingUser="{USER}">
   <Coding guid="2f1c1b4e-0000-4000-8000-000000000052" creatingUser="{USER}"><CodeRef targetGUID="{WAIT}"/></Coding>
  </PlainTextSelection>
  <PlainTextSelection guid="2f1c1b4e-0000-4000-8000-000000000043" startPosition="5" endPosition="999">
   <Coding guid="2f1c1b4e-0000-4000-8000-000000000053"><CodeRef targetGUID="{WAIT}"/></Coding>
  </PlainTextSelection>
 </TextSource>
 <TextSource guid="{SRC2}" name="resp-02.txt">
  <PlainTextContent>Inline text 😊 ok</PlainTextContent>
  <PlainTextSelection guid="2f1c1b4e-0000-4000-8000-000000000044" startPosition="12" endPosition="13" creatingUser="{USER}">
   <Coding guid="2f1c1b4e-0000-4000-8000-000000000054" creatingUser="{USER}"><CodeRef targetGUID="{DEEP}"/></Coding>
  </PlainTextSelection>
 </TextSource>
 <PictureSource guid="{PIC}" name="ward.png" path="internal://{PIC}.png"/>
</Sources>
</Project>
"""


def test_a_qualcoder_project_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "qualcoder.qdpx"
    text = "Nurses I waited three hours\nfor a bed"
    path.write_bytes(zip_bytes({"project.qde": QUALCODER_QDE.encode(),
                                f"Sources/{SRC1}.txt": text.encode(),
                                f"Sources/{PIC}.png": b"\x89PNG"}))
    project = read_project_qdpx(path)
    assert project.name == "ward-survey.qda" and project.users == ("default",)
    assert [(c.id, c.label, c.parent) for c in project.codebook.codes] == [
        ("staff", "Staff", None), ("trust_in_staff", "Trust in staff", "staff"),
        ("named_nurse", "Named nurse", "staff"), ("waiting", "Waiting", None)]
    assert project.codebook.codes[1].definition == "Feeling safe with the team."
    assert [(s.name, s.text) for s in project.sources] == [
        ("resp-01.txt", text), ("resp-02.txt", "Inline text 😊 ok")]
    assert [(c.source, c.user, c.code, c.start, c.end) for c in project.codings] == [
        ("resp-01.txt", "default", "trust_in_staff", 0, 6),
        ("resp-01.txt", "default", "waiting", 9, 24),
        ("resp-02.txt", "default", "named_nurse", 12, 13)]
    assert text[9:24] == "waited three ho"
    assert project.dropped == [
        "1 <Cases> sections (not used by codewell)",
        "1 Picture sources (only text is imported)",
        "1 codes nested deeper than one level (attached to their top-level code)",
        "1 selections outside their source's text",
    ]


def test_guids_are_uuid5_of_the_names() -> None:
    import uuid

    from codewell.io.refi_qda import GUID_NAMESPACE, guid

    for parts in (("code", "anxiety"), ("selection", "alice", "r1", "understanding"), ("source", "é😊")):
        assert guid(*parts) == str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


def test_the_sample_study_round_trips_through_qdpx(tmp_path: Path) -> None:
    from export_samples import STUDY, study_dataset

    if not (STUDY / "labelled.csv").is_file():
        pytest.skip("the sample study is not in samples/image-sharing")
    ds = study_dataset()
    path = write_project_qdpx(ds, tmp_path / "study.qdpx")
    if (SCHEMAS / "Project.xsd").is_file():
        with zipfile.ZipFile(path) as archive:
            assert_valid("Project.xsd", archive.read("project.qde"))
    project = read_project_qdpx(path)
    assert project.dropped == [] and project.codebook.codes == ds.codebook.codes
    texts = {r.id: r.text.replace("\r\n", "\n") for r in ds.responses}
    assert {s.name: s.text for s in project.sources} == texts
    assert project.sources[0].attributes == ds.responses[0].attributes
    got: dict[str, set[str]] = {}
    for c in project.codings:
        got.setdefault(c.source, set()).add(c.code)
    assert got == {rid: set(codes) for rid, codes in ds.codings["gold"].items() if codes}


def test_awkward_text_survives_the_xml(tmp_path: Path) -> None:
    from dataclasses import replace

    from codewell.values import Response

    ds = sample_dataset(coders=("alice",))
    odd = Response("id \"quoted\" & <tagged>", "tab\there & <b>\x0b end\n", 2,
                   {"note": "line one\nline two\r\n", "amp": "a & b"})
    ds = replace(ds, responses=(odd, *ds.responses[1:]),
                 codings={"alice": {odd.id: frozenset({"anxiety"})}},
                 memos={"alice": {odd.id: "memo \x01 with <xml>"}})
    path = write_project_qdpx(ds, tmp_path / "odd.qdpx")
    if (SCHEMAS / "Project.xsd").is_file():
        with zipfile.ZipFile(path) as archive:
            assert_valid("Project.xsd", archive.read("project.qde"))
    project = read_project_qdpx(path)
    source = project.sources[0]
    assert source.name == odd.id
    assert source.text == odd.text  # the text file keeps even characters XML cannot carry
    assert source.attributes == {"note": "line one\nline two", "amp": "a & b"}
    assert project.memos[0].text == "memo  with <xml>"
    assert [(c.source, c.code, c.end) for c in project.codings] == [(odd.id, "anxiety", len(odd.text))]


# ---------------------------------------------------------------- segments: true positions both ways

SEGMENT_TEXTS = {
    "s1": "Café staff explain 😀 scans well.\r\nBut patients worry at home.",
    "s2": "Naïve readers misread shadows; they need the report.",
}


def _segment_project(path: Path):  # type: ignore[no-untyped-def]
    from codewell.project import Project
    from codewell.values import Response

    project = Project.create(path, load_codebook(Path(__file__).parents[1] / "codebooks" / "image-sharing.yaml"))
    project.add_responses([Response(rid, text, n) for n, (rid, text) in enumerate(SEGMENT_TEXTS.items(), 2)], "t")
    return project


def _span(rid: str, passage: str) -> tuple[int, int]:
    start = SEGMENT_TEXTS[rid].index(passage)
    return start, start + len(passage)


def test_segments_go_out_at_their_true_positions_and_come_back(tmp_path: Path) -> None:
    """Two segments with two codes in one response, one more undone, a whole coding beside them;
    the .qdpx is schema-valid, each selection's text is the passage, and re-importing restores
    every span (moved by one per CRLF before it, since the archive's texts use LF)."""
    from codewell.values import Segment

    with _segment_project(tmp_path / "study.cw") as project:
        project.record_segment("ana", "s1", "communication", *_span("s1", "staff explain 😀 scans"))
        project.record_segment("ana", "s1", "anxiety", *_span("s1", "patients worry"))
        project.record_segment("ana", "s1", "adherence", *_span("s1", "at home"))
        project.undo("ana")
        project.record("ana", "s2", "interpretation_difficulty", "apply")
        project.record_segment("ana", "s2", "interpretation_difficulty", *_span("s2", "misread shadows"))
        out = tmp_path / "study.qdpx"
        write_project_qdpx(project.dataset(["ana"]), out)
    selected = _selections(out)
    lf = SEGMENT_TEXTS["s1"].replace("\r\n", "\n")
    assert selected == [
        ("s1", lf.index("staff"), lf.index("staff") + 21, "staff explain 😀 scans"),
        ("s1", lf.index("patients"), lf.index("patients") + 14, "patients worry"),  # one CRLF before: -1
        ("s2", 0, len(SEGMENT_TEXTS["s2"]), SEGMENT_TEXTS["s2"]),
        ("s2", 14, 29, "misread shadows"),
    ]
    assert _span("s1", "patients worry")[0] == lf.index("patients") + 1
    from codewell.project import Project

    back = tmp_path / "back.cw"
    Project.create(back, load_codebook(Path(__file__).parents[1] / "codebooks" / "image-sharing.yaml")).close()
    with Project.open(back) as project:
        report = project.import_responses(out)
        assert ("3 codings of part of a source kept as segments (positions in characters, checked against "
                "the text)") in report.notes
        assert project.segments("ana") == {
            "s1": (Segment("s1", "anxiety", lf.index("patients"), lf.index("patients") + 14),
                   Segment("s1", "communication", lf.index("staff"), lf.index("staff") + 21)),
            "s2": (Segment("s2", "interpretation_difficulty"),
                   Segment("s2", "interpretation_difficulty", 14, 29))}
        again = tmp_path / "again.qdpx"
        write_project_qdpx(project.dataset(["ana"]), again)
    assert _selections(again) == selected  # and out again at the same places


def _selections(path: Path) -> list[tuple[str, int, int, str]]:
    """(source, start, end, the selected text of the archive's file) of every selection, schema checked."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde")
        if (SCHEMAS / "Project.xsd").is_file():
            assert_valid("Project.xsd", qde)
        ns = {"q": "urn:QDA-XML:project:1.0"}
        selected = []
        for source in etree.fromstring(qde).iterfind(".//q:TextSource", ns):
            text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode()
            for sel in source.iterfind("q:PlainTextSelection", ns):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                selected.append((source.get("name"), start, end, text[start:end]))
    return selected


def test_other_tools_segments_are_kept_with_their_positions(tmp_path: Path) -> None:
    """QualCoder's selections become segments: positions are code points (the emoji is one)."""
    from codewell.project import Project
    from codewell.values import Segment

    path = tmp_path / "qualcoder.qdpx"
    text = "Nurses I waited three hours\nfor a bed"
    path.write_bytes(zip_bytes({"project.qde": QUALCODER_QDE.encode(),
                                f"Sources/{SRC1}.txt": text.encode()}))
    study = tmp_path / "study.cw"
    Project.create(study, Codebook(title="empty", codes=(Code("placeholder", "Placeholder"),))).close()
    with Project.open(study) as project:
        report = project.import_responses(path)
        assert project.segments("default") == {
            "resp-01.txt": (Segment("resp-01.txt", "trust_in_staff", 0, 6),
                            Segment("resp-01.txt", "waiting", 9, 24)),
            "resp-02.txt": (Segment("resp-02.txt", "named_nurse", 12, 13),)}
        assert project.response("resp-02.txt").text[12:13] == "😊"
        assert project.codings("default") == {"resp-01.txt": frozenset({"trust_in_staff", "waiting"}),
                                              "resp-02.txt": frozenset({"named_nurse"})}
        assert "left out: 1 selections outside their source's text" in report.notes


def test_redaction_moves_segments_into_the_masked_text(tmp_path: Path) -> None:
    from codewell.io.export import redact_dataset
    from codewell.project import Project
    from codewell.values import Response

    text = "Mail ana.smith@example.org or bo@example.org, I worry a lot about scans."
    with Project.create(tmp_path / "s.cw", load_codebook(Path(__file__).parents[1] / "codebooks" / "image-sharing.yaml")) as project:
        project.add_responses([Response("p1", text, 2)], "t")
        worry = text.index("worry a lot")
        project.record_segment("ana", "p1", "anxiety", worry, worry + len("worry a lot"))
        inside = text.index("smith")
        project.record_segment("ana", "p1", "communication", inside, text.index(" or"))  # inside the e-mail
        ds, masked = redact_dataset(project.dataset(["ana"]))
    assert masked == 2
    out = write_project_qdpx(ds, tmp_path / "redacted.qdpx")
    assert sorted(passage for *_, passage in _selections(out)) == ["[EMAIL]", "worry a lot"]


def test_a_selection_counted_in_utf16_units_is_named_as_such(tmp_path: Path) -> None:
    """"Inline text 😊 ok" is 16 code points and 17 UTF-16 units: a selection ending at 17 fits only
    a tool that counts UTF-16 units (the emoji as two), so it is left out and the reason says so."""
    qde = QUALCODER_QDE.replace('startPosition="12" endPosition="13"', 'startPosition="15" endPosition="17"')
    path = tmp_path / "utf16.qdpx"
    path.write_bytes(zip_bytes({"project.qde": qde.encode(), f"Sources/{SRC1}.txt": b"Nurses I waited"}))
    project = read_project_qdpx(path)
    assert [c.source for c in project.codings].count("resp-02.txt") == 0
    assert ("1 selections past their source's end in characters but not in UTF-16 units (the tool may "
            "count UTF-16 units, which codewell does not)") in project.dropped
