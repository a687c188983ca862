"""The coding screen driven by real key presses; every assertion reads the store back."""

from __future__ import annotations

import pytest

from codewell.values import Status
from codewell.tui.app import make_app
from codewell.tui.messages import DecisionSaved
from codewell.tui.screens.coding import CODING_BINDINGS
from codewell.tui.widgets.code_list import CodeRow
from tui_fixtures import make_project, screen_text, settle, stored

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


def quiet(study, **options):
    """The app without the model, for tests about keys and storage only."""
    return make_app(str(study), "ana", suggestions=False, **options)


async def test_toggle_commits_before_the_screen_shows_it(study):
    seen = []

    def hook(message):
        if isinstance(message, DecisionSaved) and all(m is not message for m, _ in seen):
            decisions, *_ = stored(study)
            seen.append((message, decisions))

    app = quiet(study)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.press("1")
        await pilot.pause()
        row = app.screen.query(CodeRow).first()
        assert row.applied
    (message, in_store), = seen
    posted = message.decisions
    assert posted[0] in in_store
    assert (posted[0].response_id, posted[0].code, posted[0].action) == ("R001", "understanding", "apply")
    assert posted[0].suggestions_on is False and posted[0].probability is None


async def test_number_keys_toggle_each_code_and_back(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        codes = app.session.codebook.ids[:9]
        await pilot.press(*[str(n) for n in range(1, len(codes) + 1)])
        assert stored(study)[3]["R001"] == frozenset(codes)
        await pilot.press("2", "2", "3")
        assert stored(study)[3]["R001"] == frozenset(codes) - {codes[2]}


async def test_done_skip_flag_next_previous(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")                      # R001 done -> R002
        await pilot.press("s")                          # R002 skipped -> R003
        await pilot.press("f")                          # R003 flagged, stays
        assert app.session.response.id == "R003"
        await pilot.press("n", "n", "p")
        assert app.session.response.id == "R004"
        await pilot.press("p", "f")                     # unflag R003
        await pilot.press("f", "enter")                 # flag R003 and mark it done: the flag stays
        assert app.session.is_flagged("R003")
    _, statuses, _, _ = stored(study)
    assert statuses == {"R001": Status.DONE, "R002": Status.SKIPPED, "R003": Status.DONE}
    from codewell.project import Project

    with Project.open(study) as project:
        assert project.flags("ana") == {"R003"}
        assert project.summary()["coders"]["ana"]["flagged"] == 1


async def test_undo_appends_the_inverse_and_returns_to_its_response(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "enter")
        assert app.session.response.id == "R002"
        await pilot.press("u")
        assert app.session.response.id == "R001"
        assert not app.session.codes_of("R001")
    decisions, _, _, codings = stored(study)
    assert [(d.code, d.action) for d in decisions] == [("anxiety", "apply"), ("anxiety", "remove")]
    assert decisions[1].undoes == decisions[0].id
    assert "R001" not in codings


async def test_memo_is_saved_and_escape_changes_nothing(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", *"tone", "enter")
        await pilot.press("m", "x", "escape")
    assert stored(study)[2] == {"R001": "tone"}


async def test_fuzzy_picker_toggles_a_code_by_name(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"anxeity", "enter")   # a typo still finds it
        await pilot.pause()
    assert stored(study)[3]["R001"] == frozenset({"anxiety"})


async def test_search_and_goto_move_to_the_response(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        app.screen.query_one("#search-query").value = "fracture healing"
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert app.session.response.id == "R005"
        await pilot.press("g", "R", "1", "2", "enter")      # unknown id: stays open with a hint
        assert app.screen.query_one("#goto-error").render().plain.startswith("No response 'R12'")
        app.screen.query_one("#goto-id").value = "R012"
        await pilot.press("enter")
        assert app.session.response.id == "R012"


async def test_help_lists_every_key_and_quit_exits(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        ids = {row[2] for row in app.screen.rows}
        assert ids >= {b.id for b in CODING_BINDINGS if b.group is None}
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_reopening_resumes_at_the_first_unfinished_response(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter", "enter", "s")
    reopened = quiet(study)
    async with reopened.run_test(size=SIZE) as pilot:
        assert reopened.session.response.id == "R004"
        assert reopened.session.codes_of("R001") == frozenset({"understanding"})


async def test_random_order_is_reproducible_and_resumes_in_that_order(study):
    first = quiet(study, order="random", seed=3)
    async with first.run_test(size=SIZE) as pilot:
        order = [first.session.responses[p].id for p in first.session.rows]
        assert order != sorted(order)
        await pilot.press("enter")
    again = quiet(study, order="random", seed=3)
    async with again.run_test(size=SIZE):
        assert [again.session.responses[p].id for p in again.session.rows] == order
        assert again.session.response.id == order[1]


async def test_palette_adds_a_code_as_a_new_codebook_version(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        before = len(app.session.codebook.codes)
        await pilot.press("ctrl+p", *"add co")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#code-label").value = "Cost of care"
        await pilot.press("enter", "enter", *"risk", "enter", "enter")
        await pilot.pause()
        assert len(app.screen.query(CodeRow)) == before + 1
        await pilot.press("ctrl+p", *"toggle code: cost")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
    from codewell.project import Project

    with Project.open(study) as project:
        assert project.codebook_version == 2
        assert project.codebook.get("cost_of_care").group == "risk"
        assert project.codings("ana")["R001"] == frozenset({"cost_of_care"})


async def test_keys_typed_before_the_add_code_dialog_has_focus_go_to_the_label(study):
    """A fast typist's keys can arrive before any field has focus: they land in the label, and
    the Tab after them in the id, never in whatever field focus reaches later."""
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        app.add_code()
        await pilot.pause()
        app.screen.set_focus(None)
        await pilot.press(*"Data privacy", "tab")
        assert app.screen.query_one("#code-label").value == "Data privacy"
        assert app.screen.query_one("#code-id").value == "data_privacy"
        assert app.screen.focused.id == "code-id"
        app.screen.query_one("#code-id").value = ""
        await pilot.press(*"privacy", "enter", *"risk", "enter", "enter")
        await pilot.pause()
    from codewell.project import Project

    with Project.open(study) as project:
        code = project.codebook.get("privacy")
        assert (code.label, code.group) == ("Data privacy", "risk")


def type_fast(app, keys) -> None:
    """Keys as a fast typist sends them: all queued before the app has handled the first
    (``Pilot.press`` waits for the app to go idle after each key)."""
    from textual import events

    for key in keys:
        char = {"enter": "\r", "tab": "\t", "space": " ", "plus": "+"}.get(key, key if len(key) == 1 else None)
        event = events.Key("space" if key == " " else key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_a_code_typed_fast_after_plus_keeps_every_field(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        type_fast(app, ["plus", *"Data privacy", "tab", "tab", *"risk", "tab", *"about data", "enter"])
        await pilot.pause(1.0)
        assert app.screen.id == "coding"
        code = app.session.codebook.codes[-1]
        assert (code.id, code.label, code.group, code.definition) == ("data_privacy", "Data privacy", "risk",
                                                                      "about data")
        assert not app.session.codings and not app.session.statuses  # no key leaked to the coding screen


async def test_a_code_typed_fast_after_choosing_it_in_the_palette_keeps_every_field(study):
    """Enter on "Add a code" in the palette, then the label at once: the keys reach the dialog,
    not the closing palette's search field nor the coding screen."""
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"Add a code")
        await pilot.pause(0.5)
        type_fast(app, ["enter", *"Need for support", "tab", "tab", *"risk", "tab", *"about support", "enter"])
        await pilot.pause(2.0)
        assert app.screen.id == "coding"
        code = app.session.codebook.codes[-1]
        assert (code.id, code.label, code.group, code.definition) == ("need_for_support", "Need for support",
                                                                      "risk", "about support")
        assert not app.session.codings and not app.session.statuses


async def test_keys_after_a_palette_command_without_a_dialog_still_reach_the_screen(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"uncoded only")
        await pilot.pause(0.5)
        type_fast(app, ["enter", "1", "enter"])
        for _ in range(100):  # a loaded machine may take a while; the keys must land all the same
            await pilot.pause(0.1)
            if app.session.statuses:
                break
        assert app.session.filter == "uncoded"
        first = app.session.codebook.codes[0].id
        assert [codes for codes in app.session.codings.values()] == [frozenset({first})]
        assert [status.value for status in app.session.statuses.values()] == ["done"]


async def test_filter_uncoded_moves_through_uncoded_only(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "enter")                # R002 done
        await pilot.press("p", "p")                    # back to R001
        app.change_filter("uncoded")
        await pilot.pause()
        assert "R002" not in [app.session.responses[p].id for p in app.session.rows]
        await pilot.press("n")
        assert app.session.response.id == "R003"


async def test_accept_applies_suggested_codes_with_their_probability(study):
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.engine_missing, "the suggestion engine failed to load: a failure, not a skip"
        await pilot.press("n")                          # R002: worry about scans at home
        await settle(app, pilot)
        suggested = {s.code: s.probability for s in app.session.suggestions_for("R002") if s.suggested}
        assert suggested
        await pilot.press("a", "enter")                 # R003 next: finished as suggestions show
        await settle(app, pilot)
        await pilot.press("enter")
    decisions, *_ = stored(study)
    assert {d.code for d in decisions} == set(suggested)
    from codewell.project import Project

    with Project.open(study) as project:  # what was shown is stored with the Enter that finished it
        assert project.model_agreement("ana").units == ("R002", "R003")
    for decision in decisions:
        assert decision.from_suggestion and decision.suggestions_on
        assert decision.probability == pytest.approx(suggested[decision.code])


async def test_small_terminal_shows_every_code_row(study):
    app = quiet(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = app.screen.query(CodeRow)
        assert len(rows) == len(app.session.codebook.codes)
        assert all(row.region.width > 40 for row in rows[:5])
        assert app.screen.query_one("ResponseView").region.height >= 4


async def test_mouse_clicks_toggle_codes_and_pick_responses(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("CodeRow", offset=(8, 0))
        await pilot.click("ResponseList", offset=(3, 4))       # fifth line of the list
        await pilot.pause()
        assert app.session.response.id == "R005"
    assert stored(study)[3] == {"R001": frozenset({"understanding"})}


async def test_keymap_remaps_keys_by_binding_id(study):
    app = make_app(str(study), "ana", suggestions=False, keymap={"code.toggle_1": "x", "nav.next": "j"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "j", "x")
    assert stored(study)[3] == {"R001": frozenset({"understanding"}), "R002": frozenset({"understanding"})}


async def test_without_the_engine_coding_still_works(study, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "codewell.suggest", None)     # import fails as if missing
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.model_state == "suggestions unavailable"
        assert app.session.suggestions_for("R001") is None
        await pilot.press("1", "enter")
    assert stored(study)[1] == {"R001": Status.DONE}


async def test_uncertain_order_arrives_from_the_model_and_resumes_in_it(study):
    app = make_app(str(study), "ana", order="uncertain")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.engine_missing, "the suggestion engine failed to load: a failure, not a skip"
        await settle(app, pilot)
        assert app.session.order_name == "uncertain"
        assert sorted(app.session.rows) == list(range(app.session.total))
        assert app.session.current == app.session.rows[0]


async def test_palette_changes_order_and_filters_flagged_and_memo(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "f", "n", "m", "x", "enter")     # R002 flagged, R003 has a memo
        await pilot.press("ctrl+p", *"flagged only")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert [app.session.responses[p].id for p in app.session.rows] == ["R002"]
        app.change_filter("memo")
        assert [app.session.responses[p].id for p in app.session.rows] == ["R003"]
        app.change_filter("all")
        await pilot.press("ctrl+p", *"order: random")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.order_name == "random" and len(app.session.rows) == 20


def test_a_project_without_responses_is_a_clear_error(tmp_path):
    from codewell.errors import DataFileError
    from codewell.project import Project
    from tui_fixtures import CODEBOOK

    Project.create(tmp_path / "empty.cw", CODEBOOK).close()
    with pytest.raises(DataFileError, match="no responses to code yet"):
        make_app(str(tmp_path / "empty.cw"), "ana")


async def test_done_with_suggestions_shown_feeds_model_agreement(study):
    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.engine_missing, "the suggestion engine failed to load: a failure, not a skip"
        await pilot.press("n")
        await settle(app, pilot)
        shown = {s.code for s in app.session.suggestions_for("R002") if s.suggested}
        await pilot.press("a", "enter")
        await settle(app, pilot)
        await pilot.press("enter")                      # R003 done without touching its suggestions
        await settle(app, pilot)
    from codewell.project import Project

    with Project.open(study) as project:
        result = project.model_agreement("ana").to_dict()
    assert result["n_units"] == 2
    assert all(result["codes"][code]["table"][0][0] == 1 for code in shown)  # model and coder both applied


async def test_goto_matches_ids_whatever_their_case(study):
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", *"r007", "enter")
        await pilot.pause()
        assert app.session.response.id == "R007"


async def test_review_shows_the_whole_highlighted_response_and_what_space_does(study):
    from codewell.tui.screens.review import ReviewScreen
    from tui_fixtures import settle

    app = make_app(str(study), "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.engine_missing, "the suggestion engine failed to load: a failure, not a skip"
        app.review("anxiety")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.probabilities
        first = app.session.responses[next(iter(screen.probabilities))]
        await pilot.pause()
        assert f"{first.id}: {first.text}" in str(screen.query_one("#review-text").render())
        assert "space marks" in str(screen.query_one("#review-title").render())
        assert any(b.description == "Mark row" for b in ReviewScreen.BINDINGS)


async def test_every_code_is_two_keys_away_and_the_panel_says_what_it_means(study):
    from codewell.project import Project
    from codewell.values import Code

    with Project.open(study) as project:
        project.add_codes([Code(f"extra_{n}", f"Extra {n}", definition=f"The {n}th extra theme.",
                                include=(f"mentions extra {n}",)) for n in range(6, 13)])
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "a")                   # the tenth code: 0, then its letter
        await pilot.pause()
        assert app.session.codes_of("R001") == frozenset({"extra_10"})
        text = screen_text(app)
        assert "›0a [x] ■ Extra 10" in text
        await pilot.press("d")
        await pilot.pause()
        text = screen_text(app)
        assert "The 10th extra theme." in text and "mentions extra 10" in text
        await pilot.press("right_square_bracket", "space")
        await pilot.pause()
        assert "The 11th extra theme." in screen_text(app)
        assert app.session.codes_of("R001") == frozenset({"extra_10", "extra_11"})
    assert stored(study)[3]["R001"] == frozenset({"extra_10", "extra_11"})
