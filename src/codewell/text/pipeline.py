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
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, filterfalse
from operator import itemgetter
from typing import Any

from codewell.text.joining import Joining, joining_of
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
        from spacy.lookups import load_lookups

        self.special: set[str] = set(_SPECIAL_CASES)
        self.nlp = self._blank()
        self.joining = joining_of(self.nlp)
        self.lemma_table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self.lemmas: frozenset[str] = frozenset(self.lemma_table.values())
        self.forms: dict[int, tuple[str, str, bool]] = {}
        self.chunks: dict[Vocabulary, dict[str, _Chunk]] = {}
        self.lock = threading.Lock()

    def _blank(self) -> Any:
        """spaCy's blank English pipeline with a sentencizer and our special cases.

        A word form new to spaCy gets some twenty attributes worked out (shape, "like a
        number", prefix, ...), each a string to keep; we read only its text and offset, the
        sentencizer only whether it is space or punctuation, and the PII name matcher
        (:mod:`codewell.io.safety`) its lower case, so only those three are worked out: the same
        tokens and sentences for about a quarter less tokenizer CPU and fewer strings kept.
        """
        import spacy
        from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER
        from spacy.symbols import ORTH

        nlp = spacy.blank("en")
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {attr: getters[attr] for attr in (IS_SPACE, IS_PUNCT, LOWER)}
        nlp.add_pipe("sentencizer")
        for case in sorted(self.special):
            nlp.tokenizer.add_special_case(case, [{ORTH: case}])
        return nlp

    def bound_vocabulary(self) -> None:
        """A fresh spaCy vocabulary once this one holds ``MAX_LEXEMES`` word forms.

        spaCy keeps every word form its tokenizer has met (a lexeme and its strings), for the
        life of the pipeline: suggesting for a million responses with their typos and names
        would keep them all. Tokens do not depend on what the vocabulary has met, and string
        hashes are the same in any vocabulary, so starting again changes nothing but memory
        (about 0.2 s of CPU each time). Call with ``lock`` held.
        """
        if len(self.nlp.vocab) > MAX_LEXEMES:
            self.nlp = self._blank()
            self.forms.clear()

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
                self.joining = joining_of(self.nlp)
                self.chunks.clear()  # tokenised before this rule: tokenise again

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
# Word forms spaCy's vocabulary may hold before it is started again (see bound_vocabulary).
MAX_LEXEMES = 100_000
# Word forms (text between whitespace, punctuation attached) whose tokens are kept per vocabulary;
# past this many the memo starts again, so a million responses' typos cannot fill the memory.
CHUNK_MEMO_SIZE = 200_000


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
    """Analyse many texts at once; cached texts are not redone.

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
            runs = [_RUNS.findall(_lower_same_length(t)) for t in missing]
            _cut_new(runs, pipe, vocabulary)
            pipe.bound_vocabulary()
            fresh = {text: _from_runs(text, pieces, pipe, vocabulary)
                     for text, pieces in zip(missing, runs, strict=True)}
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


@dataclass(frozen=True)
class _Chunk:
    """The tokens of one run of non-space characters, as spaCy's tokenizer cuts it alone.

    spaCy splits a text at whitespace first and cuts each run on its own (prefixes, suffixes,
    infixes, special cases), so a text's tokens are its runs' tokens side by side, and a run met
    again costs a dict lookup instead of a trip through spaCy and the per-token work after it.
    Offsets are relative to the run. ``dash_last``: the run ends in a "-" token, which reads as
    a dash when a space follows it. A run holding shorthand matched only as written ("US") keeps
    its tokens' ``forms`` and vocabulary-free ``bases`` to read each occurrence from the text.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    norms: tuple[str, ...]
    words: tuple[bool, ...]
    dash_last: bool
    forms: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    merged_first: bool = False  # its first token is a special case its affixes cut in several
    merged_last: bool = False  # its last token is (see :mod:`codewell.text.joining`)


# (whitespace, run of non-space characters): spaCy's tokenizer splits on str.isspace, the same set.
_RUNS = re.compile(r"(\s*)(\S+)")
# New runs go through spaCy this many at a time, joined into one text by a line break between
# spaces: a token of its own, so no special case is tried across two runs (codewell.text.joining).
CUT_BATCH = 5000
_BETWEEN = " \n "


def _from_runs(text: str, runs: list[tuple[str, str]], pipe: _Pipeline,
               vocabulary: Vocabulary) -> Analysis:
    """One text's analysis from its runs' memoised tokens: the same as spaCy's tokenizer on the
    whole lower-cased text, then each word's norm (see :class:`_Chunk`)."""
    memo = pipe.chunks[vocabulary]
    built = _assemble(text, runs, map(memo.__getitem__, map(itemgetter(1), runs)), vocabulary, pipe.joining)
    if built is None:  # a special case tried across a space: rare
        built = _assemble(text, runs, _cut_whole(text, runs, pipe, vocabulary), vocabulary, None)
    return built


