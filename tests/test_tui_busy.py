"""The coding screen while another process holds the project's write lock (issue 9, case 10).

A real second process takes SQLite's write lock (as a long import or a second coder's big write
would); the coder keeps pressing keys. No key is lost, none is stored twice, the screen says it is
waiting, and everything lands, in key order, once the lock is free.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from codewell.values import Status
from codewell.tui.app import make_app
from faults import HeldLock, scale
from tui_fixtures import make_project, screen_text, stored

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


async def _until(pilot, condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


async def test_keys_pressed_while_the_project_is_locked_are_kept_and_stored_once(study) -> None:
    hold = float(scale(3, 10))
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        coding = app.screen
        with HeldLock(study, seconds=hold) as held:
            await pilot.press("1")            # R001: apply the first code -> meets the lock, queued
            await pilot.press("2")            # queued behind it, in order
            await pilot.press("enter")        # R001 done -> queued; the coder moves on at once
            await pilot.press("3")            # R002: third code, queued
            await pilot.pause(0.2)
            assert len(coding.outbox) == 4
            assert "waiting for the project (held by another process): 4 changes kept" in screen_text(app)
            # The lock stays held for the whole period; the coder keeps moving about meanwhile.
            while time.monotonic() - held.started < hold - 0.75:
                await pilot.press("n", "p")
                await pilot.pause(0.15)
                assert app.is_running
                assert stored(study)[0] == ()     # nothing pretends to be saved
            assert len(coding.outbox) == 4
        await _until(pilot, lambda: not coding.outbox and not coding._flushing, 30)
        await pilot.pause()
        assert "waiting for the project" not in screen_text(app)
    decisions, statuses, _, codings = stored(study)
    codes = ["understanding", "communication", "adherence"]
    assert [(d.response_id, d.code, d.action) for d in decisions] == [
        ("R001", codes[0], "apply"), ("R001", codes[1], "apply"), ("R002", codes[2], "apply")]
    assert len({d.uid for d in decisions}) == 3
    assert statuses == {"R001": Status.DONE}
    assert codings == {"R001": frozenset(codes[:2]), "R002": frozenset({codes[2]})}


async def test_quitting_with_changes_still_waiting_asks_first(study) -> None:
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        with HeldLock(study, seconds=3.0):
            await pilot.press("1")
            await pilot.press("q")
            await pilot.pause(0.3)
            assert app.is_running               # the first q only warns
            assert any("would be lost" in n.message for n in app._notifications)
        await _until(pilot, lambda: not app.screen.outbox, 30)
        await pilot.press("q")
        await asyncio.sleep(0)
    assert stored(study)[3] == {"R001": frozenset({"understanding"})}
