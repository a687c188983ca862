"""The text pipeline: tokens, lemmas, sentences and negation scope, one analysis per text.

spaCy's blank English pipeline does the work (its tokenizer on every text, its sentencizer when
sentences are asked for, lemmas from the English lookup table of ``spacy-lookups-data``), so
nothing is ever downloaded. It is built lazily, once per
process, under a lock (the TUI trains in a worker thread while the CLI may be suggesting), and
never at import time, so importing this module is cheap.

Everything is reported as character spans into the ORIGINAL text (code points, end exclusive):
spaCy runs on a lower-cased copy of the same length, so its offsets are the original offsets.
What a study's shorthand means ("US", "pt", "f/u") is not known here: it comes from the codebook
as a :class:`~codewell.text.vocabulary.Vocabulary`, part of each analysis's cache key.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codewell.text.negation import negation_scope
from codewell.text.vocabulary import NO_VOCABULARY, Vocabulary

# Everyday English shorthand, the same in any study (token lower-case -> lemma), and fixes to
# the lookup table's readings of contracted or ambiguous forms.
SHORTHAND: dict[str, str] = {
    "w/": "with", "w/o": "without", "b/c": "because", "bc": "because", "ppl": "people",
    "abt": "about", "govt": "government", "approx": "about", "info": "information",
    "does": "do",  # the lookup table reads "does" as the plural of "doe"
    "ca": "can",  # "can't" is tokenised "ca" + "n't"
    "wo": "will",  # "won't"
    "sha": "shall",
}
# Written without a space they would be split by the tokenizer; we keep them whole.
_SPECIAL_CASES = ("b/c", "w/o", "w/")


@dataclass(frozen=True)
class Analysis:
    """One text, analysed. Parallel tuples (one entry per token) keep 100k analyses light.

    ``norms`` are lower-case lemmas with shorthand expanded and the study's synonyms applied;
    ``words`` says which tokens are words (not punctuation or spaces); ``scope`` gives, per
    token, the index of the negation cue that governs it (-1: none), and ``negated`` whether
    there is one.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    norms: tuple[str, ...]
    words: tuple[bool, ...]
    scope: tuple[int, ...]
    vocabulary: Vocabulary = NO_VOCABULARY

    @functools.cached_property
    def negated(self) -> tuple[bool, ...]:
        return tuple(cue >= 0 for cue in self.scope)

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
        self.special: set[str] = set(_SPECIAL_CASES)
        self.lock = threading.Lock()

    def form(self, orth: int) -> tuple[str, str, bool]:
        """(text, norm, is a word) of the word form with spaCy string hash ``orth``."""
        found = self.forms.get(orth)
        if found is None:
            text = self.nlp.vocab.strings[orth]
            norm = SHORTHAND.get(text) or self.lemma_table.get(text, text)
            found = (text, norm, any(ch.isalnum() for ch in text))
            self.forms[orth] = found
        return found

    def keep_whole(self, shorthand: Sequence[str]) -> None:
        """Teach the tokenizer to keep slashed shorthand ("f/u") as one token."""
        from spacy.symbols import ORTH

        for case in shorthand:
            if case not in self.special:
                self.nlp.tokenizer.add_special_case(case, [{ORTH: case}])
                self.special.add(case)

    def lemma(self, word: str) -> str:
        return self.lemma_table.get(word, word)

    def sentences(self, text: str) -> tuple[tuple[int, int], ...]:
        with self.lock:
            doc = self.nlp(_lower_same_length(text))
        return tuple((sent.start_char, sent.end_char) for sent in doc.sents)

    def is_known_word(self, word: str) -> bool:
        """Whether ``word`` is an English word form (so not a typo to be corrected)."""
        return word in self.lemmas or word in self.lemma_table


_PIPELINE: _Pipeline | None = None
_PIPELINE_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[Vocabulary, str], Analysis] = OrderedDict()
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


def analyse(text: str, vocabulary: Vocabulary = NO_VOCABULARY) -> Analysis:
    """Analyse one text (cached: the same text is analysed once per process and vocabulary)."""
    return analyse_many([text], vocabulary)[0]


def analyse_many(texts: Sequence[str], vocabulary: Vocabulary = NO_VOCABULARY) -> list[Analysis]:
    """Analyse many texts at once through ``nlp.pipe``; cached texts are not redone.

    ``vocabulary`` is the study's shorthand and synonyms (from its codebook); without one, only
    everyday English shorthand is expanded.
    """
    found: dict[str, Analysis] = {}
    with _CACHE_LOCK:
        for text in texts:
            hit = _CACHE.get((vocabulary, text))
            if hit is not None:
                found[text] = hit
    missing = list(dict.fromkeys(t for t in texts if t not in found))
    if missing:
        pipe = pipeline()
        with pipe.lock:
            pipe.keep_whole(vocabulary.slashed)
            docs = pipe.nlp.tokenizer.pipe((_lower_same_length(t) for t in missing),
                                           batch_size=BATCH_SIZE)
            fresh = {text: _from_doc(text, doc, pipe, vocabulary)
                     for text, doc in zip(missing, docs, strict=True)}
        found.update(fresh)
        with _CACHE_LOCK:
            _CACHE.update(((vocabulary, t), a) for t, a in fresh.items())
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return [found[text] for text in texts]


def _lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length, so offsets stay valid for the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _from_doc(text: str, doc: Any, pipe: _Pipeline, vocabulary: Vocabulary) -> Analysis:
    from spacy.attrs import IDX, IS_SPACE, ORTH, SPACY

    starts, ends, norms, words = [], [], [], []
    for idx, orth, is_space, spaced in doc.to_array([IDX, ORTH, IS_SPACE, SPACY]).tolist():
        if is_space:
            continue
        form, norm, word = pipe.form(orth)
        end = idx + len(form)
        if form == "-" and spaced:
            norm = "—"  # a spaced hyphen is a dash between clauses, not a word joiner
        elif vocabulary and word:
            expanded = vocabulary.expand(text[idx:end], form)
            norm = vocabulary.prefer(pipe.lemma(expanded) if expanded else norm)
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
        scope=tuple(negation_scope(norms, words)),
        vocabulary=vocabulary,
    )
