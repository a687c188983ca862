"""Suggestion quality on a writer the model never saw, and evidence a coder can read.

The floor is checked on the hardest cross-writer split of the sample (train on the first two
writers, IS001-IS340, test on the third, IS341-IS500), never on the frozen held-out writers.
At the commit that added this test the five study codes scored macro-F1 0.67 trained and 0.47
codebook-only on that split. The floor, 0.62, sits about two standard errors below (a
160-response test set moves a macro-F1 by about 0.03 with a different seed or sample), so noise
does not trip it, and 0.15 above codebook-only, so it fails if training stops adding anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.codebook import load_codebook
from codewell.suggest import FittedModel, fit_model
from codewell.suggest.evaluate import predict, restrict, score
from codewell.suggest.labelled import read_labelled

ROOT = Path(__file__).resolve().parents[1]
BOOK = load_codebook(ROOT / "codebooks" / "image-sharing.yaml")
FIVE = ("understanding", "communication", "adherence", "interpretation_difficulty", "anxiety")
FLOOR = 0.62


@pytest.fixture(scope="module")
def split():
    data = read_labelled(ROOT / "samples" / "image-sharing" / "labelled.csv", BOOK, FIVE)
    # The sample's first two writers against its third (the file holds later writers too).
    train = [i for i, rid in enumerate(data.ids) if rid.startswith("IS") and rid <= "IS340"]
    test = [i for i, rid in enumerate(data.ids) if rid.startswith("IS") and rid > "IS340"]
    return data.subset(train), data.subset(test)


@pytest.fixture(scope="module")
def trained(split):
    train, _ = split
    return fit_model(restrict(BOOK, FIVE), train.texts, train.label_sets())


def test_an_unseen_writer_is_coded_above_the_floor_and_above_the_codebook_alone(split, trained):
    _, test = split
    learnt = score(test.gold, predict(trained, test.texts), FIVE)
    alone = score(test.gold, predict(FittedModel(restrict(BOOK, FIVE)), test.texts), FIVE)
    assert learnt["macro_f1"] >= FLOOR
    assert learnt["macro_f1"] >= alone["macro_f1"] + 0.05


def test_a_long_response_points_at_the_sentence_that_carries_the_code(trained):
    sentence = "Once they can see the scan on the screen they follow what we are checking far better."
    text = f"Parking was a nightmare and the clinic ran late. {sentence} The rest of the visit was routine."
    understanding = next(s for s in trained.suggest(text) if s.code == "understanding")
    assert understanding.suggested
    assert [(e.text, e.source) for e in understanding.evidence] == [(sentence, "sentence")]
    assert understanding.reason == f"“{sentence}”"  # no word in it says more than the sentence


def test_a_denied_feeling_is_not_suggested(trained):
    """The issue's example: "would not scare me off" is not anxiety, trained or not."""
    text = "Seeing a picture of my own scan would not scare me off. I would rather know."
    assert not next(s for s in trained.suggest(text) if s.code == "anxiety").suggested


@pytest.mark.parametrize(("text", "code", "coded"), [
    ("Anxiety is rare but real, especially for anyone waiting on a cancer result.", "anxiety", True),
    ("In my experience patients rarely get anxious.", "anxiety", False),
    ("It didn't really mean a lot to me when they showed me.", "understanding", False),
    ("It didn't really mean a lot to me when they showed me.", "interpretation_difficulty", True),
    ("If they can't interpret it they panic.", "interpretation_difficulty", True),
    ("If they can't interpret it they panic.", "anxiety", True),
])
def test_the_issues_negations_hold_once_trained(trained, text, code, coded):
    """Negation both ways, as the issue lists it, after training (not only from the codebook):
    an acknowledged risk is coded, a denied one is not, a negated ability is the difficulty."""
    assert next(s for s in trained.suggest(text) if s.code == code).suggested is coded


def test_a_tentative_code_is_drawn_apart_from_a_suggested_one():
    """The coding screen marks a close call (◇, dim) apart from a suggestion (◆), without colour."""
    from codewell.tui.widgets.code_list import CodeRow
    from codewell.values import CodeSuggestion

    row = CodeRow(BOOK.codes[0], 0)
    shown = row.line(False, CodeSuggestion("understanding", 0.9, True)).plain
    close = row.line(False, CodeSuggestion("understanding", 0.3, False, tentative=True)).plain
    unlikely = row.line(False, CodeSuggestion("understanding", 0.05, False)).plain
    assert "◆" in shown and "◇" not in shown
    assert "◇" in close and "◆" not in close
    assert "◆" not in unlikely and "◇" not in unlikely


def test_evidence_for_a_negated_ability_reads_as_a_reason(trained):
    difficulty = next(s for s in trained.suggest("Most of them cannot interpret a CT at all.")
                      if s.code == "interpretation_difficulty")
    assert difficulty.suggested
    assert ("cannot interpret", "keyword") in [(e.text, e.source) for e in difficulty.evidence]


def test_close_calls_are_tentative_and_never_suggested(split, trained):
    _, test = split
    rows = trained.suggest_many(test.texts)
    flat = [s for row in rows for s in row]
    assert any(s.tentative for s in flat)
    assert not any(s.tentative and s.suggested for s in flat)
    probabilities, thresholds = trained.probabilities(test.texts)
    for row, p in zip(rows, probabilities, strict=True):
        for c, s in enumerate(row):
            assert s.tentative == (not s.suggested and 0 < p[c] and p[c] >= 0.6 * thresholds[c])
