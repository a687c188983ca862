"""Codebooks: YAML (or REFI-QDA .qdc) files -> a validated :class:`~codewell.values.Codebook`.

Validation walks PyYAML's node tree rather than the loaded dict, so that every error can name
the file and the line a researcher has to fix. Codes nest one level (``children:``); in the
resulting ``Codebook`` a child follows its parent with ``parent`` set.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

from codewell.errors import CodebookError
from codewell.fuzzy import did_you_mean
from codewell.values import Code, Codebook

TOP_KEYS = ("title", "description", "abbreviations", "synonyms", "codes")
CODE_KEYS = ("id", "label", "group", "colour", "definition", "include", "exclude", "keywords",
             "examples", "children")
LIST_KEYS = ("include", "exclude", "keywords", "examples")
CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Shorthand is one written token ("pts", "f/u", "US"); what it stands for, and a synonym, one word.
SHORTHAND = re.compile(r"^[^\s]+$")
WORD = re.compile(r"^[^\W_][\w'-]*$")


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook file: YAML; ``.qdc`` (REFI-QDA) or ``.csv`` (Taguette) from other tools."""
    path = Path(path)
    _check_codebook_path(path)
    if path.suffix.lower() in (".qdc", ".csv"):
        return load_codebook_report(path)[0]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        kind = _binary_kind(path)
        if kind is not None:
            raise CodebookError(f"{path}: {kind}", hint=CODEBOOK_FORMATS) from None
        raise CodebookError(f"{path}: not UTF-8 text (byte {exc.start})",
                            hint="save it as UTF-8 in your editor") from None
    return parse_codebook(text, str(path))


CODEBOOK_FORMATS = "a codebook is a YAML file (.yaml), a REFI-QDA codebook (.qdc) or a Taguette codebook (.csv)"


def _check_codebook_path(path: Path) -> None:
    if path.is_dir():
        raise CodebookError(f"{path} is a folder, not a codebook file", hint=CODEBOOK_FORMATS)
    if not path.is_file():
        raise CodebookError(f"{path}: no such codebook file")


def _binary_kind(path: Path) -> str | None:
    """What a file that is not text is, when it is one a user might hand over by mistake: the
    project itself, or a workbook or .qdpx (zip archives), which said only 'not UTF-8 (byte 10)'."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"SQLite format 3\x00"):
        return "a codewell project (or another database), not a codebook"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (an Excel workbook or a .qdpx project?), not a codebook"
    return None


def load_codebook_report(path: str | Path, *, lenient: bool = False) -> tuple[Codebook, list[str]]:
    """A codebook and what was wrong with it. Strict (the default), a ``.qdc`` outside the
    REFI-QDA schema or nested deeper than codewell's one level is an error; ``lenient`` reads
    it anyway and lists the problems, for ``codewell init --lenient``."""
    path = Path(path)
    _check_codebook_path(path)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        from codewell.io.refi_reader import read_codebook_report

        return read_codebook_report(path, lenient=lenient)
    if suffix == ".csv":
        from codewell.io.taguette import read_codebook_csv_report

        return read_codebook_csv_report(path, lenient=lenient)
    return load_codebook(path), []


def parse_codebook(text: str, source: str = "<codebook>") -> Codebook:
    """Validate YAML text as a codebook; ``source`` names the file in error messages."""
    import yaml

    try:
        _check_depth(text, source)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}, line {mark.line + 1}" if mark else source
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())  # one line
        raise CodebookError(f"{where}: not valid YAML: {problem}") from None
    if not isinstance(root, yaml.MappingNode):
        raise CodebookError(f"{source}: a codebook is a mapping with 'title' and 'codes'")
    return _Reader(source).codebook(root)


# Collections a valid codebook opens at most: the codebook, its codes, a code, its children, a
# child, a child's list. A little slack keeps the error below about the code, not the limit.
_MAX_DEPTH = 8


def _check_depth(text: str, source: str) -> None:
    """Refuse YAML nested deeper than a codebook can be, before PyYAML's recursive composer
    (which a few thousand levels would crash) sees it; the error names the code at fault.

    PyYAML's event parser is iterative, so walking its events costs no stack.
    """
    import yaml

    depth = 0
    last_id: str | None = None
    expect_id = False
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_DEPTH:
                where = f"{source}, line {event.start_mark.line + 1}"
                named = f" under code '{last_id}'" if last_id else ""
                raise CodebookError(f"{where}: the codebook is nested too deeply{named}; codes "
                                    "nest one level only (a code's children have no children)")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            if expect_id:
                last_id = event.value
            expect_id = event.value == "id"


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    """A JSON-ready form, used to store each codebook version inside the project."""
    return asdict(codebook)


def codebook_from_dict(data: dict[str, Any]) -> Codebook:
    codes = tuple(
        Code(**{**raw, **{k: tuple(raw.get(k, ())) for k in LIST_KEYS}}) for raw in data["codes"]
    )
    return Codebook(title=data["title"], description=data.get("description", ""), codes=codes,
                    abbreviations=tuple(tuple(p) for p in data.get("abbreviations", ())),
                    synonyms=tuple(tuple(p) for p in data.get("synonyms", ())))


def codebook_to_json(codebook: Codebook) -> str:
    return json.dumps(codebook_to_dict(codebook), ensure_ascii=False, sort_keys=True)


def codebook_from_json(text: str) -> Codebook:
    return codebook_from_dict(json.loads(text))


def check_code_id(code_id: str, existing: Codebook | None = None, source: str = "codebook") -> None:
    """The rules a new code id must follow, shared by files and codes added while coding."""
    if not CODE_ID.match(code_id):
        raise CodebookError(
            f"{source}: code id '{code_id}' must be snake_case (lower-case letters, digits, _)",
            hint=f"try '{_snake(code_id)}'" if _snake(code_id) else None,
        )
    if existing is not None and code_id in existing.ids:
        raise CodebookError(f"{source}: a code with id '{code_id}' already exists")


def _snake(text: str) -> str:
    """The snake_case id closest to ``text``, for a hint: accents folded (``sorge_ü`` ->
    ``sorge_u``), and ``code_`` in front of one that would not start with a letter (``5``), so the
    hint is always an id that is accepted; empty when nothing is left (an emoji)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    snake = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return f"code_{snake}" if snake and not snake[0].isalpha() else snake


