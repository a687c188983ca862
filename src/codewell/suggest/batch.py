"""Suggestions for many responses at once (``codewell suggest -o``), on every core, in order.

Scoring is pure CPU work on a frozen model, so it splits cleanly by response: chunks go to
scoring processes (one per core, forked ready by :mod:`codewell.suggest.processes`), while the
calling process only reads chunks, hands them out and puts the results back in their original
order. Each process unpickles a model once and keeps its text pipeline and caches warm from
chunk to chunk; a chunk goes to the process with the fewest waiting, so a process slowed by
other work on the machine gets fewer.

The processes need not wait for the model. Reading a text (tokens, lemmas, negation: about 40%
of scoring it) depends only on the codebook, so chunks are handed out while the model still
trains, and each process reads its chunks meanwhile; its analysis cache holds them when the
model arrives. So no core idles while the model trains. At most ``AHEAD`` chunks per process
wait for a model and ``IN_FLIGHT`` once it is there, so memory follows the chunk size, not the
number of responses.

A chunk's probabilities are what :meth:`FittedModel.probabilities` gives for the same texts (it
is row by row); a text repeated within a chunk is scored once.
"""

from __future__ import annotations

import itertools
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codewell.errors import CodewellError, ModelError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    import numpy as np

    from codewell.suggest.model import FittedModel
    from codewell.values import Codebook, Response

