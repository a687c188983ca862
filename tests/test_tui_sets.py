"""Coding a reliability set on the screen: the same order for everyone, and no other coder's
codes, memos or progress anywhere on a rendered screen while the set is open."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.project import Project
from codewell.tui.app import make_app
from test_sets import finish, make_study
from tui_fixtures import screen_text

SIZE = (100, 40)
SECRET = "quinn-private-memo"


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, tuple[str, ...]]:
    location = make_study(tmp_path, n=20)
    with Project.open(location) as project:
        ids = project.draw_set(6, seed=1).ids
    app = make_app(str(location), "quinn", set_name="irr")  # quinn opens the set, codes it all
    app.project.close()
    finish(location, "quinn", {rid: ("anxiety", "communication") for rid in ids}, memo=SECRET)
    return location, ids


def visible(app) -> str:
    """What the coder reads: the screen, and any notification shown over it."""
    return screen_text(app) + "\n".join(n.message for n in app._notifications)


async def test_every_coder_gets_the_set_in_the_same_order(study) -> None:
    location, ids = study
    for coder in ("ben", "cy"):
        app = make_app(str(location), coder, set_name="irr")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert tuple(r.id for r in app.session.responses) == ids
            assert app.session.response.id == ids[0]
            assert "[SET irr]" in screen_text(app) and "0/6 done" in screen_text(app)


async def test_no_other_coder_s_work_on_any_screen_while_the_set_is_open(study) -> None:
    location, ids = study
    app = make_app(str(location), "ben", set_name="irr")   # no --blind: the set alone protects it
    async with app.run_test(size=SIZE) as pilot:
        for _ in ids:                                      # every response of the set
            await pilot.pause()
            text = visible(app)
            assert "quinn" not in text and SECRET not in text and "no codes" not in text
            await pilot.press("n")
        await pilot.press("slash", *"scan")                # search
        await pilot.pause(0.5)
        assert "quinn" not in visible(app)
        await pilot.press("escape", "ctrl+p", *"review")   # the palette, and review by code
        await pilot.pause(0.5)
        assert "quinn" not in visible(app) and "Review by code" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause(0.3)
        await pilot.press("a")                             # accepting says why nothing happens
        await pilot.pause()
        assert "Suggestions are off in reliability set 'irr'" in visible(app)
        assert app.session.suggestions_for(ids[0]) is None and not app.session.suggestions_on
    with Project.open(location, viewer="ben") as project:
        assert project.codings("quinn") == {}


async def test_whole_project_coding_cannot_see_the_open_set_either(study) -> None:
    """Coding the whole project without --blind or --set: quinn's set work is still hidden."""
    location, ids = study
    app = make_app(str(location), "ben", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        app.session.go_to(app.session.index_of[ids[0]])
        app.coding.moved()
        await pilot.pause()
        assert "quinn" not in visible(app) and SECRET not in visible(app)
        assert app.session.others_on(ids[0]) == {}


async def test_once_closed_the_work_shows_and_nobody_unopened_is_listed(study) -> None:
    location, ids = study
    app = make_app(str(location), "ben", set_name="irr")
    app.project.close()
    finish(location, "ben", {rid: ("anxiety",) for rid in ids})
    app = make_app(str(location), "cy", suggestions=False)  # cy never opened the set
    async with app.run_test(size=SIZE) as pilot:
        app.session.go_to(app.session.index_of[ids[0]])
        app.coding.moved()
        await pilot.pause()
        text = screen_text(app)
        assert "quinn: Anxiety, Communication" in text and "ben: Anxiety" in text
        assert SECRET in text
        outside = next(r.id for r in app.session.responses if r.id not in ids)
        app.session.go_to(app.session.index_of[outside])
        app.coding.moved()
        await pilot.pause()
        assert "no codes" not in screen_text(app) and "quinn:" not in screen_text(app)


async def test_the_order_of_a_set_cannot_be_changed(study) -> None:
    location, ids = study
    app = make_app(str(location), "ben", set_name="irr")
    async with app.run_test(size=SIZE) as pilot:
        app.change_order("random")
        await pilot.pause()
        assert tuple(r.id for r in app.session.responses) == ids
        assert [app.session.responses[p].id for p in app.session.rows] == list(ids)
        app.set_suggestions(True)
        assert not app.session.suggestions_on


async def test_the_palette_renames_and_merges_the_code_under_the_cursor(tmp_path: Path) -> None:
    location = make_study(tmp_path, n=6)
    finish(location, "ana", {"R001": ("anxiety",)})
    app = make_app(str(location), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "ctrl+p", *"rename")      # 5 puts the cursor on Anxiety
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#change-new_id").value = "worry"
        app.screen.query_one("#change-label").value = "Worry"
        await pilot.press("enter", "enter", *"plainer", "enter")
        await pilot.pause()
        assert app.session.codebook.ids[-1] == "worry"
        assert "Worry" in screen_text(app)
        await pilot.press("ctrl+p", *"merge")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"understanding", "enter", *"one theme", "enter")
        await pilot.pause()
        assert "worry" not in app.session.codebook.ids
        assert app.session.codes_of("R001") == frozenset({"understanding"})
    with Project.open(location) as project:
        assert [n for *_, n in project.codebook_history()][1:] == [
            "renamed 'anxiety' to 'worry', label 'Anxiety' to 'Worry': plainer",
            "merged 'worry' into 'understanding': one theme"]
        assert project.codings("ana")["R001"] == frozenset({"understanding"})


def test_review_and_filters_leave_out_the_open_set_even_with_suggestions_on(study) -> None:
    """Coding the whole project with suggestions: nothing is suggested on the open set's
    responses, so neither review by code nor the suggested-code filter can reach them."""
    from codewell.tui.screens.review import candidates
    from codewell.tui.session import CodingSession
    from codewell.values import CodeSuggestion

    location, ids = study
    with Project.open(location, viewer="ben") as project:
        session = CodingSession(project, "ben")
    session.suggestions = {r.id: (CodeSuggestion("anxiety", 0.9, True),) for r in session.responses}
    listed = {session.responses[p].id for p, _ in candidates(session, "anxiety", set())}
    assert listed and not listed & set(ids)
    session.set_filter("suggested:anxiety")
    assert not {session.responses[p].id for p in session.rows} & set(ids)
    assert session.suggestions_for(ids[0]) is None
