"""Another session holding a PostgreSQL project's write lock (a long import, a second coder's big
write): a write waits for it, says so once, and lands; a lock held too long is one busy error and
nothing written. The same promises as tests/test_fault_files.py makes for a SQLite file."""

from __future__ import annotations

import time

import pytest

from codewell.errors import ProjectBusyError
from codewell.project import Project
from codewell.store.postgres import WRITE_LOCK
from codewell.values import Response
from faults import start_python
from pg_support import fresh_database
from tui_fixtures import CODEBOOK

HOLDER = """
import sys, time, psycopg
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute("SELECT pg_advisory_xact_lock(%s)" % sys.argv[2])
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
    conn.rollback()
"""


@pytest.fixture
def url() -> str:
    location = fresh_database()
    with Project.create(location, CODEBOOK) as project:
        project.add_responses([Response("R1", "first", 2), Response("R2", "second", 3)], "t")
    return location


def _hold(url: str, seconds: float):  # type: ignore[no-untyped-def]
    holder = start_python(HOLDER, url, str(WRITE_LOCK), str(seconds))
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_write_waits_for_the_lock_says_so_and_lands(url: str) -> None:
    told = []
    with Project.open(url) as project:
        holder = _hold(url, 2.0)
        started = time.monotonic()
        decision = project.record("ana", "R1", "anxiety", "apply", on_wait=lambda: told.append(True))
        waited = time.monotonic() - started
        holder.wait(timeout=30)
        assert told == [True] and waited > 1.0
        assert [d.id for d in project.decisions("ana")] == [decision.id]
        assert project.codings("ana") == {"R1": frozenset({"anxiety"})}  # reading never waited


def test_a_lock_held_too_long_is_one_busy_error_and_nothing_written(url: str) -> None:
    with Project.open(url) as project:
        holder = _hold(url, 4.0)
        try:
            assert project.codings("ana") == {}  # reads go on while the lock is held
            with pytest.raises(ProjectBusyError) as caught:
                project.record("ana", "R1", "anxiety", "apply", wait=0.8)
        finally:
            holder.kill()
            holder.wait(timeout=30)
        assert str(caught.value).startswith(f"{url}: the project is busy (another process is writing to it); "
                                            "nothing was saved by this request")
        assert project.decisions() == ()
