"""What the forkserver of :mod:`codewell.suggest.processes` loads before it forks anything.

``multiprocessing`` preloads a forkserver by importing modules by name, so importing this module
is the loading: in the forkserver it silences the server's output, holds BLAS to one thread
before numpy loads, imports numpy, SciPy and spaCy with the scoring code and builds the text
pipeline and the affect lexicon, so every process forked afterwards starts with them ready.
Imported anywhere else (by a tool that imports every module, say) it does nothing.
"""

from __future__ import annotations

import os
import sys

# The BLAS and OpenMP libraries numpy and SciPy may bring read these when they load.
_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _in_the_forkserver() -> bool:
    """Whether multiprocessing's forkserver is importing us (it preloads from its ``main``)."""
    server = sys.modules.get("multiprocessing.forkserver")
    if server is None:
        return False
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is server.main.__code__:
            return True
        frame = frame.f_back
    return False


def _load() -> None:
    from codewell.suggest import processes

    processes.silence()
    if "numpy" not in sys.modules:
        for name in _ONE_THREAD:
            os.environ[name] = "1"
    processes.limit_blas()
    import scipy.sparse  # noqa: F401
    import spacy  # noqa: F401

    import codewell.suggest.batch  # noqa: F401
    import codewell.suggest.model  # noqa: F401
    import codewell.suggest.prior  # noqa: F401
    import codewell.suggest.remote  # noqa: F401
    import codewell.suggest.service  # noqa: F401
    import codewell.text.rows  # noqa: F401
    from codewell.text import pipeline
    from codewell.text.affect import lexicon

    pipeline()
    lexicon()


if _in_the_forkserver():
    _load()
