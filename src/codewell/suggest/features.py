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

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewell.text import Analysis
from codewell.text.rows import PerNorm, PerNormLists, TokenRows, as_rows

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

    def fit_transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Learn n-grams and IDF from ``docs`` (lists of words); return their (n, grams) matrix."""
        import numpy as np

        words = sorted({w for doc in docs for w in doc})
        names = list(dict.fromkeys(g for w in words for g in self._grams(w)))
        self.vocabulary = {g: i for i, g in enumerate(names)}
        index = {w: i for i, w in enumerate(words)}
        counts = self._counts(np.fromiter((index[w] for doc in docs for w in doc), dtype=np.int64),
                              np.array([len(doc) for doc in docs], dtype=np.int64),
                              [self._word_columns(w) for w in words])
        df = np.bincount(counts.indices, minlength=len(names))
        least = min(self.min_df, len(docs))
        kept = np.flatnonzero((df >= least) & (df <= max(self.max_df * len(docs), least)))
        self.vocabulary = {names[i]: j for j, i in enumerate(kept)}
        self.idf = np.log((1 + len(docs)) / (1 + df[kept])) + 1.0
        return self._weigh(counts[:, kept])

    def transform(self, rows: TokenRows) -> sparse.csr_matrix:
        """Sublinear TF x IDF of each row's :func:`char_words`, rows L2-normalised: shape
        (rows, n-grams). A word's n-gram columns are worked out once per process and kept flat,
        so a batch's words are gathered with array operations."""
        import numpy as np

        kept = rows.words[rows.tok] & ~rows.negated
        words, local = np.unique(rows.ids[rows.tok[kept]], return_inverse=True)
        indptr, columns = self._norm_columns.of(rows.table)
        sizes = indptr[words + 1] - indptr[words]
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        gather = np.arange(offsets[-1]) + np.repeat(indptr[words] - offsets[:-1], sizes)
        return self._weigh(self._flat_counts(local, np.bincount(rows.row[kept], minlength=len(rows)),
                                             offsets, columns[gather]))

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the per-norm columns: norm ids mean nothing in another process."""
        return {key: value for key, value in self.__dict__.items() if key != "_norm_columns"}

    @functools.cached_property
    def _norm_columns(self) -> PerNormLists:
        return PerNormLists(lambda norms: [self._word_columns(norm) for norm in norms])

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Raw counts -> (1 + log tf) x idf, rows L2-normalised."""
        import numpy as np

        if not self.vocabulary:
            return counts.tocsr()
        counts = counts.tocsr().astype(np.float64, copy=False)
        counts.sort_indices()  # the order (and so the floats) a broadcast multiply leaves
        counts.data = 1.0 + np.log(counts.data)
        counts.data *= self.idf[counts.indices]
        return normalize_rows(counts)

    def _grams(self, word: str) -> list[str]:
        padded = f" {word} "
        low, high = self.ngrams
        return [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]

    def _word_columns(self, word: str) -> list[int]:
        return [c for c in map(self.vocabulary.get, self._grams(word)) if c is not None]

    def _counts(self, words: np.ndarray, lengths: np.ndarray,
                columns: list[list[int]]) -> sparse.csr_matrix:
        """Raw counts (texts, n-grams) = (texts x words) @ (words x n-grams): ``words`` (m,)
        indexes ``columns`` (each word's n-gram columns) for each word of each text in turn,
        ``lengths`` (texts,) says how many words each text has."""
        import numpy as np

        sizes = np.array([len(c) for c in columns], dtype=np.int64)
        flat = np.fromiter((c for cols in columns for c in cols), dtype=np.int64, count=int(sizes.sum()))
        return self._flat_counts(words, lengths, np.concatenate([[0], np.cumsum(sizes)]), flat)

    def _flat_counts(self, words: np.ndarray, lengths: np.ndarray, indptr: np.ndarray,
                     columns: np.ndarray) -> sparse.csr_matrix:
        """:meth:`_counts` with word w's n-gram columns given flat, as
        ``columns[indptr[w]:indptr[w + 1]]``. The product is taken column-major: turned
        row-major, its rows come out with sorted columns (what weighing needs), without sorting
        each row after a row-major product (a fifth of this block's CPU). The counts are whole
        numbers, so the floats are the same."""
        import numpy as np
        from scipy import sparse

        word_grams = sparse.csr_matrix((np.ones(len(columns)), columns, indptr),
                                       shape=(len(indptr) - 1, len(self.vocabulary)))
        doc_words = sparse.csr_matrix((np.ones(len(words)), words,
                                       np.concatenate([[0], np.cumsum(lengths)])),
                                      shape=(len(lengths), len(indptr) - 1))
        return (doc_words.tocsc() @ word_grams.tocsc()).tocsr()


