"""Review by code: suggested-but-undecided responses for one code, decided in bulk."""

from __future__ import annotations

import pytest

from codewell.values import CodeSuggestion, Status
from codewell.tui.app import make_app
from codewell.tui.screens.review import ReviewScreen, candidates
from codewell.tui.session import CodingSession
from tui_fixtures import make_project, settle, stored

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


def test_candidates_leave_out_decided_and_done_and_sort_by_probability(study):
    from codewell.project import Project

    with Project.open(study) as project:
        session = CodingSession(project, "ana")
    suggest = {"R001": 0.6, "R002": 0.9, "R003": 0.8, "R004": 0.7, "R005": 0.2}
    session.suggestions = {rid: (CodeSuggestion("anxiety", p, p >= 0.5),) for rid, p in suggest.items()}
    session.statuses["R004"] = Status.DONE
    rows = candidates(session, "anxiety", decided={("R003", "anxiety")})
    assert [session.responses[p].id for p, _ in rows] == ["R002", "R001"]
    assert [p for _, p in rows] == [0.9, 0.6]


async def open_review(app, pilot, code: str) -> ReviewScreen:
    await settle(app, pilot)
    assert not app.engine_missing, "the suggestion engine failed to load: a failure, not a skip"
    app.review(code)
    await settle(app, pilot)
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_mark_all_and_accept_stores_one_decision_each(study):
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot, "anxiety")
        listed = dict(screen.probabilities)
        assert listed, "the worried responses are suggested for anxiety"
        assert list(listed.values()) == sorted(listed.values(), reverse=True)
        await pilot.press("asterisk", "a")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.query_one("OptionList").option_count == 0
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "coding"
    decisions, _, _, codings = stored(study)
    ids = {app.session.responses[p].id for p in listed}
    assert {d.response_id for d in decisions} == ids
    for decision in decisions:
        assert (decision.code, decision.action, decision.from_suggestion) == ("anxiety", "apply", True)
        assert decision.probability == pytest.approx(listed[app.session.index_of[decision.response_id]])
    assert all("anxiety" in codings[rid] for rid in ids)


async def test_reject_the_highlighted_row_when_none_is_marked(study):
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot, "anxiety")
        first = next(iter(screen.probabilities))
        count = len(screen.probabilities)
        await pilot.press("r")
        await pilot.pause()
        assert len(screen.probabilities) == count - 1
    decisions, _, _, codings = stored(study)
    assert [(d.response_id, d.code, d.action) for d in decisions] == [
        (app.session.responses[first].id, "anxiety", "remove")]
    assert not codings


async def test_space_marks_rows_and_only_marked_rows_are_accepted(study):
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot, "anxiety")
        order = list(screen.probabilities)
        if len(order) < 3:
            pytest.skip("needs three suggested responses")
        await pilot.press("space", "down", "space")             # first and third
        assert screen.marked == {order[0], order[2]}
        assert "2 marked" in str(screen.query_one("#review-title").render())
        await pilot.press("a", "y")
        await pilot.pause()
        assert list(screen.probabilities) == [order[1], *order[3:]]
    decisions, *_ = stored(study)
    assert sorted(d.response_id for d in decisions) == sorted(
        app.session.responses[p].id for p in (order[0], order[2]))
