"""Read REFI-QDA files made by other tools: codebooks strictly, projects leniently.

A ``.qdc`` codebook is small and is the start of a project, so anything the schema does not
allow is a clear error naming the line. A ``.qdpx`` project has already passed
:class:`~codewell.io.refi_archive.SafeArchive`; from it codewell keeps text sources, codes,
users, codings of text, variables (as attributes) and notes on sources (as memos). Anything else
(PDF, picture, audio and video sources, cases, graphs, links, elements other tools add) is
counted in ``dropped`` with a reason, so an import can say exactly what did not come across.
Source texts are kept exactly as stored, line endings included, so selection positions stay
valid. The public entry points are :func:`codewell.io.refi_qda.read_codebook_qdc` and
:func:`~codewell.io.refi_qda.read_project_qdpx`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from codewell.coders import coder_name_problem
from codewell.errors import ArchiveError, CodebookError, CodewellError
from codewell.io.refi_archive import MAX_XML_BYTES, SafeArchive, parse_xml
from codewell.io.refi_qda import (
    NS_CODEBOOK,
    NS_PROJECT,
    RefiCoding,
    RefiMemo,
    RefiProject,
    RefiSource,
    parse_description,
)
from codewell.values import Code, Codebook

_RGB = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_GUID = re.compile(r"^\s*(\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}"
                   r"|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\s*$")
_BOOLEANS = ("true", "false", "1", "0")
_CODE_ATTRIBUTES = ("guid", "name", "isCodable", "color")


def read_codebook(path: str | Path) -> Codebook:
    """The codebook in a ``.qdc`` file, or a CodebookError naming the file and line."""
    return read_codebook_report(path)[0]


def read_codebook_report(path: str | Path, *, lenient: bool = False) -> tuple[Codebook, list[str]]:
    """The codebook in a ``.qdc`` file and what was wrong with it (always empty unless lenient).

    Strict (the default), anything the schema does not allow, and codes nested deeper than
    codewell's one level, is a CodebookError naming the file, the line and the code. Lenient
    (``codewell init --lenient``, for files such as Taguette's, which leave out required parts),
    those problems are listed instead: unknown elements are skipped and deeper codes are
    attached to their top-level code, so the hierarchy is kept as far as codewell can hold it.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise CodebookError(f"{path}: no such codebook file") from None
    if size > MAX_XML_BYTES:
        raise CodebookError(f"{path}: {size:,} bytes is too large for a codebook")
    root = parse_xml(path.read_bytes(), str(path), CodebookError)
    if root.tag != f"{{{NS_CODEBOOK}}}CodeBook":
        raise CodebookError(f"{path}: not a REFI-QDA codebook (root element <{local_name(root)}> "
                            f"in namespace '{namespace_of(root)}'; expected <CodeBook> in "
                            f"'{NS_CODEBOOK}')")
    origin = root.get("origin")
    reader = CodeReader(str(path), strict=not lenient, error=CodebookError, qdc=True,
                        paths=lenient and (origin or "").startswith("Taguette"))
    codes_el = sets_el = None
    for child in root:
        tag = local_name(child)
        if tag == "Codes" and codes_el is None and sets_el is None:
            codes_el = child
        elif tag == "Sets" and sets_el is None and codes_el is not None:
            sets_el = child
        elif tag in ("Codes", "Sets"):
            reader.invalid(child, f"<{tag}> is repeated or out of order in <CodeBook>",
                           "misplaced <Codes> or <Sets> (skipped)",
                           hint="REFI-QDA allows one <Codes>, then at most one <Sets>")
        else:
            reader.unexpected(child, "<CodeBook>", ["Codes", "Sets"])
    if codes_el is None or not len(codes_el):
        raise CodebookError(f"{path}: the codebook has no codes")
    reader.read_codes(codes_el, ["Code"])
    if sets_el is not None:
        if not len(sets_el):
            reader.invalid(sets_el, "<Sets> is empty; REFI-QDA needs at least one <Set> in it",
                           "an empty <Sets> (not valid REFI-QDA)")
        reader.read_sets(sets_el, "guid")
    codebook = reader.codebook(path.stem, f"Imported from {origin}" if origin else "")
    return codebook, summarise_dropped(reader.dropped)


def local_name(element: Any) -> str:
    """An element's tag without its namespace (``Code`` for ``{urn:...}Code``)."""
    tag = element.tag
    return _local_tag(tag) if isinstance(tag, str) else str(tag)


@lru_cache(maxsize=512)
def _local_tag(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace_of(element: Any) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def snake_id(name: str) -> str:
    """A code id made from a display name: ASCII snake_case starting with a letter."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    snake = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "code"
    return snake if snake[0].isalpha() else f"code_{snake}"


def _colour(value: str | None) -> str | None:
    if not value or not _RGB.match(value.strip()):
        return None
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits.upper()


class CodeReader:
    """Turns REFI ``Code`` elements into codewell codes, strict (``.qdc``) or lenient (``.qdpx``).

    Strict mode raises ``error`` for any element the schema does not allow; lenient mode notes it
    in ``dropped`` and goes on.
    """

    def __init__(self, where: str, strict: bool, error: type[CodewellError],
                 qdc: bool = False, paths: bool = False) -> None:
        self.where = where
        self.strict = strict
        self.qdc = qdc  # a codebook file: checked against Codebook.xsd's rules, one level deep
        self.paths = paths  # "parent.child" names (Taguette's flattened hierarchy) become nesting
        self.by_label: dict[str, str] = {}
        self.error = error
        self.dropped: Counter[str] = Counter()
        self.by_guid: dict[str, str] = {}
        self.codes: list[dict[str, Any]] = []
        self.taken: set[str] = set()

    def unexpected(self, element: Any, context: str, allowed: Sequence[str]) -> None:
        tag = local_name(element)
        if self.strict:
            raise self.error(
                f"{self.where}, line {element.sourceline}: unknown element <{tag}> in {context}",
                hint=f"REFI-QDA allows only {', '.join(f'<{a}>' for a in allowed)} there")
        self.dropped[f"<{tag}> elements in {context.split(' ')[0]}s (not part of codewell)"] += 1

    def invalid(self, element: Any, message: str, reason: str, hint: str | None = None) -> None:
        """A schema violation: an error naming the line when strict, else counted under ``reason``."""
        if self.strict:
            raise self.error(f"{self.where}, line {element.sourceline}: {message}", hint=hint)
        self.dropped[reason] += 1

    def _check_code_schema(self, element: Any, name: str) -> None:
        """What Codebook.xsd requires of a <Code>, checked without the schema file at run time."""
        for attribute in element.attrib:
            if attribute not in _CODE_ATTRIBUTES:
                self.invalid(element, f"code '{name}' has an attribute '{attribute}' that "
                             "REFI-QDA does not define", "unknown attributes on codes (ignored)")
        if not _GUID.match(element.get("guid", "")):
            self.invalid(element, f"code '{name}' has a guid that is not a GUID: "
                         f"'{element.get('guid')}'", "codes with a malformed guid")
        if element.get("isCodable") not in _BOOLEANS:
            self.invalid(element, f"code '{name}' has no valid 'isCodable' (true or false)",
                         "codes without a valid isCodable")
        colour = element.get("color")
        if colour is not None and not _RGB.match(colour.strip()):
            self.invalid(element, f"code '{name}' has a color that is not #RRGGBB: '{colour}'",
                         "codes with a malformed color (dropped)")
        seen_code = False
        for child in element:
            tag = local_name(child)
            if tag == "Code":
                seen_code = True
            elif tag == "Description" and seen_code:
                self.invalid(child, f"the <Description> of code '{name}' comes after its child "
                             "codes", "descriptions after child codes")

    def read_codes(self, codes_el: Any, allowed_in_code: Sequence[str]) -> None:
        for child in codes_el:
            if local_name(child) != "Code":
                self.unexpected(child, "<Codes>", ["Code"])
                continue
            self._code(child, None, 0, allowed_in_code)

    def _code(self, element: Any, parent: str | None, depth: int, allowed: Sequence[str]) -> None:
        name = (element.get("name") or "").strip()
        code_guid = element.get("guid")
        if not code_guid or not name:
            missing = "guid" if not code_guid else "name"
            if self.strict:
                raise self.error(f"{self.where}, line {element.sourceline}: a <Code> has no '{missing}'")
            self.dropped[f"codes without a {missing}"] += 1
            return
        if self.qdc:
            self._check_code_schema(element, name)
        if self.paths and parent is None and "." in name.strip("."):
            parent, name, depth = self._path_parent(element, name)
        description = ""
        for child in element:
            if local_name(child) == "Description":
                description = child.text or ""
            elif local_name(child) not in allowed:
                self.unexpected(child, f"code '{name}'", ["Description", *allowed])
        fields = parse_description(description)
        code_id = self._new_id(fields.pop("id"), name)
        if depth > 1:
            if self.strict and self.qdc:
                raise self.error(
                    f"{self.where}, line {element.sourceline}: code '{name}' is nested {depth + 1} "
                    "levels deep; codewell nests codes one level only",
                    hint="codewell init --lenient attaches deeper codes to their top-level code")
            self.dropped["codes nested deeper than one level (attached to their top-level code)"] += 1
        self.by_guid[guid_key(code_guid)] = code_id
        self.by_label.setdefault(name, code_id)
        self.codes.append({"id": code_id, "label": name, "parent": parent,
                           "colour": _colour(element.get("color")), **fields})
        for child in element:
            if local_name(child) == "Code":
                self._code(child, parent or code_id, depth + 1, allowed)

    def _path_parent(self, element: Any, path: str) -> tuple[str, str, int]:
        """(parent id, label, depth) for a flattened ``top.child`` name; the top code is made
        when the file does not list it. Deeper paths hang from their top-level code."""
        top, *rest = [part.strip() for part in path.split(".") if part.strip()]
        if len(rest) > 1:
            self.dropped["codes nested deeper than one level (attached to their top-level code)"] += 1
        if top not in self.by_label:
            code_id = self._new_id(None, top)
            self.by_label[top] = code_id
            fields = {**parse_description(""), "id": code_id}
            self.codes.append({**fields, "label": top, "parent": None, "colour": None})
            self.dropped["parent codes implied by a dotted name (added)"] += 1
        self.dropped["dotted code names read as parent.child"] += 1
        return self.by_label[top], rest[-1], 1

    def _new_id(self, wanted: str | None, name: str) -> str:
        base = wanted if wanted and wanted not in self.taken else snake_id(name)
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def read_sets(self, sets_el: Any, member_attr: str) -> None:
        groups: dict[str, str] = {}
        for set_el in sets_el:
            if local_name(set_el) != "Set":
                self.unexpected(set_el, "<Sets>", ["Set"])
                continue
            if self.qdc and not (set_el.get("name") and _GUID.match(set_el.get("guid", ""))):
                self.invalid(set_el, "a <Set> needs a 'name' and a valid 'guid'",
                             "code sets without a name or guid")
            for member in set_el:
                if local_name(member) == "MemberCode":
                    code_id = self.by_guid.get(guid_key(member.get(member_attr)))
                    if code_id:
                        groups.setdefault(code_id, set_el.get("name", "").strip())
                elif local_name(member) != "Description":
                    if self.strict:
                        self.unexpected(member, "<Set>", ["Description", "MemberCode"])
                    else:
                        self.dropped["members of code sets other than codes"] += 1
        for code in self.codes:
            code["group"] = groups.get(code["id"], "")

    def codebook(self, title: str, description: str = "") -> Codebook:
        codes = tuple(Code(**fields) for fields in self.codes)
        return Codebook(title=title, codes=codes, description=description)


class ProjectReader:
    """Walks one ``project.qde`` and the source files beside it, counting what it leaves out."""

    def __init__(self, archive: SafeArchive) -> None:
        self.archive = archive
        self.where = str(archive.path)
        self.dropped: Counter[str] = Counter()
        self.users: dict[str, str] = {}
        self.variables: dict[str, str] = {}

    def read(self) -> RefiProject:
        entry = self.archive.find("project.qde") or next(
            (name for key, name in self.archive.names.items() if key.endswith(".qde")), None)
        if entry is None:
            raise ArchiveError(f"{self.where}: no project.qde inside; not a REFI-QDA project")
        root = parse_xml(self.archive.read(entry), f"{self.where}:{entry}")
        if local_name(root) != "Project":
            raise ArchiveError(f"{self.where}: project.qde has <{local_name(root)}> at its root, "
                               "not <Project>")
        if namespace_of(root) != NS_PROJECT:
            self.dropped[f"project namespace '{namespace_of(root)}' (read as REFI-QDA 1.0 anyway)"] += 1
        codes = CodeReader(self.where, strict=False, error=ArchiveError)
        sections = {local_name(child): child for child in root}
        for child in root:
            if local_name(child) not in ("Users", "CodeBook", "Variables", "Sources", "Notes", "Sets"):
                self.dropped[f"<{local_name(child)}> sections (not used by codewell)"] += 1
        for user in children_named(sections.get("Users", []), "User"):
            name = user.get("name")
            if name is not None:
                self._check_user_name(user, name)
            self.users[guid_key(user.get("guid"))] = name or user.get("id") or "imported"
        book = sections.get("CodeBook")
        codes_el = next(children_named(book, "Codes"), None) if book is not None else None
        if codes_el is not None:
            codes.read_codes(codes_el, ["Code", "NoteRef"])
        if "Sets" in sections:
            codes.read_sets(sections["Sets"], "targetGUID")
        for variable in children_named(sections.get("Variables", []), "Variable"):
            self.variables[guid_key(variable.get("guid"))] = variable.get("name", "")
        notes = self._notes(sections.get("Notes"))
        sources, codings, memos = self._sources(sections.get("Sources"), codes, notes)
        self.dropped.update(codes.dropped)
        name = root.get("name") or self.archive.path.stem
        codebook = codes.codebook(name, f"Imported from {root.get('origin') or 'a REFI-QDA project'}")
        users = tuple(dict.fromkeys([*self.users.values(), *(c.user for c in codings)]))
        return RefiProject(name, codebook, tuple(sources), tuple(codings), users, tuple(memos),
                           summarise_dropped(self.dropped))

    def _check_user_name(self, element: Any, name: str) -> None:
        """A REFI user becomes a coder, whose name must be usable in column headers and messages.

        Checked here, while reading, so a bad name stops the import before anything is stored.
        The rules are the project's own (:mod:`codewell.coders`).
        """
        problem = coder_name_problem(name)
        if problem is None:
            return
        raise ArchiveError(
            f"{self.where}, line {element.sourceline}: user '{name[:80]}' {problem}, so it cannot "
            "be a coder name; nothing was imported",
            hint="rename the user in the QDA tool (a short name without commas) and export again")

    def _user(self, *guids: str | None) -> str:
        for value in guids:
            if value and guid_key(value) in self.users:
                return self.users[guid_key(value)]
        return "imported"

    def _notes(self, notes_el: Any) -> dict[str, tuple[str, str]]:
        notes: dict[str, tuple[str, str]] = {}
        for note in children_named(notes_el if notes_el is not None else [], "Note"):
            content = next(children_named(note, "PlainTextContent"), None)
            text = (content.text or "") if content is not None else self._text_file(note, "note")
            if text is not None:
                notes[guid_key(note.get("guid"))] = (text, self._user(note.get("creatingUser")))
        return notes

    def _text_file(self, element: Any, what: str) -> str | None:
        """The text an element's ``plainTextPath`` points to, if it is inside the archive."""
        location = element.get("plainTextPath") or ""
        if not location.startswith("internal://"):
            reason = "rich text only" if element.get("richTextPath") else "text outside the archive"
            self.dropped[f"{what}s with {reason}"] += 1
            return None
        name = location[len("internal://"):]
        entry = self.archive.find(f"sources/{name}") or self.archive.find(name)
        if entry is None:
            self.dropped[f"{what}s whose text file is missing from the archive"] += 1
            return None
        data = self.archive.read(entry)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.dropped[f"{what}s whose text is not UTF-8"] += 1
            return None
        if "\x00" in text:
            raise ArchiveError(f"{self.where}:{entry}: holds a NUL character, which is not text; "
                               "refusing the archive", hint="the file is damaged or not plain text")
        return text

    def _sources(self, sources_el: Any, codes: CodeReader, notes: dict[str, tuple[str, str]]
                 ) -> tuple[list[RefiSource], list[RefiCoding], list[RefiMemo]]:
        sources: list[RefiSource] = []
        codings: list[RefiCoding] = []
        memos: list[RefiMemo] = []
        names: set[str] = set()
        labels = {c["id"]: c["label"] for c in codes.codes}
        for element in sources_el if sources_el is not None else []:
            kind = local_name(element)
            if kind != "TextSource":
                self.dropped[f"{kind.replace('Source', '')} sources (only text is imported)"] += 1
                continue
            content = next(children_named(element, "PlainTextContent"), None)
            text = ((content.text or "") if content is not None
                    else self._text_file(element, "text source"))
            if text is None:
                continue
            name = base = (element.get("name") or element.get("guid") or "source").strip()
            n = 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
            if name != base:
                self.dropped["duplicate source names (numbered)"] += 1
            names.add(name)
            attributes: dict[str, str] = {}
            for child in element:
                tag = local_name(child)
                if tag == "PlainTextSelection":
                    codings += self._selection(child, name, text, codes.by_guid, labels)
                elif tag == "Coding":
                    codings += self._codings([child], name, 0, len(text), None, codes.by_guid, labels)
                elif tag == "VariableValue":
                    self._variable(child, attributes)
                elif tag == "NoteRef" and guid_key(child.get("targetGUID")) in notes:
                    note_text, user = notes[guid_key(child.get("targetGUID"))]
                    memos.append(RefiMemo(name, user, note_text))
                elif tag not in ("Description", "PlainTextContent"):
                    self.dropped[f"<{tag}> elements in text sources"] += 1
            sources.append(RefiSource(element.get("guid", ""), name, text, attributes))
        return sources, codings, memos

    def _selection(self, element: Any, source: str, text: str, by_guid: dict[str, str],
                   labels: dict[str, str]) -> list[RefiCoding]:
        try:
            start, end = int(element.get("startPosition")), int(element.get("endPosition"))
        except (TypeError, ValueError):
            self.dropped["selections without valid positions"] += 1
            return []
        if not 0 <= start <= end <= len(text):  # positions count code points of the source's text
            if 0 <= start <= end <= len(text.encode("utf-16-le")) // 2:
                self.dropped["selections past their source's end in characters but not in UTF-16 units "
                             "(the tool may count UTF-16 units, which codewell does not)"] += 1
            else:
                self.dropped["selections outside their source's text"] += 1
            return []
        if start == end:
            self.dropped["empty selections (no text selected)"] += 1
            return []
        return self._codings(children_named(element, "Coding"), source, start, end,
                             element.get("creatingUser"), by_guid, labels)

    def _codings(self, elements: Iterable[Any], source: str, start: int, end: int,
                 selection_user: str | None, by_guid: dict[str, str], labels: dict[str, str]
                 ) -> list[RefiCoding]:
        found = []
        for coding in elements:
            ref = next(children_named(coding, "CodeRef"), None)
            code_id = by_guid.get(guid_key(ref.get("targetGUID"))) if ref is not None else None
            if code_id is None:
                self.dropped["codings of codes not in the codebook"] += 1
                continue
            user = self._user(coding.get("creatingUser"), selection_user)
            found.append(RefiCoding(source, user, code_id, labels[code_id], start, end))
        return found

    def _variable(self, element: Any, attributes: dict[str, str]) -> None:
        ref = next(children_named(element, "VariableRef"), None)
        name = self.variables.get(guid_key(ref.get("targetGUID"))) if ref is not None else None
        values = [child for child in element if local_name(child) != "VariableRef"]
        if not name or not values:
            self.dropped["variable values without a known variable"] += 1
            return
        attributes[name] = (values[0].text or "").strip()


def summarise_dropped(dropped: Counter[str]) -> list[str]:
    """``Counter`` of reasons -> sorted lines such as ``"3 PDF sources (only text is imported)"``."""
    return [f"{count} {reason}" for reason, count in sorted(dropped.items())]


def guid_key(value: str | None) -> str:
    """GUIDs compare case-insensitively, with or without braces."""
    return (value or "").strip().strip("{}").lower()


def children_named(element: Any, name: str) -> Iterable[Any]:
    """Child elements called ``name`` in any namespace (or none), filtered inside lxml."""
    return element.iterchildren(f"{{*}}{name}") if hasattr(element, "iterchildren") else iter(())
