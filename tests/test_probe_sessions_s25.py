"""Long-lived screens meeting changes another process made to the same project file (probe s25).

Two coders in two terminals on one file, the owner running commands meanwhile: each test opens
a real screen, changes the project through a second ``Project.open`` handle (the other process),
then presses real keys and reads back what the screen shows and what the store holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.project import Project
from codewell.tui import session_elsewhere as session
from codewell.tui.adjudicate_app import make_adjudicate_app
from codewell.tui.app import make_app
from codewell.tui.widgets.consensus_list import ConsensusList
from codewell.values import Status
from tui_fixtures import code_as, make_project, screen_text, stored

SIZE = (100, 40)


def visible(app) -> str:  # type: ignore[no-untyped-def]
    """What the coder reads: the screen, and any notification shown over it."""
    return screen_text(app) + "\n" + "\n".join(n.message for n in app._notifications)


@pytest.fixture
def look_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moving on looks for changes elsewhere every time (the screen rate-limits it to 2 s)."""
    monkeypatch.setattr(session, "LOOK_EVERY", 0.0)


async def test_a_set_drawn_elsewhere_hides_the_other_coder_s_work_on_an_open_screen(
        tmp_path: Path, look_at_once: None) -> None:
    """`codewell sample` run while ana's screen shows ben's codes and memo on R001: once R001 is
    in an open set, moving back to it must not show them (blinding is a rule of the data)."""
    study = make_project(tmp_path)
    code_as(study, "ben", {"R001": ("anxiety",)}, memos={"R001": "ben-thinks-worry"})
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "ben-thinks-worry" in visible(app)  # no set yet: ben's work shows
        with Project.open(study) as owner:
            ids = owner.draw_set(19, seed=1).ids  # every non-empty response
        assert "R001" in ids
        await pilot.press("n", "p")
        await pilot.pause()
        assert app.session.response.id == "R001"
        assert "ben:" not in visible(app) and "ben-thinks-worry" not in visible(app)
        assert app.session.others_on("R001") == {}
        assert "R001" in app.session.no_suggestions  # suggestions off on an open set's responses


