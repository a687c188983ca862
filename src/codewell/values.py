"""Plain, frozen value objects shared by every layer.

They carry no behaviour that needs a database, a model or a screen, so the core can pass them
around and the tests can build them by hand.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from typing import Literal

Action = Literal["apply", "remove"]


class Status(str, Enum):
    """Where one coder stands with one response. ``UNCODED`` is the absence of a status row."""

    UNCODED = "uncoded"
    DONE = "done"
    SKIPPED = "skipped"
    FLAGGED = "flagged"


@dataclass(frozen=True)
class Code:
    """One code of a codebook. ``parent`` is set for a child code (codes nest one level)."""

    id: str
    label: str
    group: str = ""
    definition: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    parent: str | None = None
    colour: str | None = None


@dataclass(frozen=True)
class Codebook:
    """A titled, ordered set of codes. Order matters: it gives the number keys in the TUI."""

    title: str
    codes: tuple[Code, ...]
    description: str = ""
    # The study's shorthand, (written form, word): "US" -> ultrasound in a UK imaging survey only.
    abbreviations: tuple[tuple[str, str], ...] = ()
    # Words read as one preferred word, (word, preferred): "scan" -> "image".
    synonyms: tuple[tuple[str, str], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(code.id for code in self.codes)

    def get(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def children(self, code_id: str) -> tuple[Code, ...]:
        return tuple(code for code in self.codes if code.parent == code_id)

    def content_hash(self) -> str:
        """A stable fingerprint of everything a coder sees, so versions can be compared."""
        data = asdict(self)
        for key in ("abbreviations", "synonyms"):  # absent ones keep older fingerprints
            if not data[key]:
                del data[key]
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def with_code(self, code: Code) -> Codebook:
        """A new codebook with ``code`` appended (inductive coding never edits history)."""
        return Codebook(title=self.title, description=self.description, codes=(*self.codes, code),
                        abbreviations=self.abbreviations, synonyms=self.synonyms)


@dataclass(frozen=True)
class Response:
    """One survey response. ``id`` is the survey's own id (text); ``row`` its 1-based data row."""

    id: str
    text: str
    row: int
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Decision:
    """One event of the append-only decision log."""

    id: int
    coder: str
    response_id: str
    code: str
    action: Action
    at: datetime
    codebook_version: int
    probability: float | None = None
    from_suggestion: bool = False
    suggestions_on: bool = False
    undoes: int | None = None
    note: str = ""  # e.g. "agreed" or "adjudicated" for consensus decisions
    uid: str | None = None  # client-generated identity: a retried write lands once
    # A segment coding's span, ``text[start:end]`` in Unicode code points (end exclusive);
    # both None when the decision is about the whole response.
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Segment:
    """A coder's current coding of one code on one span of a response: ``text[start:end]`` in
    code points, or the whole response when ``start`` and ``end`` are None."""

    response_id: str
    code: str
    start: int | None = None
    end: int | None = None

    @property
    def is_whole(self) -> bool:
        return self.start is None


@dataclass(frozen=True)
class Memo:
    coder: str
    response_id: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Evidence:
    """A stretch of a response that supports a suggestion: ``text[start:end]`` (code points)."""

    start: int
    end: int
    text: str
    source: Literal["keyword", "affect", "model", "sentence"]


@dataclass(frozen=True)
class CodeSuggestion:
    """The engine's view of one code for one response: probability, verdict, and why."""

    code: str
    probability: float
    suggested: bool
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""
    # Not suggested, but close enough to its bar that a screen may list it apart as "maybe".
    tentative: bool = False


@dataclass(frozen=True)
class ReferenceSet:
    """Coded responses of another study that the suggester learns from beside a coder's own
    decisions, so a new study's first suggestions come from many coded answers, not from the
    codebook alone. ``codes`` are the codes the reference speaks for (the file's code columns):
    for any other code its rows say nothing, neither yes nor no. ``labels[i]`` are the codes
    row ``i`` applies."""

    source: str
    codes: tuple[str, ...]
    added_at: str
    ids: tuple[str, ...]
    texts: tuple[str, ...]
    labels: tuple[frozenset[str], ...]

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class CodedDataset:
    """Everything export, report and agreement need, read from a project in one go.

    ``codings``, ``statuses`` and ``memos`` map coder -> response id -> value; a response a coder
    never touched is simply absent. ``responses`` keep file order.
    """

    codebook: Codebook
    responses: tuple[Response, ...]
    coders: tuple[str, ...]
    codings: dict[str, dict[str, frozenset[str]]]
    statuses: dict[str, dict[str, Status]]
    memos: dict[str, dict[str, str]]
    decisions: tuple[Decision, ...] = ()
    # coder -> every current coding, whole or segment, in response order (the segments layout,
    # REFI-QDA and quotes need the spans; ``codings`` is the response-level view derived from them)
    segments: dict[str, tuple[Segment, ...]] = field(default_factory=dict)
    codebook_version: int | None = None  # the stored version ``codebook`` is, when read from a project
