"""The text pipeline: tokens, lemmas, sentences, negation scope and codebook phrase matching.

spaCy's blank English pipeline does the work (its tokenizer on every text, its sentencizer when
sentences are asked for, lemmas from the English lookup table of ``spacy-lookups-data``), so
nothing is ever downloaded. It is built lazily, once per
process, under a lock (the TUI trains in a worker thread while the CLI may be suggesting), and
never at import time, so importing this module is cheap.

Everything is reported as character spans into the ORIGINAL text (code points, end exclusive):
spaCy runs on a lower-cased copy of the same length, so its offsets are the original offsets.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Survey shorthand, read as the word it stands for (token lower-case -> lemma). "US" is handled
# apart because it is only ultrasound when written in capitals.
ABBREVIATIONS: dict[str, str] = {
    "pt": "patient", "pts": "patient", "pt's": "patient", "pts'": "patient",
    "dx": "diagnosis", "tx": "treatment", "rx": "treatment", "hx": "history", "sx": "symptom",
    "f/u": "follow-up", "fu": "follow-up", "w/": "with", "w/o": "without", "b/c": "because",
    "bc": "because", "xr": "x-ray", "xray": "x-ray", "xrays": "x-ray", "x-rays": "x-ray",
    "u/s": "ultrasound", "uss": "ultrasound", "img": "image", "imgs": "image",
    "appt": "appointment", "appts": "appointment", "info": "information", "dr": "doctor",
    "drs": "doctor", "ppl": "people", "abt": "about", "govt": "government", "approx": "about",
    "re": "about", "gp's": "gp", "gps": "gp", "mri's": "mri", "ct's": "ct",
    "does": "do",  # the lookup table reads "does" as the plural of "doe"
}
# Written without a space they would be split by the tokenizer; we keep them whole.
_SPECIAL_CASES = ("f/u", "b/c", "w/o", "w/", "u/s")

# Negation cues; multi-word cues are matched on the lemma sequence.
NEGATION_CUES: frozenset[str] = frozenset({
    "not", "no", "never", "n't", "nt", "nothing", "nobody", "none", "neither", "nor", "without",
    "hardly", "barely", "scarcely", "doubt", "unlikely", "cannot", "nowhere", "lack",
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
    "unfounded", "rare", "rarely", "minimal", "negligible",
})
_PSEUDO_FIRST = frozenset(p[0] for p in PSEUDO_NEGATIONS)
_PHRASE_FIRST = frozenset(p[0] for p in NEGATION_PHRASES)
CLAUSE_BREAKS: frozenset[str] = frozenset({
    "but", "however", "although", "though", "yet", "except", "whereas", "while", "which",
    "because", "so", "unless", "otherwise", "apart",
})
_PUNCT_BREAKS = frozenset(".,;:!?()[]—–\"")


@dataclass(frozen=True)
class Analysis:
    """One text, analysed. Parallel tuples (one entry per token) keep 100k analyses light.

    ``norms`` are lower-case lemmas with shorthand expanded; ``words`` says which tokens are words
    (not punctuation or spaces); ``negated`` marks tokens inside a negation scope.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    norms: tuple[str, ...]
    words: tuple[bool, ...]
    negated: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.norms)

    @functools.cached_property
    def sentences(self) -> tuple[tuple[int, int], ...]:
        """Sentence (start, end) character spans, found by spaCy's sentencizer on first use.

        Suggesting never needs them, and running the sentencizer on every text cost a fifth of
        the time of suggesting for 100,000 responses, so they are worked out only when asked for.
        """
        return pipeline().sentences(self.text)

    def sentence_of(self, char: int) -> tuple[int, int]:
        """The sentence span containing character ``char`` (the whole text if none)."""
        for start, end in self.sentences:
            if start <= char < end:
                return start, end
        return 0, len(self.text)


