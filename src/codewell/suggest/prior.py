"""The codebook prior: suggestions from the codebook alone, before any coder has decided anything.

A new study gets useful suggestions on response one from what the codebook already says: its
keywords (matched on lemmas, typo-tolerant, negation-aware) and how close the response is to each
code's definition, inclusion notes and examples. The same signals later become features of the
trained classifier, which learns how far to trust them for this study.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codewell.values import Codebook, Code
from codewell.text import Analysis, PhraseIndex, PhraseMatch, Vocabulary, analyse_many, vocabulary
from codewell.text.affect import AFFECT_FEATURES, STRONG, lexicon, valences
from codewell.text.rows import PerNorm, TokenRows, as_rows

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

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
        self.codes = codebook.ids
        self.vocabulary = vocabulary_of(codebook)
        self._index = PhraseIndex(
            ((code.id, phrase) for code in codebook.codes for phrase in _phrases(code)),
            self.vocabulary)
        profiles = analyse_many([_profile_text(code) for code in codebook.codes], self.vocabulary)
        self._lemmas, self._idf, self._profiles = _profile_vectors(profiles)
        self._affective = _affective(codebook, self.vocabulary)

    @property
    def affective(self) -> tuple[bool, ...]:
        """Per code, whether its keywords are feelings (strong feeling words then count for it)."""
        return tuple(bool(flag) for flag in self._affective)

    def own(self, analyses: Sequence[Analysis] | TokenRows) -> TokenRows:
        """``analyses`` as rows read with this codebook's vocabulary (re-analysed only when they
        were not)."""
        rows = as_rows(analyses)
        if all(a.vocabulary == self.vocabulary for a in rows.analyses):
            return rows
        again = analyse_many([a.text for a in rows.analyses], self.vocabulary)
        return TokenRows(again, sentences=rows.sentences)

    def view(self, analyses: Sequence[Analysis] | TokenRows) -> PriorView:
        """The prior's reading of each text (or of each row: texts, then their sentences)."""
        import numpy as np

        rows = self.own(analyses)
        n, k = len(rows), len(self.codes)
        matches = self._index.match_rows(rows)
        hits, negated = self._hits(matches, n)
        similarity = self.similarity(rows)
        affect, feelings = self._affect(rows, matches)
        features = np.empty((n, FEATURES_PER_CODE * k + len(AFFECT_FEATURES)))
        features[:, 0:3 * k:3] = np.log1p(hits)
        features[:, 1:3 * k:3] = np.log1p(negated)
        features[:, 2:3 * k:3] = similarity
        features[:, 3 * k:] = affect
        score = (_BIAS + _PER_KEYWORD * np.minimum(hits, _MAX_KEYWORDS) + _PER_SIMILARITY * similarity
                 + _PER_AFFECT * np.minimum(feelings, _MAX_KEYWORDS)[:, None] * self._affective)
        empty = np.bincount(rows.row, weights=rows.words[rows.tok], minlength=n) == 0
        probabilities = 1.0 / (1.0 + np.exp(-score))
        probabilities[empty] = 0.0
        return PriorView(features, probabilities, matches)

    def _hits(self, matches: list[list[PhraseMatch]], n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per row and code (n, k), how many distinct keywords matched outside a negation, and
        how many inside one: counted into one flat array (per row, code and negation), not
        cell by cell."""
        import numpy as np

        k = len(self.codes)
        column = {code: c for c, code in enumerate(self.codes)}
        cells = [2 * (k * i + column[code]) + negated
                 for i, found in enumerate(matches) if found
                 for code, _, negated in {(m.code, m.phrase, m.negated) for m in found}]
        counts = np.bincount(np.array(cells, dtype=np.int64), minlength=2 * n * k)
        counts = counts.reshape(n, k, 2).astype(np.float64)
        return counts[:, :, 0], counts[:, :, 1]

    def similarity(self, analyses: Sequence[Analysis] | TokenRows) -> np.ndarray:
        """Cosine similarity (n, k) of each text to each code's profile, on content lemmas
        (:func:`content_lemmas`, counted per row from per-norm columns)."""
        import numpy as np

        from codewell.suggest.features import count_matrix, sublinear_tfidf

        rows = self.own(analyses)
        ids = rows.ids[rows.tok]
        columns = self._content_columns.of(rows.table)
        column = np.where(rows.negated, columns[ids, 1], columns[ids, 0])
        kept = rows.words[rows.tok] & (column >= 0)
        counts = count_matrix(rows.row[kept], column[kept], (len(rows), len(self._lemmas)))
        vectors = sublinear_tfidf(counts, self._idf)
        return (vectors @ self._profiles.T).toarray()

    @functools.cached_property
    def _content_columns(self) -> PerNorm:
        """Per norm, its column in the profile vocabulary and that of its negated form (-1: none;
        both -1 for a norm that is no content lemma)."""
        import numpy as np
        from spacy.lang.en.stop_words import STOP_WORDS

        vocabulary = self._lemmas

        def columns(norms: list[str]) -> list[tuple[int, int]]:
            return [(vocabulary.get(norm, -1), vocabulary.get("neg_" + norm, -1))
                    if (norm in _KEEP or norm not in STOP_WORDS) and len(norm) > 1 else (-1, -1)
                    for norm in norms]

        return PerNorm(columns, np.int64, (2,))

    @functools.cached_property
    def _valences(self) -> PerNorm:
        """Per norm, its valence in the affect lexicon (0.0: not rated)."""
        table = lexicon()
        return PerNorm(lambda norms: [table.get(norm, 0.0) for norm in norms], float)

    def _affect(self, rows: TokenRows, matches: list[list[PhraseMatch]]
                ) -> tuple[np.ndarray, np.ndarray]:
        """Per row, :func:`~codewell.text.affect.affect_features` (r, 4), and how many strong
        feeling words (:func:`~codewell.text.affect.strong_words`) no keyword matched (r,)."""
        import numpy as np

        ids = rows.ids[rows.tok]
        rated = np.where(rows.words[rows.tok], self._valences.of(rows.table)[ids], 0.0)
        denied, row, n = rows.negated, rows.row, len(rows)

        def total(weights: np.ndarray) -> np.ndarray:  # summed in token order, as Python would
            return np.bincount(row, weights=weights, minlength=n)

        strong = ~denied & (rated <= STRONG)
        affect = np.log1p(np.column_stack([
            total(np.where(~denied & (rated < 0), -rated, 0.0)) / 2,
            total(np.where(~denied & (rated > 0), rated, 0.0)) / 2,
            total(np.where(denied, np.maximum(0.0, -rated), 0.0)) / 2,
            total(strong.astype(float)),
        ]))
        feelings = np.bincount(row[strong], minlength=n)
        for j in np.flatnonzero(strong).tolist():
            taken = matches[row[j]]
            if taken:
                start = rows.starts[rows.tok[j]]
                feelings[row[j]] -= any(m.start <= start < m.end for m in taken)
        return affect, feelings


def _profile_vectors(profiles: Sequence[Analysis]) -> tuple[dict[str, int], np.ndarray,
                                                             sparse.csr_matrix]:
    """The profiles' content lemmas (column of each, alphabetical), their IDF (smoothed) and the
    profiles' TF-IDF rows (k, lemmas): what scikit-learn's ``TfidfVectorizer(analyzer=
    content_lemmas, sublinear_tf=True).fit_transform`` gives, without loading scikit-learn in
    every process that suggests (two seconds of CPU each)."""
    from collections import Counter

    import numpy as np
    from scipy import sparse

    from codewell.suggest.features import sublinear_tfidf

    docs = [content_lemmas(a) for a in profiles]
    # Each row's entries in the order scikit-learn leaves them (by first sight in the corpus),
    # so that its norms are summed in the same order: the very same floats.
    seen = {lemma: i for i, lemma in enumerate(dict.fromkeys(w for doc in docs for w in doc))}
    lemmas = {lemma: i for i, lemma in enumerate(sorted(seen))}
    counted = [sorted(Counter(doc).items(), key=lambda item: seen[item[0]]) for doc in docs]
    counts = sparse.csr_matrix(
        (np.array([c for doc in counted for _, c in doc], dtype=np.float64),
         np.array([lemmas[w] for doc in counted for w, _ in doc], dtype=np.int64),
         np.concatenate([[0], np.cumsum([len(doc) for doc in counted])])),
        shape=(len(docs), len(lemmas)))
    df = np.bincount(counts.indices, minlength=len(lemmas))
    idf = np.log((len(docs) + 1) / (df + 1)) + 1.0
    return lemmas, idf, sublinear_tfidf(counts, idf)


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
