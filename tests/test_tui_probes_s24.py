"""What probing the screens as a user found (resizing, a finished project, three coders
adjudicating at length, quitting mid-memo): each test pressed real keys and failed before its fix.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from codewell.codebook import load_codebook
from codewell.project import Project
from codewell.tui.adjudicate_app import make_adjudicate_app
from codewell.tui.app import make_app
from codewell.values import Status
from faults import HeldLock
from tui_fixtures import make_project, screen_text, stored

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"


def messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def _until(pilot, condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


# -- ctrl+q, Textual's own quit key, asks first as q does ------------------------------------------
async def test_ctrl_q_with_changes_still_waiting_for_the_project_asks_first(tmp_path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        with HeldLock(study, seconds=5.0):
            await pilot.press("1")                 # meets the lock: waits in the outbox
            await pilot.press("ctrl+q")
            await pilot.pause(0.1)
            assert app.is_running, "ctrl+q dropped a change the screen was still holding"
            assert any("would be lost" in m for m in messages(app))
        await _until(pilot, lambda: not app.screen.outbox, 10)
        await pilot.press("ctrl+q")
    assert not app.is_running
    assert stored(study)[3] == {"R001": frozenset({"understanding"})}


async def test_ctrl_q_with_a_memo_typed_and_not_saved_asks_first(tmp_path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", *"tone is sarcastic")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert any("memo on R001 is not saved" in m for m in messages(app))
        await pilot.press("enter")                 # saved after all
        await pilot.pause()
        assert stored(study)[2] == {"R001": "tone is sarcastic"}
        await pilot.press("ctrl+q")                # nothing unsaved now: quits at once
    assert not app.is_running


async def test_ctrl_q_twice_leaves_an_unsaved_memo_unsaved(tmp_path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", *"half a", "ctrl+q", "ctrl+q")
    assert not app.is_running
    assert stored(study)[2] == {}


# -- adjudication at length ----------------------------------------------------------------------
@pytest.fixture
def three_coders(tmp_path: Path) -> Path:
    """Six responses ana, ben and cas all finished, every one a disagreement."""
    source = tmp_path / "responses.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "response"])
        for i in range(1, 7):
            writer.writerow([f"r{i}", f"Answer number {i} about seeing scans."])
    location = tmp_path / "three.cw"
    codes = ("understanding", "communication", "anxiety")
    with Project.create(location, load_codebook(CODEBOOK)) as project:
        project.import_responses(source)
        for n, coder in enumerate(("ana", "ben", "cas")):
            for i in range(1, 7):
                project.record(coder, f"r{i}", codes[(i + n) % 3], "apply")
                project.set_status(coder, f"r{i}", Status.DONE)
    return location


async def test_quitting_adjudication_with_a_choice_not_saved_asks_first(three_coders) -> None:
    app = make_adjudicate_app(str(three_coders), ["ana", "ben", "cas"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "q")
        await pilot.pause()
        assert app.is_running, "q dropped the consensus chosen for r1 without a word"
        assert any("r1" in m and "not saved" in m for m in messages(app))
        await pilot.press("enter", "ctrl+q")        # saved: nothing left to lose
    assert not app.is_running
    with Project.open(three_coders) as project:
        assert project.codings("consensus") == {"r1": frozenset({"anxiety"})}


async def test_quitting_adjudication_twice_leaves_the_choice_unsaved(three_coders) -> None:
    app = make_adjudicate_app(str(three_coders), ["ana", "ben", "cas"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "ctrl+q", "ctrl+q")
    assert not app.is_running
    with Project.open(three_coders) as project:
        assert "r1" not in project.statuses("consensus")


async def test_a_fast_walk_leaves_one_saved_message_not_a_stack_over_the_consensus(three_coders) -> None:
    app = make_adjudicate_app(str(three_coders), ["ana", "ben", "cas"])
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ("1", "2", "3", "u"):
            await pilot.press(key, "enter")
        await pilot.pause()
        saved = [m for m in messages(app) if m.startswith("saved ")]
        assert saved == ["saved r4: Understanding, Communication, Anxiety"]
    with Project.open(three_coders) as project:
        assert len([s for s in project.statuses("consensus").values() if s is Status.DONE]) == 4


# -- many attributes must not push the response off an 80x24 screen -------------------------------
async def test_many_attributes_leave_the_response_text_on_an_80x24_screen(tmp_path) -> None:
    source = tmp_path / "wide.csv"
    names = [f"question_{n}" for n in range(1, 10)]
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *names, "response"])
        writer.writerow(["w1", *("agree" for _ in names), "Seeing the scan calmed the patient down."])
    location = tmp_path / "wide.cw"
    with Project.create(location, load_codebook(CODEBOOK)) as project:
        project.import_responses(source)
    app = make_app(str(location), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Seeing the scan calmed the patient down." in text
        assert "question_9: agree" in text          # every attribute is still there


# -- a memo opened again is added to, not replaced by the first key typed ---------------------------
async def test_typing_into_an_existing_memo_adds_to_it(tmp_path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", *"first thought", "enter")
        await pilot.press("m")
        await pilot.pause(0.2)                     # the field has focus: the old memo on show
        await pilot.press(*"; later", "enter")
        await pilot.press("m", *" and fast", "enter")   # typed ahead of the field's focus
        await pilot.pause()
    assert stored(study)[2] == {"R001": "first thought; later and fast"}


# -- a project every response of which is done --------------------------------------------------------
async def test_a_finished_project_says_so_and_an_empty_filter_says_which_response_keys_act_on(tmp_path) -> None:
    """Opened on a finished project, the screen showed the first response, marked done, and
    nothing else; filtered to "uncoded" it said "no response matches" but went on showing that
    response, and a key pressed there changed it with nothing on screen saying so."""
    from tui_fixtures import RESPONSES, code_as

    study = make_project(tmp_path)
    ids = [f"R{i:03d}" for i in range(1, len(RESPONSES) + 1)]
    code_as(study, "ana", {rid: ("understanding",) for rid in ids})
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert any(m.startswith(f"All {len(ids)} responses are done.") for m in messages(app))
        assert "keys act on this one" not in screen_text(app)
        await pilot.press("ctrl+p", *"uncoded only", "enter")
        await _until(pilot, lambda: app.session.filter == "uncoded", 5)
        await pilot.pause()
        assert app.session.filter == "uncoded" and not app.session.rows
        assert "no response matches the filter; keys act on" in screen_text(app)
        await pilot.press("ctrl+p", *"all responses", "enter")
        await _until(pilot, lambda: app.session.filter == "all", 5)
        await pilot.pause()
        assert "keys act on this one" not in screen_text(app)


async def test_keys_held_after_the_palette_are_dropped_when_the_app_closes(tmp_path) -> None:
    """Keys held for a dialog the palette opens are handed over on a timer; one that fired as
    the app was taken apart met an empty screen stack (ScreenStackError, seen in the suite)."""
    from textual import events

    app = make_app(str(make_project(tmp_path)), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    app._held = [events.Key("x", "x")]
    app._hand_over_held()
    assert app._held is None


async def test_the_codes_after_the_ninth_name_every_key_at_80_columns(tmp_path) -> None:
    """Its one-line title was cut at 80 columns ("...c finds any c"): the two keys it names
    besides the letters must both be on screen."""
    from tui_fixtures import write_responses

    study = tmp_path / "feedback.cw"
    with Project.create(study, load_codebook(ROOT / "codebooks" / "patient-feedback.yaml")) as project:
        project.import_responses(write_responses(tmp_path / "r.csv"))
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("0")
        await pilot.pause()
        shown = screen_text(app)
        assert "Codes 10 and up: press the letter" in shown
        assert "escape cancels · c finds any code by name" in shown
        await pilot.press("a")
        await pilot.pause()
        assert app.session.codes_of(app.session.response.id) == {"food"}


async def test_next_at_the_end_and_previous_at_the_start_say_so_once(tmp_path) -> None:
    """`n` on the last response did nothing and said nothing (Enter there said "That was the
    last response"); a silent key reads as a lost one. Said once, not a toast per press."""
    from tui_fixtures import RESPONSES

    app = make_app(str(make_project(tmp_path)), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "p")
        await pilot.pause()
        assert messages(app).count("That is the first response in the list.") == 1
        app.session.go_to(app.session.rows[-1])
        app.screen.redraw()
        await pilot.press("n", "n", "n")
        await pilot.pause()
        assert messages(app).count("That is the last response in the list.") == 1
        assert app.session.response.id == f"R{len(RESPONSES):03d}"
