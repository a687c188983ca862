"""The suggestion service: models built in a training process of their own, handed over whole.

Also the race of the hardening issue (case 9): training and suggesting at once, many times over,
never gives a result that mixes two models.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import CancelledError

import numpy as np
import pytest

from codewell.errors import ModelError
from codewell.suggest import FittedModel, fit_model
from codewell.suggest.service import StoredRequest, TrainingRequest, TrainingService, training_request
from test_suggest_model import BOOK, make_data

# One worker runs this whole file, so the module's training and suggestion processes (each a new
# interpreter loading spaCy and scikit-learn, ~5 s of CPU) start once, not once per xdist worker.
pytestmark = pytest.mark.xdist_group("suggest_service")

PROBE = ["We waited four hours and the meal was cold.", "Sandwiches were stale and I was scared.",
         "Nobody came for hours.", "", "Tea trolley never came round; my mum was terrified."]


@pytest.fixture(scope="module")
def service():
    service = TrainingService()
    yield service
    service.close()


def request(n: int, seed: int = 0) -> TrainingRequest:
    texts, labels = make_data(n, seed)
    return TrainingRequest(BOOK, tuple(texts), tuple(labels), seed=1)


def test_training_happens_in_another_process_and_the_model_comes_back_whole(service):
    result = service.train(request(60))
    assert result is not None
    assert result.pid != os.getpid()
    assert isinstance(result.model, FittedModel) and result.model.n_examples == 60
    here = fit_model(BOOK, *make_data(60), seed=1)
    there_p, there_t = result.model.probabilities(PROBE)
    here_p, here_t = here.probabilities(PROBE)
    assert np.allclose(there_p, here_p) and np.allclose(there_t, here_t)
    assert [[s.suggested for s in row] for row in result.model.suggest_many(PROBE)] == \
        [[s.suggested for s in row] for row in here.suggest_many(PROBE)]
    with pytest.raises(ValueError, match="read-only"):
        result.model.trained.coef[0, 0] = 0.0  # the arrays that crossed the pipe are frozen too


def test_a_newer_request_supersedes_an_older_one(service):
    older = service.submit(request(400, seed=3))
    newer = service.submit(request(25, seed=4))
    try:
        assert older.result(timeout=120) is None
    except CancelledError:
        pass  # dropped before it started: also superseded
    result = newer.result(timeout=120)
    assert result is not None and result.model.n_examples == 25


def test_a_killed_training_process_is_replaced_on_the_next_request(service):
    """Kills the module's own training process: the tests after this one run on its replacement."""
    import signal

    first = service.train(request(10))
    os.kill(first.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(first.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the pool notices its worker is gone
    try:
        service.train(request(10))
    except ModelError as error:  # a request that met the dead process says so, once
        assert "stopped unexpectedly" in str(error)
    second = service.train(request(11))
    assert second.pid not in (first.pid, os.getpid()) and second.model.n_examples == 11


def test_build_waits_for_its_own_result(service):
    result = service.build(request(12))
    assert result.model.n_examples == 12


def test_the_request_is_what_the_coder_finished(tmp_path, service):
    from codewell.project import Project
    from codewell.values import Status
    from tui_fixtures import CODEBOOK, write_responses

    with Project.create(tmp_path / "p.cw", CODEBOOK) as project:
        project.import_responses(write_responses(tmp_path / "r.csv"))
        project.record("ana", "R001", "understanding", "apply")
        project.set_status("ana", "R001", Status.DONE)
        project.record("ana", "R002", "anxiety", "apply")  # coded but not finished
        made = training_request(project, "ana", seed=5)
        nobody = training_request(project, None)
    assert made.labels == (frozenset({"understanding"}),) and len(made.texts) == 1
    assert made.seed == 5 and made.codebook == CODEBOOK
    assert (nobody.texts, nobody.labels) == ((), ())
    stored = StoredRequest(Project.open, str(tmp_path / "p.cw"), "ana", seed=5)
    assert stored.read() == made
    result = service.train(stored)  # the training process reads the project itself
    assert result.pid != os.getpid() and result.model.n_examples == 1


def test_the_blas_thread_limit_stays_in_the_training_process(service):
    from threadpoolctl import threadpool_info

    before = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    service.train(request(30))
    fit_model(BOOK, *make_data(30))
    assert [(i["internal_api"], i["num_threads"]) for i in threadpool_info()] == before


def test_a_closed_service_says_so():
    closed = TrainingService()
    closed.close()
    with pytest.raises(ModelError, match="closed"):
        closed.submit(request(5))


def test_training_while_suggesting_never_mixes_two_models():
    """Threads suggest from whatever model is current while others train and swap in new ones.

    Every result must be exactly what the one model the reader took says on its own: with a
    model refitted in place this raised IndexError or mixed evidence from two fits.
    """
    datasets = [make_data(n, seed) for n, seed in ((20, 1), (45, 2), (70, 3))]
    current = {"model": fit_model(BOOK, *datasets[0])}
    seen: list[tuple[FittedModel, list]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def train() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            current["model"] = fit_model(BOOK, *datasets[i % len(datasets)], seed=i % 2)

    def read() -> None:
        try:
            while not stop.is_set():
                model = current["model"]
                seen.append((model, model.suggest_many(PROBE)))
        except BaseException as error:  # noqa: BLE001 - any failure is the finding
            errors.append(error)

    threads = [threading.Thread(target=train) for _ in range(2)] + \
              [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and len({id(m) for m, _ in seen}) < 6:
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    models = {id(m): m for m, _ in seen}
    assert len(models) >= 3, "the readers saw several models come and go"
    alone = {key: model.suggest_many(PROBE) for key, model in models.items()}
    assert all(result == alone[id(model)] for model, result in seen)


PARENT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from codewell.suggest.batch import BatchScorer
from codewell.suggest.processes import server_pid
from codewell.suggest.remote import SuggestionProcess
from codewell.suggest.service import TrainingRequest, TrainingService
from test_suggest_model import BOOK, make_data

if __name__ == "__main__":
    suggesting, training = SuggestionProcess(), TrainingService()  # held: both stay up
    cold = suggesting.cold(BOOK)  # both children start at once
    texts, labels = make_data(10)
    result = training.train(TrainingRequest(BOOK, tuple(texts), tuple(labels)))
    cold.result(120)
    scoring = BatchScorer(1)
    print(result.pid, suggesting.pid, *scoring.pids, server_pid(), flush=True)
    time.sleep(120)
"""


@pytest.fixture(scope="module")
def orphans(tmp_path_factory) -> dict[str, bool]:
    """Run a parent that starts a training process, a suggestion process and a scoring process
    of its own and prints their pids and that of the server they were forked from, kill the
    parent with SIGKILL, and say of each whether it is still alive 15 s later. One parent serves
    the tests below: each child is started as the coding screen and ``codewell suggest`` start
    theirs, so sharing the parent changes none of them."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    runner = tmp_path_factory.mktemp("orphans") / "parent.py"
    runner.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(runner), str(Path(__file__).parent)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        children = dict(zip(("training", "suggestion", "scoring", "server"),
                            map(int, parent.stdout.readline().split()), strict=True))
        assert all(_alive(pid) for pid in children.values())
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in children.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return {name: _alive(pid) for name, pid in children.items()}
    finally:
        if parent.poll() is None:
            parent.kill()


def test_the_training_process_ends_when_its_parent_is_killed(orphans):
    assert not orphans["training"], "an orphaned training process would live on"


def test_scoring_processes_and_their_server_end_when_the_parent_is_killed(orphans):
    """A forked process's parent is the server, not the process it works for: it must still
    notice that one's end, and the server must not outlive it."""
    assert not orphans["scoring"], "an orphaned scoring process would live on"
    assert not orphans["server"], "the process server would outlive the process it serves"


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, finished but not yet reaped by init, counts as ended).

    A process reaped between opening its stat file and reading it makes the read fail with
    ``ProcessLookupError`` (seen in CI): it has ended too."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_batch_job_runs_alone_with_its_blas_limit_and_leaves_ours_alone() -> None:
    """``codewell evaluate`` trains in a process of its own: the BLAS limit is set there, not here."""
    from threadpoolctl import threadpool_info

    from codewell.suggest.service import run_alone

    def blas_threads(info: list[dict]) -> set[int]:  # type: ignore[type-arg]
        return {pool["num_threads"] for pool in info if pool["user_api"] == "blas"}

    ours = blas_threads(threadpool_info())
    assert run_alone(os.getpid) != os.getpid()
    assert blas_threads(run_alone(threadpool_info)) == {1}
    assert blas_threads(threadpool_info()) == ours


def test_the_batch_process_is_kept_for_the_next_job_and_replaced_when_it_died() -> None:
    import signal

    from codewell.suggest.service import run_alone

    first = run_alone(os.getpid)
    assert run_alone(os.getpid) == first  # scikit-learn and the caches are loaded once
    os.kill(first, signal.SIGKILL)
    time.sleep(0.2)
    again = run_alone(os.getpid)
    assert again not in (first, os.getpid())


def test_processes_are_forked_ready_from_one_server_that_loaded_what_they_need() -> None:
    """Every background process comes from the one server (a fork of it, not of this process,
    which may have threads), with spaCy and the text pipeline loaded there once; scikit-learn,
    which only a fit on more than ``DUAL_LIMIT`` answers needs, is not loaded."""
    from codewell.suggest.processes import server_pid
    from codewell.suggest.service import run_alone

    parent = run_alone(os.getppid)
    assert parent not in (os.getpid(), None) and parent == server_pid()
    assert run_alone(os.getppid) == parent  # the same server for the next one
    modules = "__import__('sys').modules"
    loaded = run_alone(eval, f"[m for m in ('spacy', 'scipy.sparse', 'sklearn') if m in {modules}]"
                             f" + [{modules}['codewell.text.pipeline']._PIPELINE is not None]")
    assert loaded == ["spacy", "scipy.sparse", True]


# -- the coding screen's suggestion process (codewell.suggest.remote) --------------------------
@pytest.fixture(scope="module")
def suggester():
    from codewell.suggest.remote import SuggestionProcess

    own = SuggestionProcess()
    yield own
    own.close()


def test_the_suggestion_process_trains_keeps_and_answers_with_plain_values(suggester):
    from codewell.suggest.ordering import order_responses

    info = suggester.build(request(60)).result(120)
    assert info is not None and info.n_examples == 60
    assert suggester.pid not in (None, os.getpid())
    here = fit_model(BOOK, *make_data(60), seed=1)
    there = suggester.suggest(info.generation, PROBE).result(60)
    mine = here.suggest_many(PROBE)  # CodeSuggestion values, evidence included; BLAS threads
    assert [[(s.code, s.suggested, s.evidence) for s in row] for row in there] == \
        [[(s.code, s.suggested, s.evidence) for s in row] for row in mine]  # may move the last digit
    assert [s.probability for row in there for s in row] == \
        pytest.approx([s.probability for row in mine for s in row], abs=2e-3)
    texts = make_data(40, 9)[0]
    assert suggester.order(info.generation, texts, "uncertain", 3).result(60) == \
        order_responses(here, texts, "uncertain", seed=3)


def test_a_newer_model_supersedes_an_older_ones_answers_and_build(suggester):
    from codewell.suggest.remote import KEEP

    cold = suggester.cold(BOOK).result(120)
    assert cold.mode == "codebook" and cold.n_examples == 0
    assert [s.code for s in suggester.suggest(cold.generation, PROBE[:1]).result(60)[0]] == \
        [s.code for s in FittedModel(BOOK).suggest_many(PROBE[:1])[0]]
    older = suggester.build(request(400, seed=3))
    newer = suggester.build(request(25, seed=4))
    assert older.result(120) is None  # dropped before it started, or stopped at a checkpoint
    info = newer.result(120)
    assert info is not None and info.n_examples == 25 and info.generation > cold.generation
    assert suggester.suggest(cold.generation, PROBE).result(60) is not None  # replaced, still kept
    for n in range(KEEP):
        suggester.build(request(5 + n)).result(120)
    assert suggester.suggest(cold.generation, PROBE).result(60) is None  # no longer kept
    assert suggester.suggest(info.generation, PROBE).result(60) is None


def test_the_stored_request_is_read_by_the_suggestion_process(tmp_path, suggester):
    from codewell.project import Project
    from codewell.values import Status
    from tui_fixtures import CODEBOOK, write_responses

    with Project.create(tmp_path / "p.cw", CODEBOOK) as project:
        project.import_responses(write_responses(tmp_path / "r.csv"))
        project.record("ana", "R001", "understanding", "apply")
        project.set_status("ana", "R001", Status.DONE)
    info = suggester.build(StoredRequest(Project.open, str(tmp_path / "p.cw"), "ana")).result(120)
    assert info is not None and info.n_examples == 1


def test_a_killed_suggestion_process_fails_what_it_owed_and_is_replaced(suggester):
    """Kills the module's own suggestion process: the tests after this one run on its replacement."""
    import signal

    info = suggester.build(request(10)).result(120)
    first = suggester.pid
    pending = suggester.build(request(400, seed=5))
    os.kill(first, signal.SIGKILL)
    with pytest.raises(ModelError, match="stopped unexpectedly"):
        pending.result(30)
    deadline = time.monotonic() + 10
    while suggester.pid == first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert suggester.suggest(info.generation, PROBE).result(120) is None  # the new one keeps nothing
    again = suggester.build(request(11)).result(120)
    assert again.n_examples == 11 and suggester.pid not in (first, os.getpid())


def test_a_closed_suggestion_process_says_so():
    from codewell.suggest.remote import SuggestionProcess

    closed = SuggestionProcess()
    closed.close()
    with pytest.raises(ModelError, match="closed"):
        closed.suggest(1, PROBE)


def test_the_suggestion_process_ends_when_its_parent_is_killed(orphans):
    assert not orphans["suggestion"], "an orphaned suggestion process would live on"
