"""Suggestions from a process of their own: the screen sends texts and receives plain values.

The coding screen must answer a key in well under 50 ms while the model retrains and while the
responses ahead are being suggested for. Both are interpreter-bound work (spaCy, numpy), and in a
thread of the screen's process they take the interpreter from it. So one process of its own
(started as :mod:`codewell.suggest.processes` starts all of ours: forked ready from a server
process, never from the screen's process, which has threads) does all of it: it trains, keeps
the newest model it built, and answers "suggest these texts" and "order these texts" from that
model. The screen's process never imports spaCy or scikit-learn and never holds a model; it
holds a :class:`ModelInfo`, whose ``generation`` names the model in the suggestion process.

A newer model supersedes older ones there: a fit still running for an older generation stops
at its next checkpoint; the last few models built are kept, and a question about a generation
the process no longer keeps is answered ``None`` (the asker asks the newer model instead). The process runs
at a lower CPU priority, so on a busy machine the screen is served first; it ends when the
screen's process closes the pipe, exits, or is killed.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codewell.errors import CodewellError, ModelError
from codewell.values import Codebook, CodeSuggestion

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from codewell.suggest.model import FittedModel
    from codewell.suggest.service import StoredRequest, TrainingRequest

# How much lower than the screen the suggestion process runs (Unix niceness, 0-19).
NICE = 10
# How many of the newest models the suggestion process keeps answering for: questions asked of a
# model just replaced still get answers (the screen shows them until the newer model's arrive).
KEEP = 3

Suggestions = list[tuple[CodeSuggestion, ...]]


@dataclass(frozen=True)
class ModelInfo:
    """What the screen knows of a model that lives in the suggestion process.

    ``generation`` names it in questions; ``mode`` and ``n_examples`` are what the header shows;
    ``seconds`` is how long the suggestion process took to build it.
    """

    generation: int
    mode: str
    n_examples: int
    seconds: float
    n_reference: int = 0


class SuggestionProcess:
    """The screen's side of the suggestion process, started on first use.

    Every method returns at once with a :class:`~concurrent.futures.Future`; thread-safe. If the
    process dies, its pending futures fail with :class:`ModelError` and the next call starts a
    new process (which keeps no model until one is built again).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[int, Future[Any]] = {}
        self._ids = itertools.count(1)
        self._generations = itertools.count(1)
        self._connection: Connection | None = None
        self._process: Any = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The suggestion process's id, while one runs."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def cold(self, codebook: Codebook) -> Future[ModelInfo]:
        """A model from the codebook alone (text pipeline loaded and warm when it is ready)."""
        return self._call("cold", next(self._generations), codebook)

    def build(self, request: TrainingRequest | StoredRequest) -> Future[ModelInfo | None]:
        """Train on ``request`` (a :class:`StoredRequest` is read by the suggestion process
        itself); ``None`` when a newer build or :meth:`cancel` superseded it."""
        return self._call("build", next(self._generations), request)

    def suggest(self, generation: int, texts: list[str]) -> Future[Suggestions | None]:
        """What model ``generation`` suggests for each text; ``None`` if it is no longer kept."""
        return self._call("suggest", generation, texts)

    def order(self, generation: int, texts: list[str], mode: str, seed: int) -> Future[list[int] | None]:
        """:func:`codewell.suggest.ordering.order_responses` by model ``generation``."""
        return self._call("order", generation, (texts, mode, seed))

    def cancel(self) -> None:
        """Supersede every build asked for so far (the screen is leaving)."""
        if self._connection is not None:
            self._call("cancel", next(self._generations), None)

    def close(self) -> None:
        """End the process (it ends itself when the pipe closes) and fail what is pending."""
        with self._lock:
            self._closed = True
            connection, self._connection, process, self._process = self._connection, None, self._process, None
        if connection is not None:
            connection.close()
        if process is not None:
            # It holds nothing worth waiting for (models live only in memory; it only reads the
            # project), and a fit in progress notices the closed pipe late: quitting took 3 s.
            process.join(0.2)
            if process.is_alive():
                process.kill()
                process.join(1)
        self._fail_pending(ModelError("the suggestion service is closed"))

    # -- plumbing -------------------------------------------------------------------------------
    def _call(self, kind: str, generation: int, payload: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise ModelError("the suggestion service is closed")
            connection = self._connection or self._start()
            call = next(self._ids)
            self._calls[call] = future
            try:
                connection.send((call, kind, generation, payload))
            except (OSError, ValueError):  # the process died: the reader fails what it left
                self._calls.pop(call, None)
                self._connection = None
                future.set_exception(ModelError("the suggestion process stopped unexpectedly",
                                                "it starts again on the next retrain"))
        return future

    def _start(self) -> Connection:
        from codewell.suggest.processes import context

        ours, theirs = context().Pipe()
        process = context().Process(target=serve, args=(theirs,), daemon=True, name="codewell-suggest")
        process.start()
        theirs.close()
        self._connection, self._process = ours, process
        threading.Thread(target=self._read, args=(ours,), daemon=True, name="codewell-suggest-reader").start()
        return ours

    def _read(self, connection: Connection) -> None:
        """Resolve each call's future as its answer arrives; on a dead process, fail the rest."""
        while True:
            try:
                call, ok, value = connection.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._calls.pop(call, None)
            if future is not None:
                (future.set_result if ok else future.set_exception)(value)
        with self._lock:
            if self._connection is connection:
                self._connection = None
        self._fail_pending(ModelError("the suggestion process stopped unexpectedly",
                                      "it starts again on the next retrain"))

    def _fail_pending(self, error: ModelError) -> None:
        with self._lock:
            calls, self._calls = self._calls, {}
        for future in calls.values():
            if not future.done():
                future.set_exception(error)


_shared: SuggestionProcess | None = None
_shared_lock = threading.Lock()


def shared_suggester() -> SuggestionProcess:
    """The process's one suggestion process (the coding screen's), closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit

            _shared = SuggestionProcess()
            atexit.register(_shared.close)
        return _shared


# -- in the suggestion process ----------------------------------------------------------------
class _Server:
    """The newest model, one fit at a time in a thread, and questions answered in another."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.send_lock = threading.Lock()
        self.kept: dict[int, FittedModel] = {}  # the KEEP newest models, by generation
        self.newest = 0  # the newest build asked for: an older fit stops at its next checkpoint
        self.builds: Any = None  # the build waiting to start: (call, generation, request)
        self.questions: deque[tuple[int, str, int, Any]] = deque()
        self.answering = False  # a question taken and not yet answered
        self.wake = threading.Condition()

    def reply(self, call: int, ok: bool, value: Any) -> None:
        with self.send_lock:
            self.connection.send((call, ok, value))

    def fail(self, call: int, error: BaseException) -> None:
        """Errors cross as ours or ImportError (the engine missing); anything else as a ModelError,
        so the screen's process never loads a library to unpickle a foreign exception."""
        if not isinstance(error, (CodewellError, ImportError)):
            error = ModelError(f"suggestions failed: {type(error).__name__}: {error}")
        self.reply(call, False, error)

    def keep(self, generation: int, model: FittedModel) -> None:
        with self.wake:
            self.kept[generation] = model
            for old in sorted(self.kept)[:-KEEP]:
                del self.kept[old]

    def model(self, generation: int) -> FittedModel | None:
        with self.wake:
            return self.kept.get(generation)

    def receive(self) -> None:
        """The main thread: take requests until the screen's process closes the pipe."""
        while True:
            try:
                call, kind, generation, payload = self.connection.recv()
            except (EOFError, OSError):
                os._exit(0)
            if kind == "cold":
                self.build_cold(call, generation, payload)
                continue
            with self.wake:
                if kind in ("build", "cancel"):
                    self.newest = generation
                    if self.builds is not None:  # never started: superseded
                        self.reply(self.builds[0], True, None)
                    self.builds = (call, generation, payload) if kind == "build" else None
                    if kind == "cancel":
                        self.reply(call, True, None)
                else:
                    self.questions.append((call, kind, generation, payload))
                self.wake.notify_all()

    def build_cold(self, call: int, generation: int, codebook: Codebook) -> None:
        started = time.monotonic()
        try:
            from codewell.suggest.model import FittedModel

            model = FittedModel(codebook)
            model.suggest_many(["warm up the text pipeline"])
        except Exception as error:  # noqa: BLE001 - every failure goes back to the asker
            self.fail(call, error)
            return
        self.keep(generation, model)
        self.reply(call, True, ModelInfo(generation, model.mode, 0, time.monotonic() - started))

    def train(self) -> None:
        """The training thread: the newest build, one at a time."""
        from codewell.suggest.service import StoredRequest

        while True:
            with self.wake:
                while self.builds is None:
                    self.wake.wait()
                (call, generation, request), self.builds = self.builds, None
            started = time.monotonic()

            def superseded(generation: int = generation) -> bool:
                # At each checkpoint, questions go first: the screen waits for answers, not models.
                while self.questions or self.answering:
                    time.sleep(0.002)
                return self.newest != generation

            try:
                from codewell.suggest.model import fit_model
                from codewell.suggest.ridge import Cancelled
            except ImportError as error:  # the engine is missing: say so, and stay up
                self.fail(call, error)
                continue
            try:
                if isinstance(request, StoredRequest):
                    request = request.read()
                model = fit_model(request.codebook, request.texts, request.labels,
                                  reference=request.reference, seed=request.seed,
                                  should_stop=superseded)
            except Cancelled:
                self.reply(call, True, None)
                continue
            except Exception as error:  # noqa: BLE001
                self.fail(call, error)
                continue
            if superseded():
                self.reply(call, True, None)
                continue
            self.keep(generation, model)
            self.reply(call, True, ModelInfo(generation, model.mode, model.n_examples,
                                             time.monotonic() - started, model.n_reference))

    def answer(self) -> None:
        """The answering thread: questions in the order asked, from the model they name."""
        while True:
            with self.wake:
                while not self.questions:
                    self.wake.wait()
                call, kind, generation, payload = self.questions.popleft()
                self.answering = True
            try:
                self.answer_one(call, kind, self.model(generation), payload)
            finally:
                self.answering = False

    def answer_one(self, call: int, kind: str, model: FittedModel | None, payload: Any) -> None:
        if model is None:
            self.reply(call, True, None)
            return
        try:
            if kind == "suggest":
                value: Any = model.suggest_many(payload)
            else:
                from codewell.suggest.ordering import order_responses

                texts, mode, seed = payload
                value = order_responses(model, texts, mode, seed=seed)
        except Exception as error:  # noqa: BLE001 - every failure goes back to the asker
            self.fail(call, error)
            return
        self.reply(call, True, value)


def serve(connection: Connection) -> None:
    """The suggestion process's entry point (module-level: a new process finds it by name)."""
    from codewell.suggest.processes import bound_to_caller, limit_blas

    bound_to_caller()
    try:
        os.nice(NICE)
    except OSError:  # not allowed here: run at the screen's priority
        pass
    server = _Server(connection)
    try:
        limit_blas()
    except ImportError:  # the engine is missing: every request will say so
        pass
    for job in (server.train, server.answer):
        threading.Thread(target=job, daemon=True).start()
    server.receive()
