"""Many analysed texts as flat token arrays, read as rows: each text whole and, when asked, each
of its sentences.

Suggesting reads every token several times (keywords, similarity to the code profiles, feelings,
word and character n-grams), once for a text and again for each of its sentences. Done per token
in Python, per text and per sentence, that was most of the CPU of suggesting for 100,000
responses. Here a batch's tokens are numpy arrays, each token's norm is an integer id
(:class:`NormTable`), whatever a reader needs to know about a norm is worked out once per process
(:class:`PerNorm`), and a sentence is a range of its text's tokens, never a new analysis.

Shapes: ``t`` tokens over all texts, ``r`` rows (the ``n`` texts first, then the sentences of
every text that has two or more), ``m`` tokens over all rows (a token of a sentence row is also
a token of its text's row).
"""

from __future__ import annotations

import bisect
import functools
import threading
from collections.abc import Callable, Sequence
from itertools import chain, filterfalse
from typing import TYPE_CHECKING, Any

from codewell.text.pipeline import Analysis

if TYPE_CHECKING:
    import numpy as np

# A sentence ends after one of these, or where the text breaks the line.
SENTENCE_ENDS = frozenset({".", "!", "?", "...", "…"})
# Sentences shorter than this many words join the next one ("Yes. It helps them understand.").
MIN_SENTENCE_WORDS = 3
# Norms a process keeps ids for; past this many the table starts again (with every cache keyed
# on it), so a million responses' typos and names cannot fill the memory.
MAX_NORMS = 200_000


class NormTable:
    """Norm (lemma string) -> small integer id, in order of first sight; one per process at a time.

    Ids are meaningful only with the table that gave them: a cache of per-norm values holds the
    table it was computed for and starts again when :func:`norm_table` hands out a new one.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.norms: list[str] = []
        self.lock = threading.Lock()

    def ids(self, norms: Sequence[str]) -> np.ndarray:
        """The id of each of ``norms`` (t,), new norms given the next ids."""
        import numpy as np

        index = self.index
        with self.lock:
            try:  # one C-level pass straight into the array; new norms are few
                return np.fromiter(map(index.__getitem__, norms), dtype=np.int64, count=len(norms))
            except KeyError:
                for norm in filterfalse(index.__contains__, norms):
                    index.setdefault(norm, len(index))
                self.norms.extend(list(index)[len(self.norms):])
                return np.fromiter(map(index.__getitem__, norms), dtype=np.int64, count=len(norms))

    def __len__(self) -> int:
        return len(self.norms)


_TABLE = NormTable()
_TABLE_LOCK = threading.Lock()


def norm_table() -> NormTable:
    """The process's table; a new, empty one once the old holds ``MAX_NORMS`` norms."""
    global _TABLE
    with _TABLE_LOCK:
        if len(_TABLE) > MAX_NORMS:
            _TABLE = NormTable()
        return _TABLE


class PerNorm:
    """Values worked out once per norm of a table: ``compute(new norms)`` gives their rows.

    ``of(table)`` is an array indexed by norm id, of shape (len(table), *shape); it grows as the
    table does and starts again for a new table. Not pickled with its owner (ids mean nothing in
    another process): owners build it on first use.
    """

    def __init__(self, compute: Callable[[list[str]], Any], dtype: Any,
                 shape: tuple[int, ...] = ()) -> None:
        self._compute, self._dtype, self._shape = compute, dtype, shape
        self._table: NormTable | None = None
        self._values: Any = None
        self._lock = threading.Lock()

    def of(self, table: NormTable) -> np.ndarray:
        import numpy as np

        with self._lock:
            if self._table is not table or self._values is None:
                self._table = table
                self._values = np.empty((0, *self._shape), dtype=self._dtype)
            done = len(self._values)
            if done < len(table):
                new = self._compute(table.norms[done:len(table)])
                if self._dtype is not object:
                    new = np.asarray(new, dtype=self._dtype).reshape(-1, *self._shape)
                self._values = np.concatenate([self._values, new])
            return self._values


class PerNormLists:
    """A list of integers per norm of a table, worked out once per norm, kept flat: norm ``i``'s
    list is ``values[indptr[i]:indptr[i + 1]]`` (the rows of a sparse matrix, norms by columns),
    so a batch gathers the lists of all its tokens with array operations. Like :class:`PerNorm`
    it grows with its table, starts again for a new one and is never pickled."""

    def __init__(self, compute: Callable[[list[str]], list[list[int]]]) -> None:
        self._compute = compute
        self._table: NormTable | None = None
        self._indptr: Any = None
        self._values: Any = None
        self._lock = threading.Lock()

    def of(self, table: NormTable) -> tuple[np.ndarray, np.ndarray]:
        """``indptr`` (len(table) + 1,) and ``values``, both int64."""
        import numpy as np

        with self._lock:
            if self._table is not table or self._indptr is None:
                self._table = table
                self._indptr = np.zeros(1, dtype=np.int64)
                self._values = np.zeros(0, dtype=np.int64)
            done = len(self._indptr) - 1
            if done < len(table):
                new = self._compute(table.norms[done:len(table)])
                sizes = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
                self._indptr = np.concatenate([self._indptr, self._indptr[-1] + np.cumsum(sizes)])
                self._values = np.concatenate([self._values, np.fromiter(
                    chain.from_iterable(new), dtype=np.int64, count=int(sizes.sum()))])
            return self._indptr, self._values


