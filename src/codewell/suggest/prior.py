"""The codebook prior: suggestions from the codebook alone, before any coder has decided anything.

A new study gets useful suggestions on response one from what the codebook already says: its
keywords (matched on lemmas, typo-tolerant, negation-aware) and how close the response is to each
code's definition, inclusion notes and examples. The same signals later become features of the
trained classifier, which learns how far to trust them for this study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codewell.values import Codebook, Code
from codewell.text import Analysis, PhraseIndex, PhraseMatch, Vocabulary, analyse_many, vocabulary

if TYPE_CHECKING:
    import numpy as np

# Three features per code: keyword matches outside a negation, inside one, and similarity.
FEATURES_PER_CODE = 3
# How a keyword hit and profile similarity turn into a probability (a logistic score). They are set
# by reasoning, not fitted: no keyword and nothing alike sits near 0.1, one clear keyword near 0.6,
# two keywords or one keyword in a response much like the code's own notes above 0.8.
_BIAS = -2.4
_PER_KEYWORD = 2.6
_MAX_KEYWORDS = 2
_PER_SIMILARITY = 5.0
# Words too common to say anything about a code (negation words are kept: they matter).
_KEEP = frozenset({"not", "no", "never", "nothing", "none", "without", "cannot"})


@dataclass(frozen=True)
class PriorView:
    """The prior's reading of a batch of texts.

    ``features`` has shape (n, 3k): per code, log(1 + keyword hits), log(1 + negated hits) and
    cosine similarity to the code's profile. ``probabilities`` has shape (n, k). ``matches[i]``
    lists the keyword matches of text i.
    """

    features: np.ndarray
    probabilities: np.ndarray
    matches: list[list[PhraseMatch]]


class CodebookPrior:
    """Keyword matching plus similarity to each code's own words, for any codebook."""

    def __init__(self, codebook: Codebook) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.codes = codebook.ids
        self.vocabulary = vocabulary_of(codebook)
        self._index = PhraseIndex(
            ((code.id, phrase) for code in codebook.codes for phrase in _phrases(code)),
            self.vocabulary)
        profiles = analyse_many([_profile_text(code) for code in codebook.codes], self.vocabulary)
        self._vectorizer = TfidfVectorizer(analyzer=content_lemmas, sublinear_tf=True)
        self._profiles = self._vectorizer.fit_transform(profiles)

    def own(self, analyses: Sequence[Analysis]) -> Sequence[Analysis]:
        """``analyses`` read with this codebook's vocabulary (re-analysed only when they were not)."""
        if all(a.vocabulary == self.vocabulary for a in analyses):
            return analyses
        return analyse_many([a.text for a in analyses], self.vocabulary)

    def view(self, analyses: Sequence[Analysis]) -> PriorView:
        import numpy as np

        analyses = self.own(analyses)
        k = len(self.codes)
        column = {code: c for c, code in enumerate(self.codes)}
        hits = np.zeros((len(analyses), k))
        negated = np.zeros((len(analyses), k))
        matches = []
        for i, analysis in enumerate(analyses):
            found = self._index.match(analysis)
            matches.append(found)
            for code in {(m.code, m.phrase) for m in found if not m.negated}:
                hits[i, column[code[0]]] += 1
            for code in {(m.code, m.phrase) for m in found if m.negated}:
                negated[i, column[code[0]]] += 1
        similarity = self.similarity(analyses)
        features = np.empty((len(analyses), FEATURES_PER_CODE * k))
        features[:, 0::3] = np.log1p(hits)
        features[:, 1::3] = np.log1p(negated)
        features[:, 2::3] = similarity
        score = _BIAS + _PER_KEYWORD * np.minimum(hits, _MAX_KEYWORDS) + _PER_SIMILARITY * similarity
        empty = np.array([not any(a.words) for a in analyses], dtype=bool)
        probabilities = 1.0 / (1.0 + np.exp(-score))
        probabilities[empty] = 0.0
        return PriorView(features, probabilities, matches)

    def similarity(self, analyses: Sequence[Analysis]) -> np.ndarray:
        """Cosine similarity (n, k) of each text to each code's profile, on content lemmas."""
        analyses = self.own(analyses)
        vectors = self._vectorizer.transform(list(analyses))
        return (vectors @ self._profiles.T).toarray()


def vocabulary_of(codebook: Codebook) -> Vocabulary:
    """The codebook's shorthand and synonyms as the text pipeline reads them."""
    return vocabulary(codebook.abbreviations, codebook.synonyms)


def content_lemmas(analysis: Any) -> list[str]:
    """Lemmas that carry meaning: words, not stop words, negation marked (the prior's analyzer)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return [
        ("neg_" + norm) if neg else norm
        for norm, word, neg in zip(analysis.norms, analysis.words, analysis.negated, strict=True)
        if word and (norm in _KEEP or norm not in STOP_WORDS) and len(norm) > 1
    ]


def _phrases(code: Code) -> list[str]:
    return [*code.keywords, code.label]


def _profile_text(code: Code) -> str:
    parts = [code.label, code.definition, *code.include, *code.keywords, *code.examples]
    return " . ".join(part for part in parts if part)
