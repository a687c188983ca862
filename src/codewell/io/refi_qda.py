"""REFI-QDA 1.0, the exchange standard of NVivo, ATLAS.ti, MAXQDA and QualCoder.

A codebook travels as a ``.qdc`` XML file, a whole project as a ``.qdpx`` zip (``project.qde`` plus
each source's text under ``sources/``). Exports validate against the standard's schemas; imports
are lenient about what other tools add and list what they dropped.

Choices that make a round trip clean:

- **GUIDs** are uuid5 of codewell's ids, so exporting the same data twice gives the same file.
- **Code ids.** A REFI code has a GUID and a display name, no id. The name is the code's label (what
  other tools show); the ``Description`` holds the definition, then ``Include:``/``Exclude:``/
  ``Keywords:``/``Examples:`` lists and a last line ``codewell id: <id>``. On import that line gives
  the id back (and the lists are parsed); a code from another tool gets its name in snake_case.
  List items are written one per line, so a line break inside an item becomes a space.
- **Groups** are REFI ``Sets`` of codes, one per group, which other tools show as code sets.
- **Nesting.** codewell nests codes one level; deeper codes from other tools are attached to their
  top-level ancestor.
- **Codings are selections**: each coding is a ``PlainTextSelection`` made by its coder (a
  ``User``): a segment from its true start to its end, a whole-response coding from 0 to the text's
  length. **Positions count Unicode code points** (end exclusive), as QualCoder counts and as
  codewell stores them; the standard says "characters" without saying which, so a tool that counts
  UTF-16 units (an emoji is two) would place a selection after an emoji one character late.
  Texts are written with LF line endings, and positions are moved to match (a CRLF before a
  segment counts one character in the file, two in the project). Suggestions and decision times
  beyond the coding's creation time have no place in the standard and stay in the dataset export.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any

from codewell import __version__
from codewell.io.atomic_file import atomic_output
from codewell.io.refi_archive import MAX_BYTES, MAX_FILES, SafeArchive
from codewell.values import Code, Codebook, CodedDataset, Segment

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://codewell.invalid/refi-qda")
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes
ORIGIN = f"codewell {__version__}"
_ID_LINE = re.compile(r"^codewell id: ([a-z][a-z0-9_]*)$")
_SECTIONS = {"Include:": "include", "Exclude:": "exclude", "Keywords:": "keywords",
             "Examples:": "examples"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SOURCES_SLOT = "codewell:sources"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def guid(*parts: str) -> str:
    """A stable GUID for a thing named by ``parts`` (e.g. ``("code", "anxiety")``).

    Exactly ``uuid.uuid5(GUID_NAMESPACE, "\\x1f".join(parts))``, computed without building UUID
    objects because a large project needs a few hundred thousand of them.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ----------------------------------------------------------------------------- writing