class _Pipeline:
    """The spaCy objects and lookup tables, built once on first use.

    Lemmas come from spaCy's English lookup table (``spacy-lookups-data``), the table spaCy's
    lookup lemmatizer reads, but are looked up once per distinct word form and memoised with the
    rest of what a word form says (lower case, lemma, is it a word) instead of once per token:
    that per-token work was half the cost of suggesting for 100,000 responses.
    """

    def __init__(self) -> None:
        import spacy
        from spacy.lookups import load_lookups
        from spacy.symbols import ORTH

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        for case in _SPECIAL_CASES:
            nlp.tokenizer.add_special_case(case, [{ORTH: case}])
        self.nlp = nlp
        self.lemma_table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self.lemmas: frozenset[str] = frozenset(self.lemma_table.values())
        self.forms: dict[int, tuple[str, str, bool]] = {}
        self.lock = threading.Lock()

    def form(self, orth: int) -> tuple[str, str, bool]:
        """(text, norm, is a word) of the word form with spaCy string hash ``orth``."""
        found = self.forms.get(orth)
        if found is None:
            text = self.nlp.vocab.strings[orth]
            norm = ABBREVIATIONS.get(text) or self.lemma_table.get(text, text)
            found = (text, norm, any(ch.isalnum() for ch in text))
            self.forms[orth] = found
        return found

    def sentences(self, text: str) -> tuple[tuple[int, int], ...]:
        with self.lock:
            doc = self.nlp(_lower_same_length(text))
        return tuple((sent.start_char, sent.end_char) for sent in doc.sents)

    def is_known_word(self, word: str) -> bool:
        """Whether ``word`` is an English word form (so not a typo to be corrected)."""
        return word in self.lemmas or word in self.lemma_table


_PIPELINE: _Pipeline | None = None
_PIPELINE_LOCK = threading.Lock()
_CACHE: OrderedDict[str, Analysis] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 50_000
BATCH_SIZE = 512


def pipeline() -> _Pipeline:
    """The shared pipeline, built on first call (about 0.3 s); safe from any thread."""
    global _PIPELINE
    if _PIPELINE is None:
        with _PIPELINE_LOCK:
            if _PIPELINE is None:
                _PIPELINE = _Pipeline()
    return _PIPELINE


def analyse(text: str) -> Analysis:
    """Analyse one text (cached: the same text is analysed once per process)."""
    return analyse_many([text])[0]


def analyse_many(texts: Sequence[str]) -> list[Analysis]:
    """Analyse many texts at once through ``nlp.pipe``; cached texts are not redone."""
    found: dict[str, Analysis] = {}
    with _CACHE_LOCK:
        for text in texts:
            hit = _CACHE.get(text)
            if hit is not None:
                found[text] = hit
    missing = list(dict.fromkeys(t for t in texts if t not in found))
    if missing:
        pipe = pipeline()
        with pipe.lock:
            docs = pipe.nlp.tokenizer.pipe((_lower_same_length(t) for t in missing),
                                           batch_size=BATCH_SIZE)
            fresh = {text: _from_doc(text, doc, pipe) for text, doc in zip(missing, docs, strict=True)}
        found.update(fresh)
        with _CACHE_LOCK:
            _CACHE.update(fresh)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return [found[text] for text in texts]


def _lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length, so offsets stay valid for the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _from_doc(text: str, doc: Any, pipe: _Pipeline) -> Analysis:
    from spacy.attrs import IDX, IS_SPACE, ORTH, SPACY

    starts, ends, norms, words = [], [], [], []
    for idx, orth, is_space, spaced in doc.to_array([IDX, ORTH, IS_SPACE, SPACY]).tolist():
        if is_space:
            continue
        form, norm, word = pipe.form(orth)
        end = idx + len(form)
        if form == "us" and text[idx:end] == "US":
            norm = "ultrasound"
        elif form == "-" and spaced:
            norm = "—"  # a spaced hyphen is a dash between clauses, not a word joiner
        starts.append(idx)
        ends.append(end)
        norms.append(norm)
        words.append(word)
    return Analysis(
        text=text,
        starts=tuple(starts),
        ends=tuple(ends),
        norms=tuple(norms),
        words=tuple(words),
        negated=tuple(negation_scope(norms, words)),
    )


def negation_scope(norms: Sequence[str], words: Sequence[bool]) -> list[bool]:
    """Mark the tokens a negation cue governs, NegEx-style.

    A cue negates forward to the end of its clause (punctuation or a contrast word such as "but");
    a dismissal ("... is not an issue", "... are overstated") also negates the clause before it.
    The cue itself is not marked, so "no" is not evidence against anything by itself.
    """
    n = len(norms)
    negated = [False] * n
    clause_start = 0
    i = 0
    while i < n:
        norm = norms[i]
        if _is_break(norm, words[i]):
            clause_start = i + 1
            i += 1
            continue
        pseudo = _pseudo_length(norms, i)
        if pseudo:
            i += pseudo
            continue
        cue_len = _cue_length(norms, i)
        if cue_len:
            end = _clause_end(norms, words, i + cue_len)
            for j in range(i + cue_len, end):
                negated[j] = True
            if norm in POST_NEGATIONS or _dismisses(norms, i + cue_len, end):
                for j in range(clause_start, i):
                    negated[j] = True
            i = end
            continue
        if norm in POST_NEGATIONS:
            for j in range(clause_start, i):
                negated[j] = True
        i += 1
    return negated


