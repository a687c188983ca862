"""Codebook keywords found in analysed texts: typo-tolerant, on lemmas, aware of negation.

A keyword that starts with a negation ("cannot interpret", "not understand", "no idea") is a
*negative keyword*: it matches its remaining words when a negation governs them ("they can't
really interpret it", "I never understood"), and such a match is evidence FOR its code, shown
from the cue ("can't really interpret"). Every other keyword inside a negation is flagged
``negated``: evidence that its code was denied.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from codewell.text.negation import is_cue
from codewell.text.pipeline import Analysis, analyse_many, pipeline
from codewell.text.vocabulary import NO_VOCABULARY, Vocabulary

# Words that may stand between a negation and the verb it governs in a negative keyword:
# "can" (cannot), "do" (don't), "be" (isn't), "will", "would", "could", "should", "have", "to".
_AUXILIARIES = frozenset({"can", "do", "be", "will", "would", "could", "should", "have", "to",
                          "must", "may", "might", "shall"})


@dataclass(frozen=True)
class PhraseMatch:
    """A codebook keyword found in a text: ``text[start:end]`` matched ``phrase`` of ``code``."""

    code: str
    phrase: str
    start: int
    end: int
    negated: bool
    negative: bool = False  # a negative keyword ("cannot interpret") matched under its negation


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

    def __init__(self, phrases: Iterable[tuple[str, str]],
                 vocabulary: Vocabulary = NO_VOCABULARY) -> None:
        """``phrases`` are (code id, keyword) pairs; a keyword may be several words."""
        pairs = [(code, phrase.strip()) for code, phrase in phrases if phrase.strip()]
        analyses = analyse_many([phrase for _, phrase in pairs], vocabulary)
        self._by_first: dict[str, list[tuple[str, str, tuple[str, ...], bool]]] = {}
        for (code, phrase), analysis in zip(pairs, analyses, strict=True):
            seq = tuple(nm for nm, w in zip(analysis.norms, analysis.words, strict=True) if w)
            negative = _negative_core(seq)
            if negative is not None:
                seq = negative
            if seq:
                self._by_first.setdefault(seq[0], []).append((code, phrase, seq, negative is not None))
        self._vocab = frozenset(nm for entries in self._by_first.values()
                                for _, _, seq, _ in entries for nm in seq)
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
            for code, phrase, seq, negative in self._by_first.get(first, ()):
                if tuple(canon[pos:pos + len(seq)]) != seq:
                    continue
                toks = [word_idx[k] for k in range(pos, pos + len(seq))]
                cues = {analysis.scope[t] for t in toks}
                start, end = analysis.starts[toks[0]], analysis.ends[toks[-1]]
                if not negative:
                    found.append(PhraseMatch(code, phrase, start, end, any(c >= 0 for c in cues)))
                elif len(cues) == 1 and (cue := cues.pop()) >= 0:
                    found.append(PhraseMatch(code, phrase, _cue_start(analysis, cue), end,
                                             analysis.scope[cue] >= 0, negative=True))
        return found


def _negative_core(seq: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words a negative keyword requires to be negated ("cannot interpret" -> interpret)."""
    i = 0
    while i < len(seq) and seq[i] in _AUXILIARIES:
        i += 1
    if i == len(seq) or not is_cue(seq[i]):
        return None
    i += 1
    while i < len(seq) and seq[i] in _AUXILIARIES:
        i += 1
    return seq[i:] or None


def _cue_start(analysis: Analysis, cue: int) -> int:
    """Where evidence for a negative keyword starts: its cue, or the auxiliary glued to it
    ("can't": "ca" + "n't"; "don't"; "couldn't")."""
    if cue > 0 and analysis.norms[cue - 1] in _AUXILIARIES and analysis.ends[cue - 1] == analysis.starts[cue]:
        return analysis.starts[cue - 1]
    if cue > 0 and analysis.norms[cue] == "not" and analysis.norms[cue - 1] in _AUXILIARIES \
            and analysis.ends[cue - 1] + 1 >= analysis.starts[cue]:
        return analysis.starts[cue - 1]
    return analysis.starts[cue]
