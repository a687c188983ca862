"""Turning analysed texts into the classifier's feature matrix.

Three blocks, each earning its place in 5-fold cross-validation on both sample studies (dropping
the prior block cost 0.08-0.11 macro-F1, dropping the character block about 0.01):

- TF-IDF over lemma 1-2grams, negated words prefixed ``neg_`` (so "don't understand" and
  "understand" are different evidence), shorthand expanded by the text pipeline; once there are
  enough texts, only n-grams used in at least two of them (see ``WORD_MIN_DF``);
- TF-IDF over character 2-5grams within the words no negation governs: a denied word is evidence
  only through its ``neg_`` form, so "it didn't really mean a lot" cannot score "mean" through
  its letters;
- the codebook prior's features (per code: keyword hits, negated hits, profile similarity; then
  the text's affect), which let a model trained on thirty responses lean on what the codebook
  says, and let each code learn what a negation or a feeling means for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewell.text import Analysis

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

NEGATED = "neg_"
# Relative weight of each block once rows are L2-normalised (prior features are not normalised).
CHAR_WEIGHT = 0.6
PRIOR_WEIGHT = 1.0
# Character n-gram lengths, and the share of training texts above which an n-gram is dropped.
CHAR_NGRAMS = (2, 5)
CHAR_MAX_DF = 0.2
# A word n-gram must occur in this many training texts to become a feature: one used once is one
# writer's turn of phrase and cannot carry a code to a new voice. Leave-one-writer-out over the four
# development writers (the sample's three and writer 4): worst writer macro-F1 0.636 -> 0.656, mean
# unchanged (0.777). Below WORD_MIN_DF_FROM training texts every n-gram is kept: a new study's
# first hundred decisions teach the model exactly as before (at 40, the worst writer's "exactly
# right on the next 20 after 30 coded" fell from 0.35 to 0.25).
WORD_MIN_DF = 2
WORD_MIN_DF_FROM = 100


def word_tokens(analysis: Analysis) -> list[str]:
    """Lemmas of the words, negated ones marked; the unit of the word n-gram block."""
    return [
        (NEGATED + norm) if neg else norm
        for norm, word, neg in zip(analysis.norms, analysis.words, analysis.negated, strict=True)
        if word
    ]


def word_spans(analysis: Analysis) -> list[tuple[int, int]]:
    """Character spans of the tokens :func:`word_tokens` returns, in the same order."""
    return [
        (start, end)
        for start, end, word in zip(analysis.starts, analysis.ends, analysis.words, strict=True)
        if word
    ]


def word_ngrams(analysis: Analysis) -> list[str]:
    """Unigrams and bigrams of :func:`word_tokens` (the word vectorizer's analyzer)."""
    tokens = word_tokens(analysis)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_words(analysis: Analysis) -> list[str]:
    """The lemmas of the words outside any negation: what character n-grams are cut from."""
    return [norm for norm, word, neg in zip(analysis.norms, analysis.words, analysis.negated,
                                            strict=True) if word and not neg]


class CharGrams:
    """TF-IDF over character n-grams inside words (like scikit-learn's ``char_wb``), but fast.

    A word's n-grams never cross into its neighbours, so a text's n-gram counts are the sum of its
    words' counts: each distinct word is cut into n-grams once (and cached), and a batch of texts
    becomes one sparse product (texts x words) @ (words x n-grams). N-grams found in more than
    ``max_df`` of the training texts say little and make the kernel dense, so they are dropped.
    """

    def __init__(self, ngrams: tuple[int, int] = (2, 5), min_df: int = 2,
                 max_df: float = 0.2) -> None:
        self.ngrams, self.min_df, self.max_df = ngrams, min_df, max_df
        self.vocabulary: dict[str, int] = {}
        self.idf: np.ndarray | None = None
        self._columns: dict[str, list[int]] = {}

    def fit_transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Learn n-grams and IDF from ``docs`` (lists of words); return their (n, grams) matrix."""
        import numpy as np

        words = sorted({w for doc in docs for w in doc})
        names = list(dict.fromkeys(g for w in words for g in self._grams(w)))
        self.vocabulary, self._columns = {g: i for i, g in enumerate(names)}, {}
        counts = self._counts(docs, words)
        df = np.bincount(counts.indices, minlength=len(names))
        least = min(self.min_df, len(docs))
        kept = np.flatnonzero((df >= least) & (df <= max(self.max_df * len(docs), least)))
        self.vocabulary = {names[i]: j for j, i in enumerate(kept)}
        self._columns = {}
        self.idf = np.log((1 + len(docs)) / (1 + df[kept])) + 1.0
        return self._weigh(counts[:, kept])

    def transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Sublinear TF x IDF, rows L2-normalised: shape (len(docs), n-grams)."""
        return self._weigh(self._counts(docs, sorted({w for doc in docs for w in doc})))

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Raw counts -> (1 + log tf) x idf, rows L2-normalised."""
        import numpy as np
        from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

        if not self.vocabulary:
            return counts.tocsr()
        counts = counts.tocsr()
        counts.data = 1.0 + np.log(counts.data)
        counts = counts.multiply(self.idf[None, :]).tocsr().astype(np.float64, copy=False)
        # What sklearn's normalize() does, without its input checks (a third of one suggestion).
        inplace_csr_row_normalize_l2(counts)
        return counts

    def _grams(self, word: str) -> list[str]:
        padded = f" {word} "
        low, high = self.ngrams
        return [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]

    def _word_columns(self, word: str) -> list[int]:
        found = self._columns.get(word)
        if found is None:
            found = [c for g in self._grams(word) if (c := self.vocabulary.get(g)) is not None]
            self._columns[word] = found
        return found

    def _counts(self, docs: Sequence[Sequence[str]], words: list[str]) -> sparse.csr_matrix:
        """Raw counts (texts, n-grams) = (texts x words) @ (words x n-grams)."""
        import numpy as np
        from scipy import sparse

        index = {w: i for i, w in enumerate(words)}
        columns = [self._word_columns(w) for w in words]
        lengths = np.array([len(c) for c in columns], dtype=np.int64)
        flat = np.fromiter((c for cols in columns for c in cols), dtype=np.int64, count=int(lengths.sum()))
        word_grams = sparse.csr_matrix(
            (np.ones(len(flat)), flat, np.concatenate([[0], np.cumsum(lengths)])),
            shape=(len(words), len(self.vocabulary)))
        rows = np.fromiter((index[w] for doc in docs for w in doc), dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum([len(doc) for doc in docs])])
        doc_words = sparse.csr_matrix((np.ones(len(rows)), rows, starts),
                                      shape=(len(docs), len(words)))
        return (doc_words @ word_grams).tocsr()


class Featurizer:
    """Fitted on the training texts (vocabulary and IDF), then applied to any text."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.words = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=1)
        self.chars = CharGrams(CHAR_NGRAMS, min_df=2, max_df=CHAR_MAX_DF)

    def fit_transform(self, analyses: Sequence[Analysis],
                      prior_features: np.ndarray) -> sparse.csr_matrix:
        """Learn the vocabularies and IDF from ``analyses`` and return their features."""
        self.words.min_df = WORD_MIN_DF if len(analyses) >= WORD_MIN_DF_FROM else 1
        words = self.words.fit_transform(list(analyses))
        chars = self.chars.fit_transform([char_words(a) for a in analyses])
        return _stack(words, chars, prior_features)

    def transform(self, analyses: Sequence[Analysis], prior_features: np.ndarray) -> sparse.csr_matrix:
        """(n, word + char + prior) features; the word block comes first (evidence relies on it)."""
        words = self.words.transform(list(analyses))
        chars = self.chars.transform([char_words(a) for a in analyses])
        return _stack(words, chars, prior_features)


def _stack(words: sparse.csr_matrix, chars: sparse.csr_matrix,
           prior_features: np.ndarray) -> sparse.csr_matrix:
    from scipy import sparse

    prior = sparse.csr_matrix(prior_features * PRIOR_WEIGHT)
    return sparse.hstack([words, chars * CHAR_WEIGHT, prior], format="csr", dtype="float64")


# A sentence ends after one of these, or where the text breaks the line.
_SENTENCE_ENDS = frozenset({".", "!", "?", "...", "…"})
# Sentences shorter than this many words join the next one ("Yes. It helps them understand.").
MIN_SENTENCE_WORDS = 3


def sentences(analysis: Analysis) -> list[Analysis]:
    """The sentences of a multi-sentence analysis as analyses of their own ([] for one sentence).

    Each keeps the whole text and its own tokens' original offsets, so keyword matches and
    evidence found in a sentence point into the response. Sentences are cut on the tokens
    already there (end punctuation, line breaks), not by another spaCy pass: on 100,000
    responses a second pass would cost more than all the rest of suggesting.
    """
    n = len(analysis)
    cuts, start, words = [], 0, 0
    for i in range(n):
        words += analysis.words[i]
        ends = analysis.norms[i] in _SENTENCE_ENDS or (
            i + 1 < n and "\n" in analysis.text[analysis.ends[i]:analysis.starts[i + 1]])
        if ends and words >= MIN_SENTENCE_WORDS:
            cuts.append((start, i + 1))
            start, words = i + 1, 0
    if start < n:
        if cuts and words < MIN_SENTENCE_WORDS:
            cuts[-1] = (cuts[-1][0], n)
        else:
            cuts.append((start, n))
    if len(cuts) < 2:
        return []
    return [_slice(analysis, a, b) for a, b in cuts]


def _slice(analysis: Analysis, a: int, b: int) -> Analysis:
    """Tokens a..b of ``analysis``; negation cues outside the slice are dropped."""
    from dataclasses import replace

    return replace(analysis, starts=analysis.starts[a:b], ends=analysis.ends[a:b],
                   norms=analysis.norms[a:b], words=analysis.words[a:b],
                   scope=tuple(c - a if a <= c < b else -1 for c in analysis.scope[a:b]))


def span(analysis: Analysis) -> tuple[int, int]:
    """Character span of an analysis's tokens in its text ((0, 0) when it has none)."""
    return (analysis.starts[0], analysis.ends[-1]) if len(analysis) else (0, 0)
