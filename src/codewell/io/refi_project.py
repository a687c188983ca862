"""Read a REFI-QDA project (``.qdpx``) from another tool, leniently, listing what is left out.

The archive has already passed :class:`~codewell.io.refi_archive.SafeArchive`; this module only
maps the standard's elements onto what codewell keeps (text sources, codes, users, codings of
text, variables as attributes, notes on sources as memos). Anything else — PDF, picture, audio
and video sources, cases, graphs, links, unknown elements other tools add — is counted in
``dropped`` with a reason, so an import can tell the user exactly what did not come across.
Source texts are kept exactly as stored (line endings included), so selection positions stay valid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from codewell.errors import ArchiveError
from codewell.io.refi_archive import SafeArchive, parse_xml
from codewell.io.refi_qda import (
    NS_PROJECT,
    CodeReader,
    RefiCoding,
    RefiMemo,
    RefiProject,
    RefiSource,
    children_named,
    guid_key,
    local_name,
    namespace_of,
)


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
            self.users[guid_key(user.get("guid"))] = user.get("name") or user.get("id") or "imported"
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

    def _user(self, *guids: str | None) -> str:
        for value in guids:
            if value and guid_key(value) in self.users:
                return self.users[guid_key(value)]
        return "imported"

    def _notes(self, notes_el: Any) -> dict[str, tuple[str, str]]:
        notes: dict[str, tuple[str, str]] = {}
        for note in children_named(notes_el if notes_el is not None else [], "Note"):
            content = next(children_named(note, "PlainTextContent"), None)
            text = content.text or "" if content is not None else self._text_file(note, "note")
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
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.dropped[f"{what}s whose text is not UTF-8"] += 1
            return None

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
            text = content.text or "" if content is not None else self._text_file(element, "text source")
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
        if not 0 <= start <= end <= len(text):
            self.dropped["selections outside their source's text"] += 1
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
