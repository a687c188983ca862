"""How codewell starts its background processes: forked, ready to work, from one server process.

Every background process of ours (the training process, the coding screen's suggestion process,
``codewell suggest -o``'s scoring workers, ``codewell evaluate``'s run) needs numpy, SciPy and
spaCy loaded and the text pipeline built: 3-5 CPU s for each fresh interpreter, paid again for
every process. So they are started from a ``forkserver``: one server process, started on first
use, loads all of that once (:mod:`codewell.suggest.preload`) and forks each of our processes
from itself, ready in milliseconds. The caller itself never forks (the coding screen has
threads); the server is single-threaded, so a fork of it is safe. Where the platform has no
forkserver, processes are spawned (each loads what it needs itself).

What every process started here can count on:

- BLAS holds one thread, set in the server before numpy loads (so no BLAS thread pool exists to
  be lost across a fork): every process of ours wants it (a training solve took 60 times longer
  with two threads fighting on two cores), and the caller's own limit is never touched.
- No output: the caller may be drawing a full-screen terminal. The server's output goes nowhere,
  and :func:`bound_to_caller` silences a spawned process too.
- An end with the caller: :func:`bound_to_caller` ends a process when the process that started
  it ends, even by ``kill -9`` (a forked process's parent is the server, not its caller, so it
  watches the caller itself, through the pipe multiprocessing keeps open to it for exactly
  this). The server ends once its caller and every process it forked have ended
  (multiprocessing's own rule), so it never outlives them.

And what it must not count on: a forked process has the environment and working folder the
server had when it started (the caller's at its first process), not the caller's of the moment:
anything that may change in between must cross as an argument (codewell changes neither).
Forked processes share the server's loaded pages until they write to them.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

# What the server imports before it forks anything. scikit-learn is left out on purpose: only a
# fit on more answers than the dual form takes needs it (2 CPU s to import), and loading it in the
# server would delay every scoring worker and the coding screen's first suggestions by as much.
PRELOAD = ["codewell.suggest.preload"]

_context: BaseContext | None = None
_lock = threading.Lock()


def context() -> BaseContext:
    """The multiprocessing context every background process of ours starts from."""
    global _context
    with _lock:
        if _context is None:
            import multiprocessing

            start_resource_tracker()
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                _context.set_forkserver_preload(PRELOAD)
            else:  # pragma: no cover - Windows
                _context = multiprocessing.get_context("spawn")
        return _context


def warm() -> None:
    """Start the server now, without waiting for it to load: its loading then overlaps whatever
    the caller does next (reading the project) instead of delaying the first process started."""
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def server_pid() -> int | None:
    """The forkserver's process id, while this process has one running (tests watch it end)."""
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid  # noqa: SLF001 - the stdlib gives no getter


def start_resource_tracker() -> None:
    """Start multiprocessing's helper process with the real stderr.

    It passes stderr on by file number, and a running Textual app has put a stand-in with none
    (-1) in its place, which makes starting any process fail. It starts once per process.
    """
    import sys
    from multiprocessing import resource_tracker

    stand_in, real = sys.stderr, sys.__stderr__
    try:
        usable = stand_in is not None and stand_in.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable or real is None:
        resource_tracker.ensure_running()
        return
    sys.stderr = real
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = stand_in


def limit_blas() -> None:
    """One BLAS thread for the life of this process, which only trains or suggests (see
    ridge._solve_kernel).

    threadpoolctl limits only the libraries already loaded, so numpy and SciPy's LAPACK (which
    training loads anyway) are loaded first. In the forkserver the environment has already
    limited them before they loaded; this covers a BLAS that reads no environment variable.
    """
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def silence() -> None:
    """Standard output and error to nowhere: the caller may be drawing a full-screen terminal,
    and a library's warning must not land on it."""
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.close(quiet)


def bound_to_caller() -> None:
    """In a process started from :func:`context`: no output, and an end when its caller ends."""
    import multiprocessing

    silence()
    caller = multiprocessing.parent_process()
    if caller is not None:
        threading.Thread(target=_exit_with_caller, args=(caller.sentinel,), daemon=True,
                         name="codewell-exit-with-caller").start()


def _exit_with_caller(sentinel: int) -> None:
    """A caller killed with -9 cannot shut its processes down: the process notices and ends.

    ``sentinel`` is the end of a pipe whose other end only the caller holds (multiprocessing
    keeps it open for the life of the process object), so it reads as closed exactly when the
    caller has ended, whoever forked this process and whatever happened to the caller's pid.
    """
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(0)