class TokenRows:
    """A batch of analyses (all read with one vocabulary) as flat token arrays, and its rows.

    Per token (t,): ``ids`` (norm ids in ``table``), ``words`` (is a word), ``scope`` (index of
    the governing negation cue among all tokens, -1: none), ``starts``/``ends`` (character
    offsets in the token's own text), ``text_of``. Per row (r,): ``row_text``, and the token
    range ``row_start``..``row_end``. A sentence row keeps only the negations whose cue is in it.
    """

    def __init__(self, analyses: Sequence[Analysis], sentences: bool = False) -> None:
        import numpy as np

        self.analyses = analyses
        self.n_texts = n = len(analyses)
        self.sentences = sentences
        self.table = norm_table()
        lengths = np.fromiter((len(a) for a in analyses), dtype=np.int64, count=n)
        self.text_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.text_start[1:])
        t = int(self.text_start[-1])
        self.ids = self.table.ids(list(chain.from_iterable(a.norms for a in analyses)))
        self.words = np.fromiter(chain.from_iterable(a.words for a in analyses), dtype=bool, count=t)
        self.starts = np.fromiter(chain.from_iterable(a.starts for a in analyses), dtype=np.int64, count=t)
        self.ends = np.fromiter(chain.from_iterable(a.ends for a in analyses), dtype=np.int64, count=t)
        self.text_of = np.repeat(np.arange(n), lengths)
        scope = np.fromiter(chain.from_iterable(a.scope for a in analyses), dtype=np.int64, count=t)
        self.scope = np.where(scope >= 0, scope + self.text_start[self.text_of], -1)
        self.row_text, self.row_start, self.row_end = np.arange(n), self.text_start[:-1], self.text_start[1:]
        if sentences:
            owner, first, last = self._sentences()
            self.row_text = np.concatenate([self.row_text, owner])
            self.row_start = np.concatenate([self.row_start, first])
            self.row_end = np.concatenate([self.row_end, last])

    def __len__(self) -> int:
        """The number of rows."""
        return len(self.row_text)

    @property
    def owner(self) -> list[int]:
        """For each sentence row, in order, the text it belongs to."""
        return self.row_text[self.n_texts:].tolist()

    @property
    def spans(self) -> list[tuple[int, int]]:
        """For each sentence row, in order, its character span in its text."""
        first, last = self.row_start[self.n_texts:], self.row_end[self.n_texts:] - 1
        return list(zip(self.starts[first].tolist(), self.ends[last].tolist(), strict=True))

    @functools.cached_property
    def tok(self) -> np.ndarray:
        """(m,) the token behind each row token, rows one after the other."""
        import numpy as np

        lengths = self.row_end - self.row_start
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return np.arange(offsets[-1]) + np.repeat(self.row_start - offsets[:-1], lengths)

    @functools.cached_property
    def row(self) -> np.ndarray:
        """(m,) the row of each row token."""
        import numpy as np

        return np.repeat(np.arange(len(self.row_text)), self.row_end - self.row_start)

    @functools.cached_property
    def negated(self) -> np.ndarray:
        """(m,) whether a negation whose cue is in the same row governs each row token."""
        cue = self.scope[self.tok]
        return (cue >= self.row_start[self.row]) & (cue < self.row_end[self.row])

    def _sentences(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Owner, first and end token of every sentence of every text of two or more sentences.

        A sentence ends at end punctuation or a line break, once it has ``MIN_SENTENCE_WORDS``
        words; a short tail joins the sentence before it. Only the few tokens that could end a
        sentence are visited in Python.
        """
        import numpy as np

        ends = np.isin(self.ids, [self.table.index[e] for e in SENTENCE_ENDS if e in self.table.index])
        for i, analysis in enumerate(self.analyses):
            if "\n" in analysis.text:
                ends[self._line_breaks(i)] = True
        cumulative = np.zeros(len(self.words) + 1, dtype=np.int64)
        np.cumsum(self.words, out=cumulative[1:])
        owner: list[int] = []
        first: list[int] = []
        last: list[int] = []
        candidates = np.flatnonzero(ends)
        text_of = self.text_of[candidates].tolist()
        counts = cumulative.tolist()
        bounds = self.text_start.tolist()
        at = 0
        while at < len(candidates):
            text = text_of[at]
            start, stop = bounds[text], bounds[text + 1]
            cuts: list[tuple[int, int]] = []
            while at < len(candidates) and text_of[at] == text:
                end = int(candidates[at]) + 1
                if counts[end] - counts[start] >= MIN_SENTENCE_WORDS:
                    cuts.append((start, end))
                    start = end
                at += 1
            if start < stop:
                if cuts and counts[stop] - counts[start] < MIN_SENTENCE_WORDS:
                    cuts[-1] = (cuts[-1][0], stop)
                else:
                    cuts.append((start, stop))
            if len(cuts) >= 2:
                owner.extend([text] * len(cuts))
                first.extend(a for a, _ in cuts)
                last.extend(b for _, b in cuts)
        return (np.array(owner, dtype=np.int64), np.array(first, dtype=np.int64),
                np.array(last, dtype=np.int64))

    def _line_breaks(self, i: int) -> list[int]:
        """Tokens of text ``i`` followed, before its next token, by a line break."""
        text, first, stop = self.analyses[i].text, int(self.text_start[i]), int(self.text_start[i + 1])
        starts = self.starts[first:stop].tolist()
        ends = self.ends[first:stop].tolist()
        found = []
        at = text.find("\n")
        while at >= 0:
            j = bisect.bisect_right(starts, at) - 1
            if 0 <= j < len(starts) - 1 and ends[j] <= at:
                found.append(first + j)
            at = text.find("\n", at + 1)
        return found


def as_rows(analyses: Sequence[Analysis] | TokenRows) -> TokenRows:
    """``analyses`` as rows (one per text), or the rows themselves."""
    return analyses if isinstance(analyses, TokenRows) else TokenRows(analyses)