# Responses per chunk: large enough that a chunk's fixed costs (a process hop, a sparse matrix
# product) vanish, small enough that a chunk's analyses take a few megabytes.
CHUNK = 2000
# Chunks waiting per process once the model is there: one being scored, one queued, so a
# process never idles.
IN_FLIGHT = 2
# Chunks a process may hold (and read ahead) while the model trains: about as many as it can
# read meanwhile (training takes 5-6 CPU s, reading a chunk about 0.3), and within the analysis
# cache (50,000 texts), which a process fills in the end anyway.
AHEAD = 20


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
    """Scoring processes: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class _Waiting:
    """A chunk handed out, and its result once back."""

    responses: Sequence[Response]
    result: tuple[np.ndarray, np.ndarray] | None = None


@dataclass
class _Worker:
    process: Any
    connection: Connection
    waiting: deque[_Waiting] = field(default_factory=deque)


class BatchScorer:
    """Scoring processes that score chunks of responses with a model that may still be training.

    Use as a context manager; ``workers=0`` scores everything in the calling process.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(0, workers)
        self._generations = itertools.count(1)
        self._pool: list[_Worker] = []
        if self.workers:
            from codewell.suggest.processes import context

            for _ in range(self.workers):
                ours, theirs = context().Pipe()
                process = context().Process(target=_work, args=(theirs,), daemon=True,
                                            name="codewell-score")
                process.start()
                theirs.close()
                self._pool.append(_Worker(process, ours))

    @property
    def pids(self) -> list[int]:
        """The scoring processes' ids."""
        return [w.process.pid for w in self._pool]

    def __enter__(self) -> BatchScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the scoring processes (each ends when its pipe closes)."""
        pool, self._pool = self._pool, []
        for worker in pool:
            worker.connection.close()
        for worker in pool:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)

    def score(self, model: FittedModel | Callable[[], FittedModel], chunks: Iterable[Sequence[Response]],
              *, codebook: Codebook | None = None, ready: Callable[[], bool] | None = None
              ) -> Iterator[ScoredChunk]:
        """Each chunk scored, in order.

        ``model`` may be a function that waits for it (a model still training); then
        ``codebook`` is its codebook, so the processes read chunks before the model exists, and
        ``ready`` says without waiting whether the function would return at once.
        """
        if not self._pool:
            fitted = model if not callable(model) else model()
            for chunk in chunks:
                if chunk:
                    yield ScoredChunk(chunk, *score_texts(fitted, [r.text for r in chunk]))
            return
        yield from self._score_there(model, chunks, codebook, ready or (lambda: True))

    def _score_there(self, model: FittedModel | Callable[[], FittedModel],
                     chunks: Iterable[Sequence[Response]], codebook: Codebook | None,
                     ready: Callable[[], bool]) -> Iterator[ScoredChunk]:
        generation = next(self._generations)  # a result of an abandoned run is ignored
        fitted = None if callable(model) else model
        book = codebook if fitted is None else fitted.codebook
        for worker in self._pool:
            worker.waiting.clear()
            self._send(worker, ("begin", generation, book))
        order: deque[_Waiting] = deque()

        def hand_over_model(fitted: FittedModel) -> FittedModel:
            blob = pickle.dumps(fitted, protocol=pickle.HIGHEST_PROTOCOL)
            for worker in self._pool:
                self._send(worker, ("model", generation, blob))
            return fitted

        def wait_for_model() -> FittedModel:
            return hand_over_model(model())  # type: ignore[operator]

        if fitted is not None:
            hand_over_model(fitted)
        for chunk in chunks:
            if not chunk:
                continue
            while True:
                if fitted is None and ready():
                    fitted = wait_for_model()
                room = IN_FLIGHT if fitted is not None else AHEAD
                free = [w for w in self._pool if len(w.waiting) < room]
                if free:
                    worker = min(free, key=lambda w: len(w.waiting))
                    waiting = _Waiting(chunk)
                    self._send(worker, ("chunk", generation, [r.text for r in chunk]))
                    worker.waiting.append(waiting)
                    order.append(waiting)
                    break
                if fitted is None:  # every process is reading ahead: wait for the model
                    fitted = wait_for_model()
                else:
                    self._receive(generation, wait=True)
                yield from _done(order)
            self._receive(generation, wait=False)
            yield from _done(order)
        if order and fitted is None:
            wait_for_model()
        while order:
            self._receive(generation, wait=True)
            yield from _done(order)

    def _send(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        try:
            worker.connection.send(message)
        except OSError:
            raise _stopped() from None

    def _receive(self, generation: int, *, wait: bool) -> None:
        """Take every result that has arrived (at least one when ``wait``); a process that ended
        with chunks of ours is an error."""
        from multiprocessing.connection import wait as ready

        busy = [w for w in self._pool if w.waiting]
        if not busy:
            return
        by_connection = {w.connection: w for w in busy}
        by_sentinel = {w.process.sentinel: w for w in busy}
        for handle in ready([*by_connection, *by_sentinel], timeout=None if wait else 0):
            worker = by_connection.get(handle)  # type: ignore[call-overload]
            if worker is None:
                continue
            try:
                sent, ok, value = worker.connection.recv()
            except (EOFError, OSError):
                raise _stopped() from None
            if sent != generation:
                continue
            waiting = worker.waiting.popleft()
            if not ok:
                raise value
            waiting.result = value
        for worker in by_sentinel.values():
            if not worker.process.is_alive() and worker.waiting and not worker.connection.poll():
                raise _stopped()


def _done(order: deque[_Waiting]) -> Iterator[ScoredChunk]:
    """The chunks at the front of ``order`` whose results are back, in order."""
    while order and order[0].result is not None:
        waiting = order.popleft()
        yield ScoredChunk(waiting.responses, *waiting.result)  # type: ignore[misc]


def _stopped() -> ModelError:
    """A scoring process ended under us (killed? out of memory?): one line, not a traceback."""
    return ModelError("a suggestion worker process stopped unexpectedly; nothing was written",
                      "run the command again (free some memory first if it was short)")


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


# -- in a scoring process ---------------------------------------------------------------------
def _work(connection: Connection) -> None:
    """A scoring process: take chunks, read them while no model is there, score them in order
    once one is; a result goes back for every chunk, in the order the chunks came.

    Messages: ``("begin", generation, codebook)`` drops whatever an earlier run left;
    ``("chunk", generation, texts)``; ``("model", generation, pickled model)``. A thread takes
    messages as they come, so the caller's sends never wait for a chunk being scored (and the
    two sides can never each wait for the other to read).
    """
    import queue
    import threading

    from codewell.suggest.processes import bound_to_caller

    bound_to_caller()
    inbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()

    def take() -> None:
        while True:
            try:
                inbox.put(connection.recv())
            except (EOFError, OSError):
                inbox.put(None)
                return

    threading.Thread(target=take, daemon=True, name="codewell-score-inbox").start()
    generation, vocabulary, model = 0, None, None
    todo: deque[list[Any]] = deque()  # [texts, read yet]
    while True:
        busy = bool(todo) and (model is not None or (
            vocabulary is not None and not all(read for _, read in todo)))
        messages = [] if busy else [inbox.get()]
        while not inbox.empty():
            messages.append(inbox.get())
        for message in messages:
            if message is None:  # the caller closed the pipe, or ended
                return
            kind, sent, payload = message
            if kind == "begin":
                generation, model = sent, None
                todo.clear()
                vocabulary = _vocabulary(payload)
            elif sent != generation:
                continue
            elif kind == "model":
                model = pickle.loads(payload)  # our own model, from the process that made us
            else:
                todo.append([payload, False])
        if model is not None and todo:
            texts = todo.popleft()[0]
            try:
                reply: tuple[Any, ...] = (generation, True, score_texts(model, texts))
            except Exception as error:  # noqa: BLE001 - every failure goes back to the caller
                reply = (generation, False, _plain_error(error))
            try:
                connection.send(reply)
            except OSError:
                return
        elif vocabulary is not None:
            unread = next((item for item in todo if not item[1]), None)
            if unread is not None:
                unread[1] = True
                _read_ahead(unread[0], vocabulary)


def _vocabulary(codebook: Codebook | None) -> Any:
    """The vocabulary the model will read texts with (its codebook's); also warms the prior."""
    if codebook is None:
        return None
    from codewell.suggest.model import shared_prior

    return shared_prior(codebook).vocabulary


def _read_ahead(texts: list[str], vocabulary: Any) -> None:
    """Analyse ``texts`` as the model will, into the process's analysis cache."""
    from codewell.text import analyse_many

    with _no_cycle_collection():
        try:
            analyse_many(list(dict.fromkeys(texts)), vocabulary)
        except Exception:  # noqa: BLE001 - scoring reads them again and reports what fails
            pass


def _plain_error(error: Exception) -> CodewellError:
    """Ours cross as they are; anything else as a ModelError, so the caller never has to load a
    library to unpickle a foreign exception."""
    if isinstance(error, CodewellError):
        return error
    return ModelError(f"suggestions failed: {type(error).__name__}: {error}")