async def test_a_memo_written_in_another_terminal_is_not_overwritten_by_this_one(tmp_path: Path) -> None:
    """ana in two terminals: the memo she wrote in the other one is what this one's dialog
    starts from, so adding to it keeps it."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(study) as other:
            other.set_memo("ana", "R001", "first thought")
        await pilot.press("m", *" and more", "enter")
        await pilot.pause()
    assert stored(study)[2]["R001"] == "first thought and more"


async def test_a_memo_saved_over_one_written_meanwhile_asks_first(tmp_path: Path) -> None:
    """Both of ana's memo boxes open at once: the second save finds the first one's memo, says
    what it reads and keeps the typed text in the box; enter again replaces it knowingly."""
    from codewell.tui.screens.memo import MemoScreen

    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        with Project.open(study) as other:
            other.set_memo("ana", "R001", "from the other terminal")
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        assert stored(study)[2]["R001"] == "from the other terminal"
        assert isinstance(app.screen, MemoScreen) and app.screen.unsaved
        assert "it now reads: from the other terminal" in visible(app)
        await pilot.press("enter")
        await pilot.pause()
    assert stored(study)[2]["R001"] == "mine"


def adjudication_study(tmp_path: Path) -> Path:
    study = make_project(tmp_path)
    code_as(study, "ana", {"R001": ("understanding",), "R002": ("anxiety",)})
    code_as(study, "ben", {"R001": ("understanding", "anxiety"), "R002": ("anxiety", "communication")})
    return study


async def test_adjudication_saves_after_a_code_renamed_elsewhere(tmp_path: Path) -> None:
    """The owner renames a disputed code while the adjudicator works: the save is refused once
    (the code is gone), the screen then shows the new codebook and the next save lands."""
    study = adjudication_study(tmp_path)
    app = make_adjudicate_app(str(study), ["ana", "ben"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(study) as owner:
            owner.rename_code("anxiety", "worry", label="Worry", reason="broader")
        await pilot.press("2", "enter")
        await pilot.pause()
        assert "Worry" in screen_text(app)
        assert "worry" in {row.code.id for row in app.screen.query_one(ConsensusList).query("ConsensusRow")}
        await pilot.press("2", "enter")
        await pilot.pause()
    with Project.open(study) as project:
        assert project.codings("consensus")["R001"] == {"understanding", "worry"}
        assert project.statuses("consensus")["R001"] is Status.DONE


async def test_adjudication_does_not_save_a_coder_s_set_they_changed_meanwhile(tmp_path: Path) -> None:
    """ben adds a code to R001 while the adjudicator looks at his old set: taking 'ben's
    codes' must not save the set he no longer holds without the screen showing it first."""
    study = adjudication_study(tmp_path)
    app = make_adjudicate_app(str(study), ["ana", "ben"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(study) as ben:
            ben.record("ben", "R001", "communication", "apply")
        await pilot.press("2", "enter")
        await pilot.pause()
        with Project.open(study) as project:
            assert "R001" not in project.statuses("consensus")  # not saved on a stale column
        assert "Communication" in screen_text(app)
        await pilot.press("2", "enter")
        await pilot.pause()
    with Project.open(study) as project:
        assert project.codings("consensus")["R001"] == {"understanding", "anxiety", "communication"}


async def test_adjudication_after_a_code_retired_elsewhere_takes_the_rest(tmp_path: Path) -> None:
    """The owner retires a code ben applied while the adjudicator works: taking ben's set takes
    the codes still in the codebook and says so, instead of a save refused on every try."""
    study = adjudication_study(tmp_path)
    app = make_adjudicate_app(str(study), ["ana", "ben"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(study) as owner:
            owner.retire_code("anxiety", reason="too broad")
        await pilot.press("2", "enter")  # the first save finds the new codebook
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert "anxiety: no longer in the codebook" in visible(app)
        await pilot.press("enter")
        await pilot.pause()
        assert not any(n.title == "Not saved" for n in app._notifications)
    with Project.open(study) as project:
        assert project.codings("consensus")["R001"] == {"understanding"}
        assert project.statuses("consensus")["R001"] is Status.DONE


async def test_codings_imported_for_the_same_coder_show_when_the_screen_gets_there(
        tmp_path: Path, look_at_once: None) -> None:
    """`import --codings` for ana while her screen is open: R003 arrives done with a code;
    moving there shows both, and the progress counts it."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(study) as other:
            other.apply_codings({"ana": {"R003": frozenset({"anxiety"})}}, "codings.csv")
        await pilot.press("n", "n")
        await pilot.pause()
        assert app.session.response.id == "R003"
        assert app.session.codes_of("R003") == {"anxiety"}
        assert app.session.status_of("R003") is Status.DONE
        assert app.session.done == 1


async def test_an_undo_in_the_coder_s_other_terminal_shows_when_this_one_moves_on(
        tmp_path: Path, look_at_once: None) -> None:
    """ana applies a code here, then presses u in her other terminal (which reverses it):
    coming back to the response shows it without the code, not the code she no longer holds;
    her own keys here alone never say that her work changed elsewhere."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "n", "1", "p")
        await pilot.pause()
        assert not any("Your work" in (n.title or "") for n in app._notifications)
        with Project.open(study) as other_terminal:
            other_terminal.undo("ana")  # reverses code 1 on R002, her latest decision
        await pilot.press("n")
        await pilot.pause()
        assert app.session.response.id == "R002"
        assert app.session.codes_of("R002") == frozenset()
        assert "[x]" not in screen_text(app)
        assert any("recorded in another session" in n.message for n in app._notifications)
    assert stored(study)[3] == {"R001": frozenset({"adherence"})}


async def test_a_merge_that_moves_the_coder_s_decisions_is_named_as_a_codebook_change(
        tmp_path: Path, look_at_once: None) -> None:
    """A merge elsewhere moves ana's decisions as new events: the screen says the codebook
    changed, not that her work was recorded in another session."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "n")
        await pilot.pause()
        with Project.open(study) as owner:
            owner.merge_codes("interpretation_difficulty", "understanding", reason="one theme")
        await pilot.press("p")
        await pilot.pause()
        titles = [n.title for n in app._notifications]
        assert "The codebook changed in another session" in titles
        assert "Your work changed in another session" not in titles
        assert app.session.codes_of("R001") == {"understanding"}


async def test_responses_imported_elsewhere_are_reached_at_the_end_of_the_list(tmp_path: Path) -> None:
    """Another process imports two responses while ana codes: at the end of her list the
    screen finds them instead of saying it was the last response."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        from codewell.values import Response

        with Project.open(study) as other:
            other.add_responses([Response("R021", "A late answer about trust.", 21, {}),
                                 Response("R022", "Another late one about worry.", 22, {})], "late.csv")
        app.session.go_to(app.session.index_of["R020"])
        app.coding.moved()
        await pilot.press("n")
        await pilot.pause()
        assert app.session.total == 22
        assert app.session.response.id == "R021"
        assert "/22" in screen_text(app)


async def test_an_unsaved_choice_on_a_response_no_longer_in_dispute_does_not_hold_up_quitting(
        tmp_path: Path) -> None:
    """ben's set is taken on R001 and not saved yet when ben comes round to ana's codes
    elsewhere: the save reads again and R001 leaves the disagreements, so q quits at once
    instead of warning about a choice the adjudicator can no longer reach to save."""
    study = adjudication_study(tmp_path)
    app = make_adjudicate_app(str(study), ["ana", "ben"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")  # take ben's set on R001: unsaved
        with Project.open(study) as ben:
            ben.record("ben", "R001", "anxiety", "remove")  # now as ana: no longer a disagreement
        await pilot.press("enter")  # the save reads the change first, and does not save
        await pilot.pause()
        assert [d.response.id for d in app.screen.walk.items] == ["R002"]
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
