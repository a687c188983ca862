"""Negation scope, NegEx-style, with the exceptions that decide how a survey answer is coded.

Each token gets the index of the negation cue that governs it, or -1. Knowing the cue (not just
"negated") lets a codebook keyword carry its own negation ("cannot interpret" is evidence FOR
interpretation difficulty) and lets evidence show "can't interpret" rather than "interpret".

Rules, each with the sentence that needs it:

- a cue negates forward to the end of its clause: punctuation, a contrast word ("but"), or "and"
  / "or" followed by a new subject or verb group ("they can't interpret it and they panic",
  "won't understand and could be scared": the panic and the fear are not denied);
- "without" (and "lack of", "free from", "instead of") denies a noun phrase, not a clause:
  "seeing them without support could be devastating" keeps the devastation;
- in a clause opened by "if", "when", "once" or "whenever", the main clause that follows with
  its own subject is not denied: "if they can't interpret it they panic" keeps the panic (a
  question word before the subject keeps the scope: "don't know what they are looking at");
- "rarely" and "seldom" deny their whole clause ("patients seldom misread them", "anxiety
  rarely occurs");
- a dismissal after a cue ("anxiety is not an issue") and a denying word after the thing
  ("fears are overstated", "anxiety is rare") deny the clause before them, unless the next
  clause affirms it ("anxiety is rare but real": an acknowledged risk, coded by convention);
- look-alikes affirm ("no doubt", "not only").
"""

from __future__ import annotations

from collections.abc import Sequence

NEGATION_CUES: frozenset[str] = frozenset({
    "not", "no", "never", "n't", "nt", "nothing", "nobody", "none", "neither", "nor", "without",
    "hardly", "barely", "scarcely", "doubt", "unlikely", "cannot", "nowhere", "lack", "unable",
})
NEGATION_PHRASES: tuple[tuple[str, ...], ...] = (
    ("rather", "than"), ("instead", "of"), ("no", "one"), ("free", "from"), ("absence", "of"),
)
# "not only ... but", "no doubt", "without doubt" affirm rather than deny.
PSEUDO_NEGATIONS: tuple[tuple[str, ...], ...] = (
    ("not", "only"), ("not", "just"), ("no", "doubt"), ("without", "doubt"),
    ("not", "least"), ("no", "matter"), ("never", "less"), ("nothing", "but"),
)
# Words after a cue that dismiss what came before it in the clause ("anxiety is not an issue").
DISMISSALS: frozenset[str] = frozenset({
    "issue", "problem", "concern", "worry", "risk", "factor", "big", "major", "real", "huge",
    "significant", "great", "much",
})
# Words that deny what came before them in the clause ("fears of panic are overstated").
POST_NEGATIONS: frozenset[str] = frozenset({
    "unlikely", "overstate", "overstated", "overblown", "exaggerate", "exaggerated",
    "unfounded", "rare", "minimal", "negligible",
})
# Cues that deny the whole clause they stand in, before and after ("patients rarely panic").
CLAUSE_NEGATIONS: frozenset[str] = frozenset({"rarely", "seldom"})
# After a denied clause, a contrast starting with one of these within a few words takes the
# denial back ("rare but real", "unlikely but possible", "rare, but it does happen").
AFFIRMERS: frozenset[str] = frozenset({
    "real", "happen", "exist", "possible", "present", "genuine", "serious", "significant",
    "still", "do", "can", "occur", "there", "important", "valid",
})
CONTRASTS: frozenset[str] = frozenset({"but", "though", "although", "yet", "however"})
CLAUSE_BREAKS: frozenset[str] = frozenset({
    "but", "however", "although", "though", "yet", "except", "whereas", "while", "which",
    "because", "so", "unless", "otherwise", "apart", "then",
})
# "and"/"or" followed by one of these starts a new clause: its own subject ("and they panic",
# "and some will be distressed") or a new verb group ("won't understand and could be scared").
SUBJECTS: frozenset[str] = frozenset({
    "i", "you", "he", "she", "we", "they", "it", "this", "that", "there", "patient", "people",
    "some", "many", "most", "others", "few", "everyone", "someone", "anyone",
})
MODALS: frozenset[str] = frozenset({
    "can", "could", "may", "might", "will", "would", "shall", "should", "must",
})
# Cues that deny a noun phrase, not a clause: "without support could be devastating" denies the
# support, not the devastation. Their scope also ends at the next modal or form of "be".
NOMINAL_CUES: frozenset[str] = frozenset({"without", "lack", "absence", "free", "instead", "rather"})
_NOMINAL_ENDS = MODALS | {"be", "do", "have"}
# Words opening a conditional or time clause, after which a new subject starts the main clause.
SUBORDINATORS: frozenset[str] = frozenset({"if", "when", "once", "whenever"})
# Subjects that start the main clause there ("it", "that" are too often objects to count).
_PERSONAL_SUBJECTS = frozenset({"i", "you", "he", "she", "we", "they", "patient", "people"})
_QUESTION_WORDS = frozenset({"what", "where", "how", "why", "who", "which", "whether"})
_PUNCT_BREAKS = frozenset(".,;:!?()[]—–\"")
_PSEUDO_FIRST = frozenset(p[0] for p in PSEUDO_NEGATIONS)
_PHRASE_FIRST = frozenset(p[0] for p in NEGATION_PHRASES)
_AFFIRM_WINDOW = 4
# Without one of these a text has no negation at all (the rest only shape a cue's scope).
_TRIGGERS = NEGATION_CUES | CLAUSE_NEGATIONS | POST_NEGATIONS | _PHRASE_FIRST
# The only norms at which the walk in negation_scope does anything but step on.
_SIGNIFICANT = _TRIGGERS | _PUNCT_BREAKS | CLAUSE_BREAKS | {"and", "or"} | _PSEUDO_FIRST


