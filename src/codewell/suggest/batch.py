"""Suggestions for many responses at once (``codewell suggest -o``), on every core, in order.

Scoring is pure CPU work on a frozen model, so it splits cleanly by response: chunks go to
spawned worker processes (never forked: the caller may have threads), each of which unpickles
the model once and keeps its text pipeline and caches warm from chunk to chunk, while the
calling process scores chunks of its own between handing results back in their original order.
At most two chunks per worker are in flight, so memory follows the chunk size, not the number of
responses. Workers start when the :class:`BatchScorer` is made, before the model exists, so their
start-up (spaCy, scikit-learn, the lemma table: a second or two each) overlaps training.

A chunk's probabilities are what :meth:`FittedModel.probabilities` gives for the same texts (it
is row by row); a text repeated within a chunk is scored once.
"""

from __future__ import annotations

import os
import pickle
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from codewell.suggest.model import FittedModel
    from codewell.values import Response

# Responses per chunk: large enough that a chunk's fixed costs (a process hop, a sparse matrix
# product) vanish, small enough that a chunk's analyses take a few megabytes.
CHUNK = 2000
# Chunks in flight per worker: one being scored, one waiting, so a worker never idles.
IN_FLIGHT = 2


@dataclass(frozen=True)
class ScoredChunk:
    """One chunk's results, in the order its responses came.

    Shapes: ``probabilities`` and ``suggested`` (n, k), codes in codebook order; a code is
    suggested at or above its threshold (and never at probability 0: an empty text).
    """

    responses: Sequence[Response]
    probabilities: np.ndarray
    suggested: np.ndarray


def default_workers() -> int:
    """Worker processes beside the calling one: one per further core this process may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(0, cores - 1)


class BatchScorer:
    """Worker processes that score chunks of responses with a model handed over later.

    Use as a context manager; ``workers=0`` scores everything in the calling process.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(0, workers)
        self._pool: ProcessPoolExecutor | None = None
        if self.workers:
            import multiprocessing

            from codewell.suggest.service import start_resource_tracker

            start_resource_tracker()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(os.getpid(),))
            for _ in range(self.workers):  # start them now: their start-up overlaps training
                self._pool.submit(_ready)

    def __enter__(self) -> BatchScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def score(self, model: FittedModel, chunks: Iterable[Sequence[Response]]) -> Iterator[ScoredChunk]:
        """Each chunk scored, in order. Chunks go to a worker while it has room for them and are
        scored here otherwise, so the calling process works too instead of waiting."""
        blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL) if self._pool else b""
        key = uuid.uuid4().hex  # which model a worker holds: a new one is unpickled once
        pending: deque[tuple[Sequence[Response], Future[Any] | tuple[Any, Any]]] = deque()
        for chunk in chunks:
            if not chunk:
                continue
            texts = [r.text for r in chunk]
            busy = sum(1 for _, job in pending if isinstance(job, Future) and not job.done())
            if self._pool is not None and busy < IN_FLIGHT * self.workers:
                pending.append((chunk, self._pool.submit(_score_remote, key, blob, texts)))
            else:
                pending.append((chunk, score_texts(model, texts)))
            while pending and (not isinstance(pending[0][1], Future) or pending[0][1].done()
                               or len(pending) > IN_FLIGHT * self.workers + 1):
                yield _finish(*pending.popleft())
        while pending:
            yield _finish(*pending.popleft())


def score_texts(model: FittedModel, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (n, k) and which codes are suggested (n, k) for ``texts``; a text that
    repeats is scored once."""
    unique = list(dict.fromkeys(texts))
    with _no_cycle_collection():
        probabilities, thresholds = model.probabilities(unique)
    if len(unique) < len(texts):
        row = {text: i for i, text in enumerate(unique)}
        probabilities = probabilities[[row[t] for t in texts]]
    return probabilities, (probabilities >= thresholds) & (probabilities > 0)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while a chunk is scored.

    Scoring allocates many small objects that live on in the process's caches (analyses, runs of
    text, per-norm values); every so often the collector would walk all of them, and on 10,000
    responses that cost as much CPU as the scoring itself, to find almost nothing: the chunk
    makes next to no reference cycles. It runs again between chunks.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _finish(chunk: Sequence[Response], job: Future[Any] | tuple[Any, Any]) -> ScoredChunk:
    from concurrent.futures.process import BrokenProcessPool

    from codewell.errors import ModelError

    try:
        probabilities, suggested = job.result() if isinstance(job, Future) else job
    except BrokenProcessPool:  # killed (out of memory?): say so in one line, not a traceback
        raise ModelError("a suggestion worker process stopped unexpectedly; nothing was written",
                         "run the command again (free some memory first if it was short)") from None
    return ScoredChunk(chunk, probabilities, suggested)


# -- in a worker process ----------------------------------------------------------------------
_model: tuple[str, Any] | None = None


def _start_worker(parent: int) -> None:
    """One BLAS thread, no output, an end with the parent; then load what scoring needs (not
    scikit-learn: scoring never needs it) while the model trains."""
    from codewell.suggest.service import limit_blas, quiet_and_bound_to
    from codewell.text import pipeline
    from codewell.text.affect import lexicon

    limit_blas()
    quiet_and_bound_to(parent)
    import scipy.sparse  # noqa: F401

    pipeline()
    lexicon()


def _ready() -> None:
    """Nothing: submitted once per worker so that every worker starts at once."""


def _score_remote(key: str, blob: bytes, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    global _model
    if _model is None or _model[0] != key:
        _model = (key, pickle.loads(blob))  # our own model, from the process that made us
    return score_texts(_model[1], texts)