def write_codebook_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file (valid against Codebook.xsd)."""
    from lxml import etree

    root = etree.Element(_q(NS_CODEBOOK, "CodeBook"), nsmap={None: NS_CODEBOOK}, origin=ORIGIN)
    _codes_element(root, NS_CODEBOOK, codebook)
    sets = _group_sets(codebook)
    if sets:
        sets_el = etree.SubElement(root, _q(NS_CODEBOOK, "Sets"))
        for name, members in sets.items():
            set_el = etree.SubElement(sets_el, _q(NS_CODEBOOK, "Set"), guid=guid("set", name),
                                      name=_clean(name))
            for code_id in members:
                etree.SubElement(set_el, _q(NS_CODEBOOK, "MemberCode"), guid=guid("code", code_id))
    path = Path(path)
    with atomic_output(path) as partial:
        partial.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                           pretty_print=True))
    return path


def write_project_qdpx(ds: CodedDataset, path: str | Path, *, name: str | None = None) -> Path:
    """Write the project as a ``.qdpx`` archive (valid against Project.xsd); see the module notes.

    Every coder in ``ds.coders`` becomes a User; responses become TextSources carrying their
    attributes as text Variables and their memos as Notes.
    """
    from lxml import etree

    path = Path(path)
    root = etree.Element(_q(NS_PROJECT, "Project"), nsmap={None: NS_PROJECT},
                         name=name or path.stem, origin=ORIGIN)
    users = {coder: guid("user", coder) for coder in ds.coders}
    if users:
        users_el = etree.SubElement(root, _q(NS_PROJECT, "Users"))
        for coder, user in users.items():
            etree.SubElement(users_el, _q(NS_PROJECT, "User"), guid=user, name=_clean(coder))
    _codes_element(etree.SubElement(root, _q(NS_PROJECT, "CodeBook")), NS_PROJECT, ds.codebook)
    attributes = {a: guid("variable", a)
                  for a in dict.fromkeys(k for r in ds.responses for k in r.attributes)}
    if attributes:
        variables = etree.SubElement(root, _q(NS_PROJECT, "Variables"))
        for attribute, variable in attributes.items():
            etree.SubElement(variables, _q(NS_PROJECT, "Variable"), guid=variable,
                             name=_clean(attribute), typeOfVariable="Text")
    files: list[tuple[str, bytes]] = []
    notes: list[tuple[str, str, str, str]] = []
    sources_xml = b""
    if ds.responses:
        writer = _SourceWriter(ds, users, attributes)
        pieces = [writer.source(response, notes, files) for response in ds.responses]
        sources_xml = ("<Sources>\n" + "".join(pieces) + "</Sources>\n").encode("utf-8")
        root.append(etree.Comment(_SOURCES_SLOT))
    if notes:
        notes_el = etree.SubElement(root, _q(NS_PROJECT, "Notes"))
        for note_guid, coder, response_id, memo in notes:
            note = etree.SubElement(notes_el, _q(NS_PROJECT, "Note"), guid=note_guid,
                                    name=_clean(f"Memo by {coder} on {response_id}"),
                                    creatingUser=users[coder])
            etree.SubElement(note, _q(NS_PROJECT, "PlainTextContent")).text = _clean(memo)
    sets = _group_sets(ds.codebook)
    if sets:
        sets_el = etree.SubElement(root, _q(NS_PROJECT, "Sets"))
        for set_name, members in sets.items():
            set_el = etree.SubElement(sets_el, _q(NS_PROJECT, "Set"), guid=guid("set", set_name),
                                      name=_clean(set_name))
            for code_id in members:
                etree.SubElement(set_el, _q(NS_PROJECT, "MemberCode"),
                                 targetGUID=guid("code", code_id))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    xml = xml.replace(f"<!--{_SOURCES_SLOT}-->\n".encode(), sources_xml, 1)
    # Source texts are stored uncompressed: they are short, and deflating 100,000 tiny entries
    # costs more time than it saves space. The project XML is large and compresses well.
    with atomic_output(path) as partial, zipfile.ZipFile(partial, "w") as archive:
        archive.writestr(zipfile.ZipInfo("project.qde", date_time=_ZIP_TIME), xml,
                         compress_type=zipfile.ZIP_DEFLATED)
        for entry, data in files:
            archive.writestr(zipfile.ZipInfo(entry, date_time=_ZIP_TIME), data)
    return path


class _SourceWriter:
    """Writes each response as TextSource XML text, with its codings, memo references and variables.

    Sources are most of a project, so they are written as text rather than as lxml elements
    (several times faster); the exported file is still checked against Project.xsd in the tests.
    """

    def __init__(self, ds: CodedDataset, users: dict[str, str], attributes: dict[str, str]) -> None:
        self.ds = ds
        self.users = users
        self.attributes = attributes
        self.created = _creation_times(ds)
        self.labels = {code.id: (_attr(code.label), guid("code", code.id))
                       for code in ds.codebook.codes}
        self.spans: dict[tuple[str, str], list[Segment]] | None = None

    def _held(self, coder: str, rid: str) -> list[Segment]:
        """The coder's codings of one response in codebook order, whole before segments; from the
        dataset's spans, or its response-level codings when it has none for the coder."""
        if self.spans is None:
            self.spans = {}
            for name, segments in self.ds.segments.items():
                for segment in segments:
                    self.spans.setdefault((name, segment.response_id), []).append(segment)
        if coder in self.ds.segments:
            found = [s for s in self.spans.get((coder, rid), []) if s.code in self.labels]
        else:
            current = self.ds.codings.get(coder, {}).get(rid, frozenset())
            found = [Segment(rid, code) for code in current if code in self.labels]
        order = {code: i for i, code in enumerate(self.labels)}
        return sorted(found, key=lambda s: (order[s.code], -1 if s.start is None else s.start, s.end or 0))

    def source(self, response: Any, notes: list[tuple[str, str, str, str]],
               files: list[tuple[str, bytes]]) -> str:
        """The TextSource element; its text file is added to ``files``, its memos to ``notes``."""
        rid = response.id
        source_guid = guid("source", rid)
        text = response.text.replace("\r\n", "\n").replace("\r", "\n")
        files.append((f"sources/{source_guid}.txt", text.encode("utf-8")))
        parts = [f'<TextSource guid="{source_guid}" name="{_attr(rid)}" '
                 f'plainTextPath="internal://{source_guid}.txt">']
        for coder in self.ds.coders:
            held = self._held(coder, rid)
            if not (text and held):
                continue
            user = self.users[coder]
            moved = lf_positions(response.text) if "\r" in response.text else None
            for segment in held:
                code_id = segment.code
                label, code_guid = self.labels[code_id]
                when = self.created.get((coder, rid, code_id, segment.start, segment.end))
                stamp = f' creationDateTime="{when}"' if when else ""
                if segment.start is None or segment.end is None:
                    start, end, key = 0, len(text), (coder, rid, code_id)
                else:
                    start, end = segment.start, segment.end
                    key = (coder, rid, code_id, str(start), str(end))
                    if moved is not None:
                        start, end = moved[start], moved[end]
                parts.append(
                    f'<PlainTextSelection guid="{guid("selection", *key)}" '
                    f'name="{label}" startPosition="{start}" endPosition="{end}" '
                    f'creatingUser="{user}"{stamp}><Coding '
                    f'guid="{guid("coding", *key)}" creatingUser="{user}"'
                    f'{stamp}><CodeRef targetGUID="{code_guid}"/></Coding>'
                    "</PlainTextSelection>")
        for coder in self.ds.coders:
            memo = self.ds.memos.get(coder, {}).get(rid)
            if memo:
                note_guid = guid("memo", coder, rid)
                parts.append(f'<NoteRef targetGUID="{note_guid}"/>')
                notes.append((note_guid, coder, rid, memo))
        for attribute, variable in self.attributes.items():
            if attribute in response.attributes:
                parts.append(f'<VariableValue><VariableRef targetGUID="{variable}"/><TextValue>'
                             f"{_text(response.attributes[attribute])}</TextValue></VariableValue>")
        parts.append("</TextSource>\n")
        return "".join(parts)


