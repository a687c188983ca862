"""A coder's marks (done, skipped, flagged) changed in their other terminal reach this screen.

Finishing a response left without codes, skipping or flagging it records no decision, so the
screen's look at "decisions since" missed it: the other screen said R002 was not done, counted
one fewer done, and Enter there marked it done a second time. Each test opens a real screen,
marks through a second ``Project.open`` handle (the other terminal), presses real keys, and
reads what the screen shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.project import Project
from codewell.tui import session_elsewhere
from codewell.tui.app import make_app
from codewell.values import Status
from tui_fixtures import make_project, screen_text

SIZE = (100, 40)
TITLE = "Your work changed in another session"


@pytest.fixture(autouse=True)
def look_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moving on looks for changes elsewhere every time (the screen rate-limits it to 2 s)."""
    monkeypatch.setattr(session_elsewhere, "LOOK_EVERY", 0.0)


def titles(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.title for n in app._notifications]


async def test_a_response_finished_without_codes_elsewhere_shows_done_here(tmp_path: Path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.done == 0
        with Project.open(study) as other_terminal:
            other_terminal.set_status("ana", "R002", Status.DONE)  # Enter on R002 with no code
        await pilot.press("n")
        await pilot.pause()
        assert app.session.response.id == "R002"
        assert app.session.status_of("R002") is Status.DONE
        assert app.session.done == 1
        assert TITLE in titles(app)


async def test_a_skip_and_a_flag_elsewhere_show_here(tmp_path: Path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(study) as other_terminal:
            other_terminal.set_status("ana", "R003", Status.SKIPPED)
            other_terminal.set_flag("ana", "R004", True)
        await pilot.press("n")
        await pilot.pause()
        assert app.session.status_of("R003") is Status.SKIPPED
        assert app.session.is_flagged("R004")
        await pilot.pause()
        listed = {line.split()[1]: line.split()[0] for line in screen_text(app).splitlines()
                  if len(line.split()) > 1 and line.split()[1] in ("R003", "R004")}
        assert listed == {"R003": "»", "R004": "⚑"}  # the list's marks too, before either is visited


async def test_this_screen_s_own_marks_never_say_work_changed_elsewhere(tmp_path: Path) -> None:
    """Enter on a response without codes, a skip and a flag here: the store's counts then
    match the screen's own, so no look reads the marks again or says anything."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "s", "f", "n", "p", "n")
        await pilot.pause()
        assert TITLE not in titles(app)
        assert app.session.done == 1
    with Project.open(study) as project:
        assert project.marks_count("ana") == (2, 1)


def test_the_tally_counts_only_what_a_viewer_may_see(tmp_path: Path) -> None:
    """ben's marks on an open set are his own business: ana's project counts none of them."""
    study = make_project(tmp_path)
    with Project.open(study) as owner:
        ids = owner.draw_set(5, seed=1).ids
        outside = next(r.id for r in owner.responses() if r.id not in ids)
        owner.set_status("ben", ids[0], Status.DONE)
        owner.set_flag("ben", ids[1], True)
        owner.set_status("ben", outside, Status.SKIPPED)
        assert owner.marks_count("ben") == (2, 1)
    with Project.open(study, viewer="ana") as seen_by_ana:
        assert seen_by_ana.marks_count("ben") == (1, 0)
        assert seen_by_ana.marks_count("nobody") == (0, 0)
