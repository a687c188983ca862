"""Coding passages by keyboard: v selects a sentence, words and sentences shape it, a code key codes
it; segments show in the response with and without colour; A keeps the evidence as the passage."""

from __future__ import annotations

import pytest

from codewell.project import Project
from codewell.tui.app import make_app
from codewell.tui.widgets.segment_selection import Selection, sentence_around, sentence_spans
from codewell.values import CodeSuggestion, Evidence, Segment
from tui_fixtures import make_project, screen_text

TEXT = "Café staff explain 😀 scans well. But patients worry at home, alone.\r\nThey ask better questions after."
ROWS = [("Radiographer", "Hospital", TEXT), ("Radiologist", "Hospital", "Short one.")]


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path, ROWS)


def _span(passage: str) -> tuple[int, int]:
    start = TEXT.index(passage)
    return start, start + len(passage)


def test_sentences_words_and_moves_in_code_points() -> None:
    assert [TEXT[s:e] for s, e in sentence_spans(TEXT)] == [
        "Café staff explain 😀 scans well.", "But patients worry at home, alone.", "They ask better questions after."]
    selection = Selection.first_sentence(TEXT)
    selection.move_sentence(1)
    selection.start_by(1)
    for _ in range(3):
        selection.end_by(-1)
    assert selection.passage == "patients worry"
    selection.end_by(1, "sentence")
    assert selection.passage == "patients worry at home, alone."
    selection.start_by(-1, "sentence")
    assert selection.passage == "But patients worry at home, alone."
    selection.end_by(-1)
    selection.end_by(-1)
    selection.end_by(-1)
    selection.end_by(-1)
    selection.end_by(-1)
    assert selection.passage == "But"  # never empty: the last word stays
    assert sentence_around(TEXT, *_span("worry")) == _span("But patients worry at home, alone.")


async def test_two_passages_two_codes_by_keyboard_then_undo_one(study, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", "down", "w", "h", "h", "h")
        assert "selected 37–51: “patients worry”" in screen_text(app)
        await pilot.press("5")                               # anxiety on "patients worry"
        await pilot.press("j", "2")                          # communication on the third sentence
        await pilot.press("up", "1")                         # understanding on the second, overlapping
        shown = screen_text(app)
        assert "§ [5] Anxiety  37–51  “patients worry”" in shown
        assert "§ [1] Understanding  33–67  “But patients worry at home, alone.”" in shown
        await pilot.press("u")                               # undoes understanding only
        await pilot.press("escape")
        await pilot.pause()
        shown = screen_text(app)
        assert "§ [5] Anxiety  37–51  “patients worry”" in shown
        assert "Understanding  33–67" not in shown
        assert "§ [2] Communication  69–101" in shown
    with Project.open(study) as project:
        assert project.segments("ana") == {"R001": (Segment("R001", "anxiety", *_span("patients worry")),
                                                    Segment("R001", "communication", *_span("They ask better questions after.")))}
        assert [d.action for d in project.decisions("ana")] == ["apply", "apply", "apply", "remove"]


async def test_a_code_key_on_a_coded_passage_removes_it_and_whole_codes_stay_apart(study) -> None:
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("v", "5", "escape")               # anxiety on the first sentence
        await pilot.press("5")                                # not a whole-response toggle: a hint
        await pilot.pause()
        assert app.session.spans["R001"] == frozenset({("anxiety", 0, 32)})
        await pilot.press("1", "v", "tab", "5", "escape")    # whole understanding; tab picks the passage
        await pilot.pause()
    with Project.open(study) as project:
        assert project.segments("ana") == {"R001": (Segment("R001", "understanding"),)}


async def test_A_keeps_each_suggestion_s_evidence_sentence_as_its_passage(study) -> None:
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        session = app.session
        session.suggestions_on = True
        start, end = _span("worry")
        session.suggestions["R001"] = (
            CodeSuggestion("anxiety", 0.9, True, (Evidence(start, end, "worry", "keyword"),)),
            CodeSuggestion("understanding", 0.7, True),        # no evidence: the whole response
            CodeSuggestion("adherence", 0.2, False, (Evidence(0, 4, "Café", "keyword"),)),
        )
        await pilot.press("A")
        await pilot.pause()
    with Project.open(study) as project:
        assert project.segments("ana") == {"R001": (
            Segment("R001", "anxiety", *_span("But patients worry at home, alone.")),
            Segment("R001", "understanding"))}
        assert all(d.from_suggestion for d in project.decisions("ana"))


async def test_a_long_answer_scrolls_to_keep_the_selection_in_view(tmp_path) -> None:
    long = " ".join(f"Sentence {i} is about scans." for i in range(1, 60))
    app = make_app(str(make_project(tmp_path, [("Radiographer", "Hospital", long)])), "ana", suggestions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", *["j"] * 50)
        await pilot.pause()
        await pilot.pause()
        lines = screen_text(app).splitlines()
        (at,) = [n for n, line in enumerate(lines) if line.startswith(" selected")]
        assert "“Sentence 51 is about scans.”" in lines[at]
        assert any("Sentence 51 is" in line for line in lines[:at])  # the passage itself is on screen
