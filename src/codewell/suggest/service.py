"""The suggestion service: a fitted model built from the stored decisions, in a process of its own.

``codewell suggest`` trains here; the coding screen's suggestion process
(:mod:`codewell.suggest.remote`) reads the same :class:`StoredRequest`, so there is one "train on
what the coder finished". Training runs in a separate process (one worker, started as
:mod:`codewell.suggest.processes` starts all of ours: forked ready from a server process, never
from the caller), so the screen never competes with it for the interpreter. The worker receives
plain data (codebook, texts, labels, seed; or where to read them: a project's location and a
coder) and sends back an immutable
:class:`~codewell.suggest.model.FittedModel`, pickled over the pipe between our own two
processes; no model is ever written to or loaded from a file.

A newer request supersedes an older one: the older is dropped before it starts, or stops at the
fit's next checkpoint, and its caller gets ``None``. The BLAS thread limit training wants is set
in the worker, where it affects nothing else.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from codewell.errors import ModelError
from codewell.values import Codebook, ReferenceSet

if TYPE_CHECKING:
    from codewell.suggest.model import FittedModel

T = TypeVar("T")


class HasDecisions(Protocol):
    """What the service reads from a project (the facade satisfies it)."""

    @property
    def codebook(self) -> Codebook: ...

    def training_examples(self, coder: str) -> tuple[list[str], list[frozenset[str]]]: ...

    def reference(self) -> ReferenceSet | None: ...


@dataclass(frozen=True)
class TrainingRequest:
    """Everything a fit needs, as plain data that crosses to the training process."""

    codebook: Codebook
    texts: tuple[str, ...]
    labels: tuple[frozenset[str], ...]
    seed: int = 0
    reference: ReferenceSet | None = None


@dataclass(frozen=True)
class TrainingResult:
    """A fitted model, how long the fit took in the training process, and that process's id."""

    model: FittedModel
    seconds: float
    pid: int


def training_request(project: HasDecisions, coder: str | None, *, seed: int = 0) -> TrainingRequest:
    """Train on the responses ``coder`` finished and the project's reference set, if it has one;
    nobody named means the codebook and the reference alone."""
    texts, labels = project.training_examples(coder) if coder is not None else ([], [])
    return TrainingRequest(project.codebook, tuple(texts), tuple(labels), seed, project.reference())


@dataclass(frozen=True)
class StoredRequest:
    """Train on what ``coder`` finished in the project at ``location``, read by the training
    process itself, so the process asking (the coding screen) spends nothing on it.

    ``open`` opens a project as a context manager (``Project.open``: passed in, because the
    facade uses this module and so this module never imports it; it crosses the pipe by name).
    """

    open: Callable[[str], AbstractContextManager[HasDecisions]]
    location: str
    coder: str
    seed: int = 0

    def read(self) -> TrainingRequest:
        with self.open(self.location) as project:
            return training_request(project, self.coder, seed=self.seed)


class TrainingService:
    """One training process, started on first use; the newest request wins.

    Thread-safe: any thread may submit. ``close`` stops the process (a fit in progress stops at
    its next checkpoint).
    """

    def __init__(self) -> None:
        from codewell.suggest.processes import context

        self._context = context()
        # The newest request's ticket, shared with the training process: an older fit sees it
        # change and stops. 0 means no request yet; -1 means closed.
        self._newest = self._context.Value("q", 0)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._pending: list[Future[Any]] = []

    def submit(self, request: TrainingRequest | StoredRequest) -> Future[TrainingResult | None]:
        """Start training on ``request``; the future gives ``None`` if a newer one supersedes it."""
        with self._lock:
            if self._newest.value < 0:
                raise ModelError("the suggestion service is closed")
            ticket = self._newest.value + 1
            self._newest.value = ticket
            for older in self._pending:
                older.cancel()  # not started yet: dropped; started: stops at a checkpoint
            try:
                future = self._pool().submit(_train, request, ticket)
            except BrokenProcessPool:  # the training process died (killed?): start another
                self._executor = None
                future = self._pool().submit(_train, request, ticket)
            self._pending = [future]
            return future

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=1, mp_context=self._context, initializer=_start_worker,
                initargs=(self._newest,))
        return self._executor

    def train(self, request: TrainingRequest | StoredRequest) -> TrainingResult | None:
        """Train and wait: the result, or ``None`` when a newer request superseded this one."""
        return self.wait(self.submit(request))

    def wait(self, future: Future[TrainingResult | None]) -> TrainingResult | None:
        """The result of a :meth:`submit`, or ``None`` when a newer request superseded it."""
        try:
            return future.result()
        except BrokenProcessPool:  # the next request starts a new training process
            raise ModelError("the training process stopped unexpectedly",
                             "it starts again on the next retrain") from None
        except CancelledError:
            return None

    def build(self, request: TrainingRequest) -> TrainingResult:
        """Train and wait for a result even if another caller's request supersedes ours.

        For a caller that suggests next (``codewell suggest``): while the training process
        trains, this process loads what suggesting needs (the text pipeline, the codebook
        prior), so the two start-ups overlap instead of adding up.
        """
        from codewell.suggest.model import FittedModel

        building = self.build_later(request)
        FittedModel(request.codebook).suggest_many(["warm up"])
        return building.result()

    def build_later(self, request: TrainingRequest) -> PendingBuild:
        """Start a :meth:`build` and return at once: the caller does other work meanwhile."""
        return PendingBuild(self, request, self.submit(request))

    def cancel(self) -> None:
        """Supersede every request made so far (a caller that no longer wants its model)."""
        with self._lock:
            if self._newest.value >= 0:
                self._newest.value += 1
            for older in self._pending:
                older.cancel()
            self._pending = []

    def close(self) -> None:
        """Stop the training process; a fit in progress stops at its next checkpoint."""
        with self._lock:
            self._newest.value = -1
            executor, self._executor, self._pending = self._executor, None, []
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