def _is_break(norm: str, is_word: bool) -> bool:
    return (not is_word and norm in _PUNCT_BREAKS) or norm in CLAUSE_BREAKS


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


def _clause_end(norms: Sequence[str], words: Sequence[bool], i: int) -> int:
    while i < len(norms) and not _is_break(norms[i], words[i]):
        i += 1
    return i


def _dismisses(norms: Sequence[str], start: int, end: int) -> bool:
    return any(norms[j] in DISMISSALS for j in range(start, min(end, start + 4)))


@dataclass(frozen=True)
class PhraseMatch:
    """A codebook keyword found in a text: ``text[start:end]`` matched ``phrase`` of ``code``."""

    code: str
    phrase: str
    start: int
    end: int
    negated: bool


# Endings that turn a keyword into a word of the same family ("misinterpret" -> "misinterpretation").
_SUFFIXES = ("s", "es", "ed", "ing", "ion", "ation", "ations", "ions", "al", "ally", "ly", "ment",
             "ness", "ive", "ity", "able", "er", "ers", "ful")


class PhraseIndex:
    """Codebook keywords of every code, matched on lemmas, tolerant of typos and word endings.

    Matching is per token: each distinct text word is mapped once (and cached) to the keyword word
    it stands for, exactly, by a known ending, or — for words no English dictionary knows, of five
    letters or more — by a Damerau-Levenshtein distance of 1 (2 from eight letters), so "anxeity"
    and "undrestand" still count.
    """

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        """``phrases`` are (code id, keyword) pairs; a keyword may be several words."""
        pairs = [(code, phrase.strip()) for code, phrase in phrases if phrase.strip()]
        analyses = analyse_many([phrase for _, phrase in pairs])
        self._by_first: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
        for (code, phrase), analysis in zip(pairs, analyses, strict=True):
            seq = tuple(nm for nm, w in zip(analysis.norms, analysis.words, strict=True) if w)
            if seq:
                self._by_first.setdefault(seq[0], []).append((code, phrase, seq))
        self._vocab = frozenset(nm for entries in self._by_first.values()
                                for _, _, seq in entries for nm in seq)
        self._canon: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def canonical(self, norm: str) -> str | None:
        """The keyword word that ``norm`` stands for, or None."""
        cached = self._canon.get(norm, "")
        if cached != "":
            return cached
        found = self._lookup(norm)
        with self._lock:
            self._canon[norm] = found
        return found

    def _lookup(self, norm: str) -> str | None:
        if norm in self._vocab:
            return norm
        for suffix in _SUFFIXES:
            stem = norm[: -len(suffix)]
            if norm.endswith(suffix) and len(stem) >= 5:
                for candidate in (stem, stem + "e"):
                    if candidate in self._vocab:
                        return candidate
        if len(norm) < 5 or not norm.isalpha() or pipeline().is_known_word(norm):
            return None
        from rapidfuzz.distance import OSA

        limit = 1 if len(norm) < 8 else 2
        best, best_distance = None, limit + 1
        for word in self._vocab:
            if abs(len(word) - len(norm)) <= limit:
                distance = OSA.distance(norm, word, score_cutoff=limit)
                if distance < best_distance:
                    best, best_distance = word, distance
        return best

    def match(self, analysis: Analysis) -> list[PhraseMatch]:
        """Every keyword occurrence in ``analysis`` (overlaps allowed across codes)."""
        word_idx = [i for i, w in enumerate(analysis.words) if w]
        canon = [self.canonical(analysis.norms[i]) for i in word_idx]
        found: list[PhraseMatch] = []
        for pos, first in enumerate(canon):
            if first is None:
                continue
            for code, phrase, seq in self._by_first.get(first, ()):
                if tuple(canon[pos:pos + len(seq)]) != seq:
                    continue
                first_tok, last_tok = word_idx[pos], word_idx[pos + len(seq) - 1]
                negated = any(analysis.negated[word_idx[k]] for k in range(pos, pos + len(seq)))
                found.append(PhraseMatch(code, phrase, analysis.starts[first_tok],
                                         analysis.ends[last_tok], negated))
        return found