class _Reader:
    """Turns YAML nodes into dataclasses, keeping line numbers for every complaint."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Any, message: str, hint: str | None = None) -> CodebookError:
        return CodebookError(f"{self.source}, line {node.start_mark.line + 1}: {message}", hint)

    def mapping(self, node: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"expected {what} as a mapping of keys to values")
        items: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in allowed:
                raise self.fail(key_node, f"unknown key '{key}' in {what}", did_you_mean(key, allowed))
            if key in items:
                raise self.fail(key_node, f"key '{key}' given twice in {what}")
            items[key] = value_node
        return items

    def text(self, node: Any, what: str) -> str:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be text")
        return str(node.value).strip()

    def texts(self, node: Any, what: str) -> tuple[str, ...]:
        import yaml

        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, what),) if str(node.value).strip() else ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list of text")
        return tuple(self.text(item, what) for item in node.value)

    def codebook(self, root: Any) -> Codebook:
        import yaml

        top = self.mapping(root, TOP_KEYS, "the codebook")
        if "title" not in top:
            raise self.fail(root, "the codebook has no 'title'")
        if "codes" not in top or not isinstance(top["codes"], yaml.SequenceNode):
            raise self.fail(top.get("codes", root), "'codes' must be a list of codes")
        codes: list[Code] = []
        seen: dict[str, int] = {}
        for node in top["codes"].value:
            parent = self.code(node, None)
            children = self.mapping(node, CODE_KEYS, "a code").get("children")
            for code, where in [(parent, node), *self.children(children, parent.id)]:
                if code.id in seen:
                    raise self.fail(where, f"duplicate code id '{code.id}' (first on line {seen[code.id]})")
                seen[code.id] = where.start_mark.line + 1
                codes.append(code)
        if not codes:
            raise self.fail(top["codes"], "the codebook has no codes")
        description = self.text(top["description"], "description") if "description" in top else ""
        return Codebook(title=self.text(top["title"], "title"), description=description,
                        codes=tuple(codes), abbreviations=self.abbreviations(top.get("abbreviations")),
                        synonyms=self.synonyms(top.get("synonyms")))

    def abbreviations(self, node: Any) -> tuple[tuple[str, str], ...]:
        """``abbreviations:`` maps shorthand to the one word it stands for ("pts: patients")."""
        if node is None:
            return ()
        pairs = []
        for key_node, value_node in self.mapping_items(node, "'abbreviations'"):
            short, word = self.text(key_node, "shorthand"), self.text(value_node, "an abbreviation")
            if not SHORTHAND.match(short):
                raise self.fail(key_node, f"shorthand '{short}' must be one written word, no spaces")
            if not WORD.match(word):
                raise self.fail(value_node, f"'{short}' must stand for one word, not '{word}'",
                                "keywords can hold phrases; an abbreviation expands to one word")
            pairs.append((short, word.lower()))
        return tuple(pairs)

    def synonyms(self, node: Any) -> tuple[tuple[str, str], ...]:
        """``synonyms:`` maps a preferred word to the words read as it ("image: [scan, x-ray]")."""
        if node is None:
            return ()
        pairs: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for key_node, value_node in self.mapping_items(node, "'synonyms'"):
            preferred = self.text(key_node, "a preferred word").lower()
            for word_node, word in ((value_node, w) for w in self.texts(value_node, "synonyms")):
                word = word.lower()
                for checked in (preferred, word):
                    if not WORD.match(checked):
                        raise self.fail(word_node, f"synonym '{checked}' must be one word, no spaces")
                if word in seen and seen[word] != preferred:
                    raise self.fail(word_node, f"'{word}' is a synonym of both '{seen[word]}' and "
                                               f"'{preferred}'")
                seen[word] = preferred
                pairs.append((word, preferred))
        return tuple(pairs)

    def mapping_items(self, node: Any, what: str) -> list[tuple[Any, Any]]:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping (word: meaning)")
        keys = [str(k.value) for k, _ in node.value]
        for key_node, _ in node.value:
            if keys.count(str(key_node.value)) > 1:
                raise self.fail(key_node, f"'{key_node.value}' given twice in {what}")
        return list(node.value)

    def children(self, node: Any, parent: str) -> list[tuple[Code, Any]]:
        import yaml

        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"'children' of '{parent}' must be a list of codes")
        return [(self.code(child, parent), child) for child in node.value]

    def code(self, node: Any, parent: str | None) -> Code:
        what = "a code" if parent is None else f"a child code of '{parent}'"
        fields = self.mapping(node, CODE_KEYS, what)
        if parent is not None and "children" in fields:
            raise self.fail(fields["children"], "codes nest one level only: a child code has no children")
        if "id" not in fields:
            raise self.fail(node, f"{what} has no 'id'")
        code_id = self.text(fields["id"], "id")
        if not CODE_ID.match(code_id):
            hint = f"try '{_snake(code_id)}'" if _snake(code_id) else None
            raise self.fail(fields["id"], f"code id '{code_id}' must be snake_case", hint)
        if "label" not in fields or not self.text(fields["label"], "label"):
            raise self.fail(node, f"code '{code_id}' has no 'label'")
        colour = self.text(fields["colour"], "colour") if "colour" in fields else None
        if colour is not None and not COLOUR.match(colour):
            hint = ('write it in quotes, colour: "#4E79A7": in YAML a # after a space starts a comment'
                    if not colour else None)
            raise self.fail(fields["colour"], f"colour '{colour}' of '{code_id}' must look like #4E79A7", hint)
        single = {k: self.text(fields[k], k) for k in ("label", "group", "definition") if k in fields}
        lists = {k: self.texts(fields[k], k) for k in LIST_KEYS if k in fields}
        if "keywords" in fields:
            self.check_keywords(fields["keywords"], lists["keywords"], code_id)
        return Code(id=code_id, parent=parent, colour=colour, **single, **lists)

    def check_keywords(self, node: Any, keywords: tuple[str, ...], code_id: str) -> None:
        """A keyword is a word or phrase matched in the text: "worry, fear" would be one keyword
        that no answer ever holds, and an empty one matches nothing; both are refused."""
        import yaml

        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item, keyword in zip(items, keywords, strict=False):
            if "," in keyword:
                words = ", ".join(w.strip() for w in keyword.split(",") if w.strip())
                raise self.fail(item, f"keyword '{keyword}' of '{code_id}' holds a comma, so it would "
                                      "be one keyword that no text contains",
                                f"write each keyword as an item of a list: keywords: [{words}]")
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and not str(item.value).strip():
                    raise self.fail(item, f"an empty keyword in '{code_id}'",
                                    "remove the empty item or write the word")