def word_vocabulary(analyses: Sequence[Analysis], least: int) -> tuple[dict[str, int], np.ndarray]:
    """The word n-grams (:func:`word_ngrams`) in at least ``least`` of the texts, sorted, each
    with its column, and their smoothed IDF: ``TfidfVectorizer``'s ``vocabulary_`` and ``idf_``
    with that ``min_df``, the same floats. No n-gram at all gives an empty block, not an error."""
    import numpy as np

    texts_with: dict[str, int] = {}
    for analysis in analyses:
        for gram in set(word_ngrams(analysis)):
            texts_with[gram] = texts_with.get(gram, 0) + 1
    names = sorted(gram for gram, count in texts_with.items() if count >= least)
    idf = np.full(len(names), len(analyses) + 1, dtype=np.float64)
    idf /= np.array([texts_with[name] for name in names], dtype=np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    return {name: column for column, name in enumerate(names)}, idf


class Featurizer:
    """Fitted on the training texts (vocabulary and IDF), then applied to any text.

    The word block is what scikit-learn's ``TfidfVectorizer(analyzer=word_ngrams,
    sublinear_tf=True)`` would learn and give, bit for bit (a test holds it to that), but learnt
    here: importing scikit-learn costs about 2 s of CPU, paid by every process that trains (the
    coding screen's first suggestions wait for it) and that a word count does not need.
    """

    def __init__(self) -> None:
        self.chars = CharGrams(CHAR_NGRAMS, min_df=2, max_df=CHAR_MAX_DF)
        self.word_vocabulary: dict[str, int] = {}
        self.word_idf: np.ndarray | None = None

    def fit_transform(self, analyses: Sequence[Analysis],
                      prior_features: np.ndarray) -> sparse.csr_matrix:
        """Learn the vocabularies and IDF from ``analyses`` and return their features."""
        least = WORD_MIN_DF if len(analyses) >= WORD_MIN_DF_FROM else 1
        self.word_vocabulary, self.word_idf = word_vocabulary(analyses, least)
        self.__dict__.pop("_grams", None)  # built from the vocabulary just replaced
        chars = self.chars.fit_transform([char_words(a) for a in analyses])
        return _stack(self._word_block(as_rows(analyses)), chars, prior_features)

    @property
    def word_names(self) -> tuple[str, ...]:
        """The word block's n-grams in column order."""
        return tuple(self.word_vocabulary)

    def transform(self, analyses: Sequence[Analysis] | TokenRows,
                  prior_features: np.ndarray) -> sparse.csr_matrix:
        """(rows, word + char + prior) features of each text (or row: texts, then sentences);
        the word block comes first (evidence relies on it), from per-norm columns instead of
        n-gram strings."""
        rows = as_rows(analyses)
        return _stack(self._word_block(rows), self.chars.transform(rows), prior_features)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the per-norm lookups (norm ids mean nothing in another process)."""
        return {key: value for key, value in self.__dict__.items() if key != "_grams"}

    @functools.cached_property
    def _grams(self) -> _WordGrams:
        return _WordGrams(self.word_vocabulary)

    def _word_block(self, rows: TokenRows) -> sparse.csr_matrix:
        import numpy as np

        grams = self._grams
        chosen = np.flatnonzero(rows.words[rows.tok])
        unigram = grams.strings.of(rows.table)[rows.ids[rows.tok[chosen]],
                                               rows.negated[chosen].astype(np.int64)]
        row = rows.row[chosen]
        column = np.where(unigram >= 0, grams.unigram_column[unigram], -1)
        first, second = unigram[:-1], unigram[1:]
        pair = (row[1:] == row[:-1]) & (first >= 0) & (second >= 0)
        pair_rows, pair_columns = grams.bigrams(row[:-1][pair], first[pair], second[pair])
        counts = count_matrix(np.concatenate([row[column >= 0], pair_rows]),
                              np.concatenate([column[column >= 0], pair_columns]),
                              (len(rows), len(grams.vocabulary)))
        return sublinear_tfidf(counts, self.word_idf)


class _WordGrams:
    """The word vectorizer's vocabulary as integers: every string a unigram or half a bigram of
    it gets an id, and each norm (plain and negated) maps to one, so a text's n-grams are found
    with array operations. A bigram whose halves are not both such strings cannot be in it."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        import numpy as np

        self.vocabulary = vocabulary
        strings: dict[str, int] = {}
        pairs: list[tuple[str, str, int]] = []
        for name, column in vocabulary.items():
            strings.setdefault(name, len(strings))
            at = name.find(" ")
            while at >= 0:  # every way of reading the name as two words
                left, right = name[:at], name[at + 1:]
                strings.setdefault(left, len(strings))
                strings.setdefault(right, len(strings))
                pairs.append((left, right, column))
                at = name.find(" ", at + 1)
        self.size = len(strings)
        self.unigram_column = np.array([vocabulary.get(s, -1) for s in strings], dtype=np.int64)
        codes = np.array([strings[a] * self.size + strings[b] for a, b, _ in pairs], dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        self.pair_codes = codes[order]
        self.pair_columns = np.array([c for _, _, c in pairs], dtype=np.int64)[order]
        self.strings = PerNorm(lambda norms: [(strings.get(norm, -1), strings.get(NEGATED + norm, -1))
                                              for norm in norms], np.int64, (2,))

    def bigrams(self, rows: np.ndarray, first: np.ndarray, second: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """The rows and columns of the (first, second) string pairs that are bigrams."""
        import numpy as np

        codes = first * self.size + second
        at = np.minimum(np.searchsorted(self.pair_codes, codes), max(len(self.pair_codes) - 1, 0))
        found = self.pair_codes[at] == codes if len(self.pair_codes) else np.zeros(len(codes), bool)
        return rows[found], self.pair_columns[at[found]]


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """How often each (row, column) pair occurs, as a float CSR matrix with sorted indices (what
    scikit-learn's vectorizers count before weighing)."""
    import numpy as np
    from scipy import sparse

    codes, counts = np.unique(rows.astype(np.int64) * shape[1] + columns, return_counts=True)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes // max(shape[1], 1), minlength=shape[0]), out=indptr[1:])
    return sparse.csr_matrix((counts.astype(np.float64), codes % max(shape[1], 1), indptr), shape=shape)


def sublinear_tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """``counts`` -> (1 + log tf) x idf, rows L2-normalised, in place, with the very operations
    of scikit-learn's ``TfidfTransformer(sublinear_tf=True).transform`` (so the same floats)."""
    import numpy as np

    np.log(counts.data, counts.data)
    counts.data += 1.0
    counts.data *= idf[counts.indices]
    return normalize_rows(counts)


def normalize_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row of ``matrix`` divided by its L2 norm, in place (rows of zeros left alone): the
    floats of scikit-learn's ``inplace_csr_row_normalize_l2`` (each row's squares summed in
    order), without loading scikit-learn."""
    import numpy as np

    lengths = np.diff(matrix.indptr)
    squares = np.bincount(np.repeat(np.arange(matrix.shape[0]), lengths),
                          weights=matrix.data * matrix.data, minlength=matrix.shape[0])
    norms = np.sqrt(squares)
    norms[norms == 0.0] = 1.0
    matrix.data /= np.repeat(norms, lengths)
    return matrix


def _stack(words: sparse.csr_matrix, chars: sparse.csr_matrix,
           prior_features: np.ndarray) -> sparse.csr_matrix:
    from scipy import sparse

    prior = sparse.csr_matrix(prior_features * PRIOR_WEIGHT)
    return sparse.hstack([words, chars * CHAR_WEIGHT, prior], format="csr", dtype="float64")


def sentences(analysis: Analysis) -> list[Analysis]:
    """The sentences of a multi-sentence analysis as analyses of their own ([] for one sentence).

    Each keeps the whole text and its own tokens' original offsets, so keyword matches and
    evidence found in a sentence point into the response. Sentences are cut as
    :class:`~codewell.text.rows.TokenRows` cuts them, on the tokens already there (end
    punctuation, line breaks), not by another spaCy pass.
    """
    rows = TokenRows([analysis], sentences=True)
    return [_slice(analysis, a, b) for a, b in zip(rows.row_start[1:].tolist(),
                                                   rows.row_end[1:].tolist(), strict=True)]


def _slice(analysis: Analysis, a: int, b: int) -> Analysis:
    """Tokens a..b of ``analysis``; negation cues outside the slice are dropped."""
    from dataclasses import replace

    return replace(analysis, starts=analysis.starts[a:b], ends=analysis.ends[a:b],
                   norms=analysis.norms[a:b], words=analysis.words[a:b],
                   scope=tuple(c - a if a <= c < b else -1 for c in analysis.scope[a:b]))


def span(analysis: Analysis) -> tuple[int, int]:
    """Character span of an analysis's tokens in its text ((0, 0) when it has none)."""
    return (analysis.starts[0], analysis.ends[-1]) if len(analysis) else (0, 0)
