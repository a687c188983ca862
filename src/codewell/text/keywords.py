"""Codebook keywords found in analysed texts: typo-tolerant, on lemmas, aware of negation.

A keyword that starts with a negation ("cannot interpret", "not understand", "no idea") is a
*negative keyword*: it matches its remaining words when a negation governs them ("they can't
really interpret it", "I never understood"), and such a match is evidence FOR its code, shown
from the cue ("can't really interpret"); a word of loss or failure between the cue and those
words denies the denial, so "didn't lose any sleep" is no match for "not sleep". Every other
keyword inside a negation is flagged ``negated``: evidence that its code was denied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codewell.text.negation import is_cue
from codewell.text.pipeline import Analysis, analyse_many, pipeline
from codewell.text.rows import PerNorm, TokenRows
from codewell.text.vocabulary import NO_VOCABULARY, Vocabulary

if TYPE_CHECKING:
    import numpy as np

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


# Words of loss or failure: standing between a negative keyword's cue and its words, they take
# the denial back ("didn't lose any sleep" is sleep, not "not sleep"; "never failed to
# understand" is understanding), so the keyword does not match there. Any other word may stand
# between ("not sure patients would understand", "nobody at home would know what ...").
_REVERSERS = frozenset({"lose", "lack", "miss", "fail", "forget", "stop", "avoid", "prevent",
                        "skip", "refuse", "cease", "lost"})

# Endings that turn a keyword into a word of the same family ("misinterpret" -> "misinterpretation").
_SUFFIXES = ("s", "es", "ed", "ing", "ion", "ation", "ations", "ions", "al", "ally", "ly", "ment",
             "ness", "ive", "ity", "able", "er", "ers", "ful")


class PhraseIndex:
    """Codebook keywords of every code, matched on lemmas, tolerant of typos and word endings.

    Matching is per token: each distinct norm is mapped once per process (see
    :class:`~codewell.text.rows.PerNorm`) to the keyword word it stands for, exactly, by a known
    ending, or — for words no English dictionary knows, of five letters or more — by a
    Damerau-Levenshtein distance of 1 (2 from eight letters), so "anxeity" and "undrestand" still
    count; a batch's texts are then matched on those integers.
    """

    def __init__(self, phrases: Iterable[tuple[str, str]],
                 vocabulary: Vocabulary = NO_VOCABULARY) -> None:
        """``phrases`` are (code id, keyword) pairs; a keyword may be several words."""
        pairs = [(code, phrase.strip()) for code, phrase in phrases if phrase.strip()]
        analyses = analyse_many([phrase for _, phrase in pairs], vocabulary)
        by_first: dict[str, list[tuple[str, str, tuple[str, ...], bool]]] = {}
        for (code, phrase), analysis in zip(pairs, analyses, strict=True):
            seq = tuple(nm for nm, w in zip(analysis.norms, analysis.words, strict=True) if w)
            negative = _negative_core(seq)
            if negative is not None:
                seq = negative
            if seq:
                by_first.setdefault(seq[0], []).append((code, phrase, seq, negative is not None))
        # The keyword words in a fixed order (a typo as near to two of them reads as the first,
        # in every process alike), and each keyword as indices into them, by its first word.
        self._words = sorted({nm for entries in by_first.values() for _, _, seq, _ in entries
                              for nm in seq})
        position = {word: i for i, word in enumerate(self._words)}
        self._first = {position[first]: [(code, phrase, [position[w] for w in seq], negative)
                                         for code, phrase, seq, negative in entries]
                       for first, entries in by_first.items()}
        self._canonical = PerNorm(self._canonical_positions, int)

    def canonical(self, norm: str) -> str | None:
        """The keyword word that ``norm`` stands for, or None."""
        found = int(self._canonical_positions([norm])[0])
        return self._words[found] if found >= 0 else None

    def _canonical_positions(self, norms: list[str]) -> np.ndarray:
        """For each norm, the position of the keyword word it stands for in ``_words`` (-1: none):
        itself, the word without a known ending, or a typo of it (see the class)."""
        import numpy as np

        position = {word: i for i, word in enumerate(self._words)}
        found = np.full(len(norms), -1, dtype=np.int64)
        typos = []
        for i, norm in enumerate(norms):
            known = self._known(norm, position)
            if known >= 0:
                found[i] = known
            elif len(norm) >= 5 and norm.isalpha() and not pipeline().is_known_word(norm):
                typos.append(i)
        if typos and self._words:
            found[typos] = self._nearest([norms[i] for i in typos])
        return found

    def _known(self, norm: str, position: dict[str, int]) -> int:
        if norm in position:
            return position[norm]
        for suffix in _SUFFIXES:
            stem = norm[: -len(suffix)]
            if norm.endswith(suffix) and len(stem) >= 5:
                for candidate in (stem, stem + "e"):
                    if candidate in position:
                        return position[candidate]
        return -1

    def _nearest(self, norms: list[str]) -> np.ndarray:
        """Per norm, the first keyword word within its typo distance (-1: none), all at once."""
        import numpy as np
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import cdist

        distances = cdist(norms, self._words, scorer=OSA.distance, score_cutoff=2,
                          dtype=np.int32, workers=1)
        limits = np.array([1 if len(norm) < 8 else 2 for norm in norms])
        close = distances <= limits[:, None]
        best = np.where(close, distances, 3).argmin(axis=1)
        return np.where(close[np.arange(len(norms)), best], best, -1)

    def match(self, analysis: Analysis) -> list[PhraseMatch]:
        """Every keyword occurrence in ``analysis`` (overlaps allowed across codes)."""
        return self.match_rows(TokenRows([analysis]))[0]

    def match_rows(self, rows: TokenRows) -> list[list[PhraseMatch]]:
        """Every keyword occurrence in each row, as :meth:`match` would find it in that row alone.

        Keywords are found once per text, on its words; a sentence row takes those lying within
        it, and only negations whose cue is in the row count.
        """
        import numpy as np

        words = np.flatnonzero(rows.words)
        canon = self._canonical.of(rows.table)[rows.ids[words]]
        starts = np.zeros(len(self._words) + 1, dtype=bool)
        starts[list(self._first)] = True
        candidates = np.flatnonzero(starts[canon]).tolist()  # canon -1 reads the False at the end
        by_text: dict[int, list[tuple[str, str, list[int], bool, list[int], int, int]]] = {}
        if candidates:
            canon_list, word_list = canon.tolist(), words.tolist()
            text_of, scope = rows.text_of[words].tolist(), rows.scope.tolist()
            for pos in candidates:
                text = text_of[pos]
                for code, phrase, seq, negative in self._first[canon_list[pos]]:
                    end = pos + len(seq)
                    if end <= len(canon_list) and text_of[end - 1] == text \
                            and canon_list[pos:end] == seq:
                        toks = word_list[pos:end]
                        by_text.setdefault(text, []).append(
                            (code, phrase, toks, negative, [scope[t] for t in toks],
                             int(rows.starts[toks[0]]), int(rows.ends[toks[-1]])))
        found: list[list[PhraseMatch]] = [[] for _ in range(len(rows))]
        if not by_text:
            return found
        row_start, row_end = rows.row_start.tolist(), rows.row_end.tolist()
        for r, text in enumerate(rows.row_text.tolist()):
            if text in by_text:
                found[r] = _in_row(rows, by_text[text], row_start[r], row_end[r])
        return found


def _in_row(rows: TokenRows, matches: list[tuple[str, str, list[int], bool, list[int], int, int]],
            first: int, end: int) -> list[PhraseMatch]:
    """The text's keyword matches within tokens first..end, negation read within them too."""
    found = []
    for code, phrase, toks, negative, cues, start, stop in matches:
        if toks[0] < first or toks[-1] >= end:
            continue
        if not negative:
            found.append(PhraseMatch(code, phrase, start, stop,
                                     any(first <= cue < end for cue in cues)))
            continue
        inside = {cue if first <= cue < end else -1 for cue in cues}
        if len(inside) == 1 and (cue := inside.pop()) >= 0 and _unreversed(rows, cue, toks[0]):
            own = int(rows.scope[cue])
            found.append(PhraseMatch(code, phrase, _cue_start(rows, cue, first), stop,
                                     first <= own < end, negative=True))
    return found


def _unreversed(rows: TokenRows, cue: int, start: int) -> bool:
    """Whether no word of loss or failure (``_REVERSERS``) stands between a negative keyword's
    ``cue`` and its first word ``start`` (token indices), which would make its denial a double
    one."""
    norms, ids = rows.table.norms, rows.ids
    return not any(norms[ids[t]] in _REVERSERS for t in range(cue + 1, start))


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


def _cue_start(rows: TokenRows, cue: int, first: int) -> int:
    """Where evidence for a negative keyword starts: its cue, or the auxiliary glued to it
    ("can't": "ca" + "n't"; "don't"; "couldn't"); ``first`` is the row's first token."""
    norms, ids = rows.table.norms, rows.ids
    if cue > first and norms[ids[cue - 1]] in _AUXILIARIES and rows.ends[cue - 1] == rows.starts[cue]:
        return int(rows.starts[cue - 1])
    if cue > first and norms[ids[cue]] == "not" and norms[ids[cue - 1]] in _AUXILIARIES \
            and rows.ends[cue - 1] + 1 >= rows.starts[cue]:
        return int(rows.starts[cue - 1])
    return int(rows.starts[cue])
