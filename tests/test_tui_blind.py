"""Blind second coding: nothing of other coders on screen, suggestions off unless asked for."""

from __future__ import annotations

import pytest

from codewell.tui.app import make_app
from codewell.tui.session import CodingSession
from tui_fixtures import code_as, make_project, screen_text, settle, stored

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    location = make_project(tmp_path)
    code_as(location, "ben", {"R001": ("communication", "anxiety")},
            memos={"R001": "Bentley-note: unsure about this one"})
    return location


async def test_open_coding_shows_the_other_coder(study):
    """The control for the blind tests: without --blind, ben's work is visible."""
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
    assert "ben: Anxiety, Communication" in text and "Bentley-note" in text


async def test_blind_hides_other_coders_and_turns_suggestions_off(study):
    app = make_app(str(study), "ana", blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "ben:" not in text and "Bentley" not in text
        assert "[BLIND]" in text and "suggestions off" in text
        assert app.session.others == {}
        assert app.session.suggestions_for("R001") is None
        assert not app.workers                                      # no model is even trained
        await pilot.press("a", "2")
        await pilot.pause()
        # a does nothing, and says why instead of staying silent
        assert any("Suggestions are off in blind mode" in n.message for n in app._notifications)
    decisions, *_ = stored(study)
    assert [(d.code, d.suggestions_on) for d in decisions] == [("communication", False)]


async def test_blind_with_suggestions_turned_on_records_that(study):
    app = make_app(str(study), "ana", blind=True, suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Bentley" not in screen_text(app)
        await pilot.press("1")
    decisions, *_ = stored(study)
    assert decisions[0].suggestions_on is True


async def test_suggestions_can_be_turned_on_from_the_palette(study):
    app = make_app(str(study), "ana", blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"suggestions on")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.suggestions_on
        assert app.screen.check_action("accept", ()) is True
        await pilot.press("1")
        # a key typed just after a palette command is held for a moment (it may belong to a
        # dialog the command opens), then handed on: leaving earlier drops it with the app
        for _ in range(60):
            if app._held is None:
                break
            await pilot.pause(0.05)
        await settle(app, pilot)
    assert stored(study)[0][0].suggestions_on is True


def test_sample_is_reproducible_and_the_same_for_every_coder(study):
    from codewell.project import Project

    with Project.open(study) as project:
        first = CodingSession(project, "ana", sample=5, seed=1)
        again = CodingSession(project, "ben", sample=5, seed=1)
        other = CodingSession(project, "ana", sample=5, seed=2)
        everything = CodingSession(project, "ana", sample=500, seed=1)
    ids = [r.id for r in first.responses]
    assert len(ids) == 5 and ids == sorted(ids)                 # a subset, kept in file order
    assert ids == [r.id for r in again.responses]
    assert ids != [r.id for r in other.responses]
    assert everything.total == 20


async def test_blind_sample_codes_only_the_sample(study):
    app = make_app(str(study), "ana", blind=True, sample=4, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        ids = [r.id for r in app.session.responses]
        await pilot.press("enter", "enter", "enter", "enter")
        assert app.session.done == 4
        assert "4/4 done" in screen_text(app)
    assert set(stored(study)[1]) == set(ids)
