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
from codewell.text.affect import AFFECT_FEATURES, affect_features, strong_words, valences

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
# A strong feeling word (:mod:`codewell.text.affect`) that is no keyword counts as half a keyword
# for a code whose own keywords are feelings (mean valence at most -1.5 over five or more rated
# keywords: "anxiety" in the image-sharing codebook, no code of the patient-feedback one). It
# catches "awful", "terrified", "horrible" without listing every feeling word in the codebook.
_PER_AFFECT = 1.3
_AFFECTIVE_VALENCE = -1.5
_AFFECTIVE_MIN_RATED = 5
# Words too common to say anything about a code (negation words are kept: they matter).
_KEEP = frozenset({"not", "no", "never", "nothing", "none", "without", "cannot"})


@dataclass(frozen=True)
class PriorView:
    """The prior's reading of a batch of texts.

    ``features`` has shape (n, 3k + 4): per code, log(1 + keyword hits), log(1 + negated hits)
    and cosine similarity to the code's profile; then the text's affect
    (:data:`~codewell.text.affect.AFFECT_FEATURES`), the same for every code, for each code's
    model to weigh in its own way. ``probabilities`` has shape (n, k). ``matches[i]``
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
        self._affective = _affective(codebook, self.vocabulary)

    @property
    def affective(self) -> tuple[bool, ...]:
        """Per code, whether its keywords are feelings (strong feeling words then count for it)."""
        return tuple(bool(flag) for flag in self._affective)

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
        features = np.empty((len(analyses), FEATURES_PER_CODE * k + len(AFFECT_FEATURES)))
        features[:, 0:3 * k:3] = np.log1p(hits)
        features[:, 1:3 * k:3] = np.log1p(negated)
        features[:, 2:3 * k:3] = similarity
        rated = [valences(a) for a in analyses]
        features[:, 3 * k:] = [affect_features(a, r) for a, r in zip(analyses, rated, strict=True)
                               ] if analyses else 0.0
        feelings = np.array([_unlisted_feelings(a, found, r) for a, found, r in
                             zip(analyses, matches, rated, strict=True)])
        score = (_BIAS + _PER_KEYWORD * np.minimum(hits, _MAX_KEYWORDS) + _PER_SIMILARITY * similarity
                 + _PER_AFFECT * np.minimum(feelings, _MAX_KEYWORDS)[:, None] * self._affective)
        empty = np.array([not any(a.words) for a in analyses], dtype=bool)
        probabilities = 1.0 / (1.0 + np.exp(-score))
        probabilities[empty] = 0.0
        return PriorView(features, probabilities, matches)

    def similarity(self, analyses: Sequence[Analysis]) -> np.ndarray:
        """Cosine similarity (n, k) of each text to each code's profile, on content lemmas."""
        analyses = self.own(analyses)
        vectors = self._vectorizer.transform(list(analyses))
        return (vectors @ self._profiles.T).toarray()


def _affective(codebook: Codebook, vocabulary: Vocabulary) -> np.ndarray:
    """Per code (k,), 1.0 when its keywords are feelings in the lexicon's eyes, else 0.0."""
    import numpy as np

    flags = []
    for code, analyses in zip(codebook.codes, (analyse_many(c.keywords, vocabulary)
                                               for c in codebook.codes), strict=True):
        rated = [v for a in analyses if len(a) == 1 and (v := valences(a)[0]) != 0.0]
        flags.append(len(rated) >= _AFFECTIVE_MIN_RATED
                     and sum(rated) / len(rated) <= _AFFECTIVE_VALENCE)
    return np.array(flags, dtype=float)


def _unlisted_feelings(analysis: Analysis, matches: list[PhraseMatch], rated: list[float]) -> int:
    """Strong feeling words of ``analysis`` that no codebook keyword matched."""
    taken = [(m.start, m.end) for m in matches]
    return sum(1 for i in strong_words(analysis, rated)
               if not any(s <= analysis.starts[i] < e for s, e in taken))


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
