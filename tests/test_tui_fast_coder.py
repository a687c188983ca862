"""A fast coder with suggestions on: keys never wait for the model, and never get lost to it.

Training and suggesting run in the suggestion process; the app swaps in each new model whole
(by generation) and only sends texts and receives suggestions.
"""

from __future__ import annotations

import pytest
from textual.notifications import Notify

from codewell.values import Status
from codewell.tui.app import make_app
from codewell.tui.messages import ModelTrained, OrderReady, SuggestionsReady
from tui_fixtures import make_project, settle, stored

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


FIRST_KEYS = """
import asyncio, json, sys
from textual.notifications import Notify
from codewell.tui.app import make_app

async def main(location):
    seen = []
    app = make_app(location, "ana")
    async with app.run_test(size=(100, 40), message_hook=seen.append) as pilot:
        ready = app.session.suggestions_for("R001") is not None
        await pilot.press("a")
        while app.session.suggestions_for("R001") is None:   # wait for the model, then again
            await asyncio.sleep(0.05)
        await pilot.press("a")
        await pilot.pause()
    return {"ready_at_first_key": ready, "engine_missing": app.engine_missing,
            "loaded_here": [m for m in ("spacy", "sklearn", "scipy", "numpy") if m in sys.modules],
            "notices": [m.notification.message for m in seen if isinstance(m, Notify)],
            "suggested": [s.code for s in app.session.suggestions_for("R001") if s.suggested]}

if __name__ == "__main__":
    print(json.dumps(asyncio.run(asyncio.wait_for(main(sys.argv[1]), 120))))
"""


def test_accept_before_suggestions_are_ready_says_so(study, tmp_path):
    """In a fresh interpreter, as a coder starts: the engine is still loading at the first key."""
    import json
    import subprocess
    import sys

    script = tmp_path / "first_keys.py"
    script.write_text(FIRST_KEYS)
    run = subprocess.run([sys.executable, str(script), str(study)], capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert not result["ready_at_first_key"] and not result["engine_missing"]
    assert len([n for n in result["notices"] if "not ready" in n]) == 1, result["notices"]
    decisions, _, _, codings = stored(study)
    assert result["suggested"], "the first response names a code the codebook knows"
    assert codings["R001"] == frozenset(result["suggested"])  # the second `a`, once ready
    assert all(d.from_suggestion for d in decisions)
    # Suggesting happened in the suggestion process: the screen's never loaded the engine.
    assert result["loaded_here"] == [], result["loaded_here"]


async def test_a_fast_coder_loses_no_key_while_the_model_retrains(study):
    seen = []
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(app, pilot)
        assert not app.engine_missing, "the suggestion engine failed to load: a failure, not a skip"
        for _ in range(8):               # no waiting for workers: retrains run throughout
            await pilot.press("a", "enter")
        for _ in range(600):             # the decisions made during a build make the next one
            await settle(app, pilot)
            if app.model.n_examples == 8 and not app.building:
                break
            await pilot.pause(0.1)
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


async def test_a_model_or_suggestions_arriving_as_the_app_closes_are_dropped(study):
    """The suggestion process may answer while the app is being taken apart (Pilot shuts it down
    beside its message loop): a late answer has no screen to show on and is no error."""
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        model, current = app.model, app.session.response.id
        late = SuggestionsReady({current: app.session.suggestions_for(current)}, model.generation)
    app.on_model_trained(ModelTrained(model, 0.1))
    app.on_suggestions_ready(late)
    app.on_order_ready(OrderReady("uncertain", list(range(len(app.session.responses)))))
    assert app.model is model