class PendingBuild:
    """A :meth:`TrainingService.build` under way."""

    def __init__(self, service: TrainingService, request: TrainingRequest,
                 future: Future[TrainingResult | None]) -> None:
        self._service, self._request, self._future = service, request, future

    def done(self) -> bool:
        """Whether :meth:`result` would return without waiting for a fit (or fail at once)."""
        return self._future.done() and not self._future.cancelled() and (
            self._future.exception() is not None or self._future.result() is not None)

    def result(self) -> TrainingResult:
        """The model, waiting for it; trained again if another caller's request superseded it."""
        result = self._service.wait(self._future)
        while result is None:
            result = self._service.train(self._request)
        return result


def run_alone(job: Callable[..., T], *args: Any) -> T:
    """Run a batch training job (``codewell evaluate``) in a process of its own.

    Training wants BLAS held to one thread, and that limit is process-wide: set in a process that
    does nothing else, it cannot slow or surprise any other thread. ``job`` must be module-level
    and its arguments plain data; its exceptions come back as they were raised. The process is
    kept for the next job (scikit-learn and the text caches loaded once), ends with its caller,
    and is started afresh if it died.
    """
    pool = _alone_pool()
    try:
        return pool.submit(job, *args).result()
    except BrokenProcessPool:  # it died since the last job (or of this one): once more, afresh
        return _alone_pool(replacing=pool).submit(job, *args).result()


_alone: ProcessPoolExecutor | None = None
_alone_lock = threading.Lock()


def _alone_pool(replacing: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    """The process :func:`run_alone` runs jobs in; a new one in place of ``replacing``."""
    global _alone
    with _alone_lock:
        if _alone is None or _alone is replacing:
            import atexit

            from codewell.suggest.processes import context

            _alone = ProcessPoolExecutor(max_workers=1, mp_context=context(), initializer=_start_alone)
            atexit.register(_alone.shutdown, cancel_futures=True)
        return _alone


def _start_alone() -> None:
    from codewell.suggest.processes import bound_to_caller, limit_blas

    limit_blas()
    bound_to_caller()


_shared: TrainingService | None = None
_shared_lock = threading.Lock()


def shared_service() -> TrainingService:
    """The process's one training service (one training process however many callers)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit

            _shared = TrainingService()
            atexit.register(_shared.close)
        return _shared


# -- in the training process ------------------------------------------------------------------
_newest: Any = None


def _start_worker(newest: Any) -> None:
    """Set up the training process: the newest ticket, its BLAS limit, silence, and an end
    when its caller's."""
    from codewell.suggest.processes import bound_to_caller, limit_blas

    global _newest
    _newest = newest
    limit_blas()
    bound_to_caller()


def _train(request: TrainingRequest | StoredRequest, ticket: int) -> TrainingResult | None:
    from codewell.suggest.model import fit_model
    from codewell.suggest.ridge import Cancelled

    def superseded() -> bool:
        return _newest.value != ticket

    if superseded():
        return None
    started = time.monotonic()
    if isinstance(request, StoredRequest):
        request = request.read()
    try:
        model = fit_model(request.codebook, request.texts, request.labels, reference=request.reference,
                          seed=request.seed, should_stop=superseded)
    except Cancelled:
        return None
    return TrainingResult(model, time.monotonic() - started, os.getpid())

