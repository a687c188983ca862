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
    train = [i for i, rid in enumerate(data.ids) if rid <= "IS340"]
    test = [i for i, rid in enumerate(data.ids) if rid > "IS340"]
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
    assert understanding.reason.startswith("the sentence 'Once they can see the scan")


def test_a_denied_feeling_is_not_suggested(trained):
    """The issue's example: "would not scare me off" is not anxiety, trained or not."""
    text = "Seeing a picture of my own scan would not scare me off. I would rather know."
    assert not next(s for s in trained.suggest(text) if s.code == "anxiety").suggested


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
