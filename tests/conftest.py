"""Shared fixtures: real project files in temporary folders, never the user's own data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
SAMPLE = ROOT / "samples" / "image-sharing"
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """codewell's data folder (demo copies, settings) points at a temporary folder in every test."""
    monkeypatch.setenv("CODEWELL_DATA_DIR", str(tmp_path_factory.mktemp("codewell-data")))
    monkeypatch.setenv("NO_COLOR", "1")


def _quicker_pilot() -> None:
    """Pilot waits for the app to go idle after every key it presses, in polls of 20 ms until one
    passes with under 1 ms of CPU: three polls at least, about 60 ms of a key's 70 while the app
    works for 10. Polls of 5 ms with the same 1 ms test keep the wait (a key is handled and its
    messages drained before the next, as before) and cut a key to about 25 ms."""
    import textual._wait

    textual._wait.SLEEP_GRANULARITY = 0.005
    textual._wait.SLEEP_IDLE = 0.001


_quicker_pilot()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One worker more than the cores (``-n auto``): about a fifth of the suite's time is spent
    waiting (for `codewell` processes, locks, the test server, Pilot's idle polls), and a core
    left idle by one worker's wait is taken by the spare worker's work."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engines: run the test once on SQLite and once on PostgreSQL")
    config.addinivalue_line("markers", "postgresql: uses the test PostgreSQL server directly (it then runs "
                            "with the other server tests, one after another)")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups in its own hook
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses the PostgreSQL server runs on one xdist worker, one after another:
    some stop and start the server (a restart mid-session), which would cut the others off."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.fspath.basename.startswith("test_pg_") or params.get("engine") == "postgresql" \
                or item.get_closest_marker("postgresql"):
            item.add_marker(pytest.mark.xdist_group("postgresql"))
    # A group runs on one worker, one test after another; started last, it kept a core busy
    # alone at the end of the run while the other had finished. Groups go first, the longest
    # (the server's, about 80 s) at the head, so the single tests fill in around them.
    items.sort(key=lambda item: GROUP_ORDER.get(_group(item), len(GROUP_ORDER)))


GROUP_ORDER = {"postgresql": 0, "suggest_service": 1, "suggest_evidence": 2}


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker is not None and marker.args else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``engines`` whose project comes from the ``engine`` fixture (through
    ``empty_project``, ``sample_project`` or ``project_location``) run on both engines."""
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker("engines"):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """"sqlite" unless the test is marked ``engines`` (then each in turn)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def project_location(engine: str, tmp_path: Path) -> str:
    """Where a new project may be created: a file path, or an empty database on the test server
    (tests/pg_support.py; skipped only when no server was started for the run)."""
    if engine == "sqlite":
        return str(tmp_path / "study.cw")
    from pg_support import fresh_database

    return fresh_database()


@pytest.fixture
def codebook():
    from codewell.codebook import load_codebook

    return load_codebook(CODEBOOK)


@pytest.fixture
def empty_project(engine: str, tmp_path: Path, codebook):
    """A new project (a file, or a server database in tests marked ``engines``), sample codebook, no responses."""
    from codewell.project import Project

    if engine == "sqlite":
        project = Project.create(tmp_path / "study.cw", codebook)
    else:
        from pg_support import project_database

        project = Project.open(project_database(codebook))
    yield project
    project.close()


@pytest.fixture
def sample_project(empty_project):
    """A project file with the sample codebook and the sample responses imported."""
    empty_project.import_responses(SAMPLE / "responses.csv")
    return empty_project


@pytest.fixture(scope="session")
def coded_sample_to_read(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample study with both coders' codings imported, built once per test process and
    shared: only for tests that read it (a test that changes it takes ``coded_sample``)."""
    from codewell.codebook import load_codebook
    from codewell.project import Project

    path = tmp_path_factory.mktemp("coded-sample") / "study.cw"
    with Project.create(path, load_codebook(CODEBOOK)) as project:
        project.import_responses(SAMPLE / "responses.csv")
        project.import_codings(SAMPLE / "codings.csv")
    return path


@pytest.fixture
def coded_sample(coded_sample_to_read: Path, tmp_path: Path) -> str:
    """A project file holding the sample study and its two coders' codings: the test's own copy
    (it may change it) of one built once per test process. Importing and coding it took ~1 s of
    commits per test; the copy takes 0.02 s."""
    return str(copy_project(coded_sample_to_read, tmp_path / "study.cw"))


def copy_project(source: Path, target: Path) -> Path:
    """A consistent copy of a closed SQLite project file, owner-only as codewell creates them."""
    import os
    import sqlite3
    from contextlib import closing

    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    return target


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """A tiny survey export with the quirks real ones have: a blank answer, commas, a newline."""
    path = tmp_path / "small.csv"
    path.write_text(
        "id,profession,response\n"
        "r1,Radiographer,\"Helps them understand, and ask better questions\"\n"
        "r2,Radiologist,\"Could cause anxiety\nif seen alone at home\"\n"
        "r3,Sonographer,\n"
        "r4,Radiographer,n/a\n",
        encoding="utf-8",
    )
    return path