def _clean(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (most C0 controls, lone surrogates)."""
    return _ILLEGAL_XML.sub("", value) if _ILLEGAL_XML.search(value) else value


def _text(value: str) -> str:
    """Element text, escaped; a carriage return survives as a character reference."""
    value = _clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


def _attr(value: str) -> str:
    """An attribute value, escaped so that XML's attribute normalisation changes nothing."""
    return (_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def describe_code(code: Code) -> str:
    """The REFI ``Description`` of a code: definition, coding notes and the codewell id line."""
    parts = [code.definition] if code.definition else []
    for header, key in _SECTIONS.items():
        items = getattr(code, key)
        if items:
            parts.append("\n".join([header, *(f"- {' '.join(item.split())}" for item in items)]))
    parts.append(f"codewell id: {code.id}")
    return "\n\n".join(parts)


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _codes_element(parent: Any, ns: str, codebook: Codebook) -> None:
    """``<Codes>`` with child codes nested in their parent (a parent precedes its children)."""
    from lxml import etree

    codes_el = etree.SubElement(parent, _q(ns, "Codes"))
    elements: dict[str, Any] = {}
    known = set(codebook.ids)
    for code in codebook.codes:
        holder = elements[code.parent] if code.parent in known and code.parent in elements else codes_el
        attrs = {"guid": guid("code", code.id), "name": _clean(code.label), "isCodable": "true"}
        if code.colour:
            attrs["color"] = code.colour
        element = etree.SubElement(holder, _q(ns, "Code"), **attrs)
        etree.SubElement(element, _q(ns, "Description")).text = _clean(describe_code(code))
        elements[code.id] = element  # child codes follow the Description, as the schema wants


def _group_sets(codebook: Codebook) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    for code in codebook.codes:
        if code.group:
            sets.setdefault(code.group, []).append(code.id)
    return sets


def _creation_times(ds: CodedDataset) -> dict[tuple[str, str, str, int | None, int | None], str]:
    """When each current coding (coder, response, code, start, end) was last applied, as
    xsd:dateTime in UTC."""
    times: dict[tuple[str, str, str, int | None, int | None], str] = {}
    for event in sorted(ds.decisions, key=lambda d: d.id):
        if event.action == "apply":
            at = event.at if event.at.tzinfo else event.at.replace(tzinfo=timezone.utc)
            stamp = at.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)
            times[(event.coder, event.response_id, event.code, event.start, event.end)] = stamp.isoformat() + "Z"
    return times


def lf_positions(text: str) -> list[int]:
    """For each position 0..len(text) in ``text``, the same place once every CRLF is one LF (and
    every lone CR an LF, which keeps its length): how a segment's offsets move into the exported file."""
    moved, dropped = [], 0
    for i, char in enumerate(text):
        moved.append(i - dropped)
        if char == "\r" and text[i + 1:i + 2] == "\n":
            dropped += 1
    moved.append(len(text) - dropped)
    return moved


# ----------------------------------------------------------------------------- reading


def parse_description(text: str) -> dict[str, Any]:
    """Split a REFI description written by :func:`describe_code` back into codewell's fields.

    A description without the ``codewell id:`` line came from another tool and is all
    definition.
    """
    lines = text.strip().splitlines()
    match = _ID_LINE.match(lines[-1].strip()) if lines else None
    fields: dict[str, Any] = {"id": None, "definition": text.strip(), "include": (),
                              "exclude": (), "keywords": (), "examples": ()}
    if not match:
        return fields
    fields["id"] = match.group(1)
    definition: list[str] = []
    lists: dict[str, list[str]] = {}
    section: str | None = None
    body = lines[:-1]
    for n, line in enumerate(body):
        stripped = line.strip()
        # A heading is written only above its items: a definition that merely reads "Include:"
        # (no "- " line under it) is definition.
        if stripped in _SECTIONS and n + 1 < len(body) and body[n + 1].strip().startswith("- "):
            section = _SECTIONS[stripped]
            lists[section] = []
        elif section and stripped.startswith("- "):
            lists[section].append(stripped[2:].strip())
        elif not stripped:
            if section is None:
                definition.append("")
            section = None
        else:
            section = None
            definition.append(line)
    fields["definition"] = "\n".join(definition).strip()
    fields.update({key: tuple(items) for key, items in lists.items()})
    return fields


def read_codebook_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook; anything outside the schema is a clear CodebookError.

    The title is the file name (a ``.qdc`` has none); ids come back as :func:`parse_description`
    and the module notes describe.
    """
    from codewell.io.refi_reader import read_codebook

    return read_codebook(path)


@dataclass(frozen=True)
class RefiSource:
    """One text source: its name (codewell's response id on a round trip) and its text."""

    guid: str
    name: str
    text: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefiCoding:
    """One coded stretch ``text[start:end]`` (code points) of a source, by one user."""

    source: str
    user: str
    code: str
    code_name: str
    start: int
    end: int


@dataclass(frozen=True)
class RefiMemo:
    source: str
    user: str
    text: str


@dataclass(frozen=True)
class RefiProject:
    """What codewell can use from a ``.qdpx``, and a list of what it had to leave out."""

    name: str
    codebook: Codebook
    sources: tuple[RefiSource, ...]
    codings: tuple[RefiCoding, ...]
    users: tuple[str, ...]
    memos: tuple[RefiMemo, ...] = ()
    dropped: list[str] = field(default_factory=list)


def read_project_qdpx(path: str | Path, *, max_files: int = MAX_FILES,
                      max_bytes: int = MAX_BYTES) -> RefiProject:
    """Read a ``.qdpx`` made by any REFI-QDA tool, leniently; unsafe archives are refused.

    Text sources, codes (with sets as groups), users, text codings, variables (as attributes)
    and notes attached to sources (as memos) are read; everything else is listed in ``dropped``.
    """
    from codewell.io.refi_reader import ProjectReader

    with SafeArchive(path, max_files=max_files, max_bytes=max_bytes) as archive:
        return ProjectReader(archive).read()