def negation_scope(norms: Sequence[str], words: Sequence[bool]) -> list[int]:
    """Per token, the index of the cue that negates it, or -1 (cues themselves are not negated).

    ``norms`` are lower-case lemmas, ``words`` whether each token is a word.
    """
    n = len(norms)
    scope = [-1] * n
    if _TRIGGERS.isdisjoint(norms):  # most answers: nothing can deny anything (one C-level pass)
        return scope
    clause_start = 0
    denied: list[int] | None = None  # [start, cue, end]: the last clause denied from behind
    i = 0
    while i < n:
        norm = norms[i]
        if norm not in _SIGNIFICANT:  # neither a break, nor a cue, nor a look-alike: move on
            i += 1
            continue
        if _is_break(norms, words, i):
            if denied is not None:
                if denied[2] < 0:
                    denied[2] = i
                if norm in CONTRASTS and i - denied[2] <= 1 and _affirms(norms, words, i + 1):
                    for j in range(denied[0], denied[1]):
                        if scope[j] == denied[1]:
                            scope[j] = -1
                    denied = None
                elif i - denied[2] > 1:
                    denied = None
            clause_start = i + 1
            i += 1
            continue
        pseudo = _pseudo_length(norms, i)
        if pseudo:
            i += pseudo
            continue
        cue_len = 1 if norm in CLAUSE_NEGATIONS else _cue_length(norms, i)
        if cue_len:
            end = _clause_end(norms, words, i + cue_len, norm in NOMINAL_CUES,
                              norms[clause_start] in SUBORDINATORS)
            for j in range(i + cue_len, end):
                scope[j] = i
            if norm in POST_NEGATIONS or norm in CLAUSE_NEGATIONS or _dismisses(norms, i + cue_len, end):
                denied = _deny_back(scope, clause_start, i)
            i = end
            continue
        if norm in POST_NEGATIONS:
            denied = _deny_back(scope, clause_start, i)
        i += 1
    return scope


def _deny_back(scope: list[int], start: int, cue: int) -> list[int]:
    """Negate the clause before ``cue``; returns [start, cue, end] with the end still unknown."""
    for j in range(start, cue):
        if scope[j] < 0:
            scope[j] = cue
    return [start, cue, -1]


def _affirms(norms: Sequence[str], words: Sequence[bool], start: int) -> bool:
    """Whether the clause starting at ``start`` affirms within a few words, with no cue first."""
    for j in range(start, min(len(norms), start + _AFFIRM_WINDOW)):
        if _is_break(norms, words, j) or _cue_length(norms, j) or norms[j] in CLAUSE_NEGATIONS:
            return False
        if norms[j] in AFFIRMERS:
            return True
    return False


def _is_break(norms: Sequence[str], words: Sequence[bool], i: int) -> bool:
    norm = norms[i]
    if (not words[i] and norm in _PUNCT_BREAKS) or norm in CLAUSE_BREAKS:
        return True
    return norm in ("and", "or") and i + 1 < len(norms) and (norms[i + 1] in SUBJECTS
                                                               or norms[i + 1] in MODALS)


def _pseudo_length(norms: Sequence[str], i: int) -> int:
    """How many tokens an affirming look-alike ("no doubt") starting at ``i`` spans, or 0."""
    if norms[i] not in _PSEUDO_FIRST:
        return 0
    for pseudo in PSEUDO_NEGATIONS:
        if tuple(norms[i:i + len(pseudo)]) == pseudo:
            return len(pseudo)
    return 0


def _cue_length(norms: Sequence[str], i: int) -> int:
    """How many tokens the negation cue starting at ``i`` spans (0 when there is none)."""
    if norms[i] in NEGATION_CUES:
        return 1
    if norms[i] not in _PHRASE_FIRST:
        return 0
    for phrase in NEGATION_PHRASES:
        if tuple(norms[i:i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _clause_end(norms: Sequence[str], words: Sequence[bool], i: int, nominal: bool = False,
                conditional: bool = False) -> int:
    """Where a cue's scope starting at ``i`` ends; ``conditional``: the cue stands in an
    "if"/"when" clause, whose main clause starts at a new personal subject."""
    start = i
    while i < len(norms) and not _is_break(norms, words, i):
        if nominal and norms[i] in _NOMINAL_ENDS:
            break
        if (conditional and i > start + 1 and norms[i] in _PERSONAL_SUBJECTS
                and norms[i - 1] not in _QUESTION_WORDS):
            break
        i += 1
    return i


def _dismisses(norms: Sequence[str], start: int, end: int) -> bool:
    return any(norms[j] in DISMISSALS for j in range(start, min(end, start + 4)))


def is_cue(norm: str) -> bool:
    """Whether a single lemma is a negation cue (keywords that start with one are negative)."""
    return norm in NEGATION_CUES or norm in CLAUSE_NEGATIONS
