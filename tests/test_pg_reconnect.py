"""A PostgreSQL server restarted mid-session: what was in flight lands once, nothing is lost.

Real server, really stopped and started (tests/pg_support.py): a write that meets the stopped
server waits, reconnects and commits once; a retried uid finds the stored event; sessions the
server cut are replaced without the user seeing an error; the coding screen says "reconnecting…"
and keeps the keys, then stores each once.
"""

from __future__ import annotations

import threading
import time

import pytest

from codewell.project import Project
from codewell.values import Response, Status
from pg_support import admin_sql, fresh_database, server_ctl
from tui_fixtures import CODEBOOK, RESPONSES


@pytest.fixture
def url() -> str:
    location = fresh_database()
    with Project.create(location, CODEBOOK) as project:
        project.add_responses([Response(f"R{i:03d}", text, i + 1, {"profession": who})
                               for i, (who, _, text) in enumerate(RESPONSES, 1)], "responses.csv")
    return location


@pytest.fixture
def restart():
    """Stops the server; the test starts it again (and it is started whatever happens)."""
    stopped = []

    def stop() -> None:
        server_ctl("stop")
        stopped.append(True)

    def start() -> None:
        server_ctl("start")
        stopped.clear()

    yield stop, start
    if stopped:
        server_ctl("start")


def test_a_write_in_flight_during_a_restart_lands_once(url: str, restart) -> None:
    stop, start = restart
    with Project.open(url) as project:
        project.record("ana", "R001", "anxiety", "apply")
        stop()
        outcome: dict[str, object] = {}

        def keypress() -> None:
            try:
                outcome["decision"] = project.record("ana", "R002", "understanding", "apply", uid="f" * 32)
            except Exception as error:  # noqa: BLE001 - the test reports whatever happened
                outcome["error"] = error

        worker = threading.Thread(target=keypress)
        worker.start()
        time.sleep(1.5)  # the write is waiting for the server now
        assert worker.is_alive()
        start()
        worker.join(60)
        assert "error" not in outcome, outcome.get("error")
        again = project.record("ana", "R002", "understanding", "apply", uid="f" * 32)  # the user's retry
        assert again.id == outcome["decision"].id  # type: ignore[union-attr]
        log = project.decisions("ana")
    assert [(d.response_id, d.code) for d in log] == [("R001", "anxiety"), ("R002", "understanding")]


def test_sessions_the_server_cut_are_replaced_quietly(url: str) -> None:
    with Project.open(url) as project:
        project.record("ana", "R001", "anxiety", "apply")
        database = url.rsplit("/", 1)[1]
        admin_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")
        project.record("ana", "R002", "anxiety", "apply")
        assert project.codings("ana") == {"R001": frozenset({"anxiety"}), "R002": frozenset({"anxiety"})}


def test_a_server_that_stays_away_is_one_line_and_nothing_is_saved(url: str, restart) -> None:
    from codewell.errors import ProjectUnavailableError

    stop, start = restart
    with Project.open(url) as project:
        project.record("ana", "R001", "anxiety", "apply")
        stop()
        with pytest.raises(ProjectUnavailableError) as caught:
            project.record("ana", "R002", "anxiety", "apply", wait=1.0)
        start()
        assert str(caught.value).startswith(f"{url}: lost the connection to the project's server")
        assert len(project.decisions("ana")) == 1


async def test_the_coding_screen_says_reconnecting_and_keeps_the_keys(url: str, restart) -> None:
    from codewell.tui.app import make_app
    from tui_fixtures import screen_text

    stop, start = restart
    app = make_app(url, "ana", suggestions=False)
    async with app.run_test(size=(110, 40)) as pilot:
        coding = app.screen
        await pilot.press("1")  # R001 understanding, saved while the server is up
        await pilot.pause(0.2)
        stop()
        await pilot.press("2")  # meets the stopped server: kept in the outbox
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert len(coding.outbox) == 2
        assert "reconnecting… 2 changes kept" in screen_text(app)
        assert app.is_running
        start()
        deadline = time.monotonic() + 60
        while (coding.outbox or coding._flushing) and time.monotonic() < deadline:
            await pilot.pause(0.1)
        await pilot.pause()
        assert "reconnecting" not in screen_text(app)
    with Project.open(url) as project:
        log = project.decisions("ana")
        assert [(d.response_id, d.code) for d in log] == [("R001", "understanding"), ("R001", "communication")]
        assert len({d.uid for d in log}) == 2
        assert project.statuses("ana") == {"R001": Status.DONE}
