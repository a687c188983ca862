"""A fast coder with suggestions on: keys never wait for the model, and never get lost to it.

Training runs in the suggestion service's own process; the app swaps in each new model whole.
"""

from __future__ import annotations

import pytest
from textual.notifications import Notify

from codewell.values import Status
from codewell.tui.app import make_app
from codewell.tui.messages import ModelTrained, SuggestionsReady
from tui_fixtures import make_project, settle, stored

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


async def test_accept_before_suggestions_are_ready_says_so(study):
    seen = []
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        assert app.session.suggestions_for("R001") is None  # nothing suggested yet
        await pilot.press("a")
        await pilot.pause()
        notices = [m.notification.message for m in seen if isinstance(m, Notify)]
        assert any("not ready" in notice for notice in notices), notices
        assert stored(study)[0] == ()  # and nothing was applied
        await settle(app, pilot)
        if app.engine_missing:
            pytest.skip("suggestion engine not importable")
        suggested = {s.code for s in app.session.suggestions_for("R001") if s.suggested}
        await pilot.press("a")
        await pilot.pause()
    assert suggested, "the first response names a code the codebook knows"
    assert stored(study)[3]["R001"] == frozenset(suggested)


async def test_a_fast_coder_loses_no_key_while_the_model_retrains(study):
    seen = []
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(app, pilot)
        if app.engine_missing:
            pytest.skip("suggestion engine not importable")
        for _ in range(8):               # no waiting for workers: retrains run throughout
            await pilot.press("a", "enter")
        await settle(app, pilot)
        await settle(app, pilot)
        final = app.model
    decisions, statuses, _, codings = stored(study)
    assert [rid for rid, s in statuses.items() if s is Status.DONE] == [f"R{i:03d}" for i in range(1, 9)]
    models = [m.model for m in seen if isinstance(m, ModelTrained)]
    assert len(models) >= 3, "the model was rebuilt while the coder worked"
    assert final is models[-1] and final.n_examples == 8  # the last model knows every decision
    for decision in decisions:      # each accepted code was suggested, at the probability shown
        assert decision.from_suggestion and decision.action == "apply"
        shown = [s for m in seen if isinstance(m, SuggestionsReady)
                 for s in m.suggestions.get(decision.response_id, ()) if s.code == decision.code]
        assert any(s.suggested and s.probability == decision.probability for s in shown)
    assert {d.response_id for d in decisions} == {rid for rid, codes in codings.items() if codes}
    errors = [m.notification for m in seen if isinstance(m, Notify) and m.notification.severity == "error"]
    assert not errors, errors
