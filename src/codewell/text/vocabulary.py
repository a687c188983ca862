"""A study's own words: shorthand and synonyms that the codebook, not the text module, defines.

"US" is ultrasound in a UK imaging survey and the country in an American one, "pt" is a patient
to a nurse and a point to a physicist: what shorthand means belongs to the study, so it lives in
the codebook (``abbreviations`` and ``synonyms``) and reaches the text pipeline as this value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    """Shorthand read as the word it stands for, and words read as a study's preferred word.

    ``abbreviations`` are (shorthand, word) pairs matched on the written token: shorthand given in
    lower case matches any case ("pts", "Pts"), shorthand with capitals only as written ("US" but
    not "us"). ``synonyms`` are (word, preferred word) pairs matched on lemmas ("scans" -> "scan"
    -> "image"), so several ways of naming one thing count as one word for the model and the
    keywords alike. Both are hashable tuples: a vocabulary is part of an analysis cache key.
    """

    abbreviations: tuple[tuple[str, str], ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.abbreviations or self.synonyms)

    def __hash__(self) -> int:
        """Worked out once: a vocabulary is part of the key of every analysis cache lookup."""
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        return hash((self.abbreviations, self.synonyms))

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the hash: string hashes differ from process to process."""
        return {key: value for key, value in self.__dict__.items() if key != "_hash"}

    @functools.cached_property
    def _any_case(self) -> dict[str, str]:
        return {short: word for short, word in self.abbreviations if short == short.lower()}

    @functools.cached_property
    def _exact(self) -> dict[str, str]:
        return {short: word for short, word in self.abbreviations if short != short.lower()}

    @functools.cached_property
    def _preferred(self) -> dict[str, str]:
        return dict(self.synonyms)

    @functools.cached_property
    def slashed(self) -> tuple[str, ...]:
        """Shorthand with a slash ("f/u"): the tokenizer must keep these whole."""
        return tuple(short.lower() for short, _ in self.abbreviations if "/" in short)

    def expand(self, written: str, lowered: str) -> str | None:
        """The word a written token stands for, or None when it is not shorthand."""
        return self._exact.get(written) or self._any_case.get(lowered)

    def prefer(self, lemma: str) -> str:
        """The study's preferred word for ``lemma`` (itself when it has none)."""
        return self._preferred.get(lemma, lemma)


def vocabulary(abbreviations: Iterable[tuple[str, str]] = (),
               synonyms: Iterable[tuple[str, str]] = ()) -> Vocabulary:
    """A vocabulary from pairs; expansions and synonyms are compared in lower case."""
    return Vocabulary(tuple((s, w.lower()) for s, w in abbreviations),
                      tuple((w.lower(), p.lower()) for w, p in synonyms))


NO_VOCABULARY = Vocabulary()