def _assemble(text: str, runs: list[tuple[str, str]], chunks: Iterable[_Chunk], vocabulary: Vocabulary,
              guard: Joining | None) -> Analysis | None:
    """The text's analysis from its runs' chunks; with ``guard``, None where two runs side by
    side could hold a special case across the space (the memoised chunks do not apply)."""
    starts: list[int] = []
    ends: list[int] = []
    norms: list[str] = []
    words: list[bool] = []
    at = 0
    dash = False
    merged_last = False
    before = ""
    for (space, piece), chunk in zip(runs, chunks, strict=True):
        if (merged_last or chunk.merged_first) and guard is not None and before and guard.across(before, piece):
            return None
        before, merged_last = piece, chunk.merged_last
        if dash and space[:1] == " ":
            norms[-1] = "—"  # a spaced hyphen is a dash between clauses, not a word joiner
        at += len(space)
        if len(chunk.starts) == 1:
            starts.append(at)
            ends.append(at + chunk.ends[0])
        else:
            starts.extend([at + i for i in chunk.starts])
            ends.extend([at + i for i in chunk.ends])
        norms.extend(_cased_norms(text, at, chunk, vocabulary) if chunk.forms else chunk.norms)
        words.extend(chunk.words)
        dash = chunk.dash_last
        at += len(piece)
    if dash and text[at:at + 1] == " ":
        norms[-1] = "—"
    return Analysis(
        text=text,
        starts=tuple(starts),
        ends=tuple(ends),
        norms=tuple(norms),
        words=tuple(words),
        scope=tuple(negation_scope(norms, words)),
        vocabulary=vocabulary,
    )


def _cut_new(runs: list[list[tuple[str, str]]], pipe: _Pipeline, vocabulary: Vocabulary) -> None:
    """Tokenise the runs not yet in the memo, many per spaCy call: joined by ``_BETWEEN`` they
    are cut exactly as each alone, and one long text costs far less than many short ones."""
    memo = pipe.chunks.setdefault(vocabulary, {})
    pieces = list(map(itemgetter(1), chain.from_iterable(runs)))
    new = list(dict.fromkeys(filterfalse(memo.__contains__, pieces)))
    if len(memo) + len(new) > CHUNK_MEMO_SIZE:
        memo.clear()
        new = list(dict.fromkeys(pieces))
    for first in range(0, len(new), CUT_BATCH):
        batch = new[first:first + CUT_BATCH]
        tokens = _tokens(_BETWEEN.join(batch), pipe)
        at = 0
        for piece in batch:
            memo[piece] = _chunk(_take(tokens, at, at + len(piece)), pipe, vocabulary)
            at += len(piece) + len(_BETWEEN)


def _take(tokens: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The tokens of the run at ``start:end`` (offsets made relative to it), popped from the
    end of ``tokens`` after the whitespace tokens before it."""
    while tokens and tokens[-1][0] < start:
        tokens.pop()
    mine = []
    while tokens and tokens[-1][0] < end:
        idx, orth = tokens.pop()
        mine.append((idx - start, orth))
    return mine


def _tokens(joined: str, pipe: _Pipeline) -> list[tuple[int, int]]:
    """(offset, orth) of every token of ``joined``, last first (to pop in order)."""
    from spacy.attrs import IDX, ORTH

    return [(idx, orth) for idx, orth in reversed(pipe.nlp.tokenizer(joined).to_array([IDX, ORTH]).tolist())]


def _cut_whole(text: str, runs: list[tuple[str, str]], pipe: _Pipeline, vocabulary: Vocabulary) -> list[_Chunk]:
    """Each run's tokens as spaCy cuts the whole text (not memoised: they depend on the runs
    beside them)."""
    tokens = _tokens(_lower_same_length(text), pipe)
    chunks, at = [], 0
    for space, piece in runs:
        at += len(space)
        chunks.append(_chunk(_take(tokens, at, at + len(piece)), pipe, vocabulary))
        at += len(piece)
    return chunks


def _chunk(tokens: list[tuple[int, int]], pipe: _Pipeline, vocabulary: Vocabulary) -> _Chunk:
    """A run's tokens (offset in the run, spaCy orth), each with its norm (see :func:`_norm`)."""
    starts, ends, forms, bases, norms, words = [], [], [], [], [], []
    for idx, orth in tokens:
        form, base, word = pipe.form(orth)
        starts.append(idx)
        ends.append(idx + len(form))
        forms.append(form)
        bases.append(base)
        norms.append(_norm(form, form, base, vocabulary) if vocabulary and word else base)
        words.append(word)
    cased = bool(vocabulary) and any(w and f in _cased_forms(vocabulary) for f, w in zip(forms, words))
    merged = pipe.joining.merged
    return _Chunk(tuple(starts), tuple(ends), tuple(norms), tuple(words), dash_last=forms[-1] == "-",
                  forms=tuple(forms) if cased else (), bases=tuple(bases) if cased else (),
                  merged_first=forms[0] in merged, merged_last=forms[-1] in merged)


def _norm(written: str, form: str, base: str, vocabulary: Vocabulary) -> str:
    """A word's norm under the study's vocabulary: shorthand expanded, the preferred synonym."""
    expanded = vocabulary.expand(written, form)
    return vocabulary.prefer(pipeline().lemma(expanded) if expanded else base)


@functools.lru_cache(maxsize=8)
def _cased_forms(vocabulary: Vocabulary) -> frozenset[str]:
    """Lower-cased shorthand the vocabulary matches only as written ("us" for "US")."""
    return frozenset(short.lower() for short, _ in vocabulary.abbreviations if short != short.lower())


def _cased_norms(text: str, at: int, chunk: _Chunk, vocabulary: Vocabulary) -> list[str]:
    """Norms of a run that holds shorthand matched as written, each word read from the text."""
    return [_norm(text[at + start:at + end], form, base, vocabulary) if word else norm
            for start, end, form, base, norm, word in zip(chunk.starts, chunk.ends, chunk.forms,
                                                           chunk.bases, chunk.norms, chunk.words,
                                                           strict=True)]
