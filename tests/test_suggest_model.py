"""The fitted model: cold start, negation, evidence spans, training, thresholds, ordering."""

from __future__ import annotations

from dataclasses import replace

import dataclasses
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codewell.codebook import load_codebook
from codewell.values import Code, Codebook
from codewell.suggest import Cancelled, FittedModel, fit_model, order_responses
from codewell.suggest.thresholds import (
    DEFAULT_THRESHOLD, Calibration, choose_threshold, fit_calibration,
)

BOOK = Codebook(title="Ward comments", codes=(
    Code("waiting", "Waiting", definition="Time spent waiting to be seen or for results.",
         keywords=("wait", "delay", "queue"), examples=("Sat for hours before anyone came.",)),
    Code("food", "Food", definition="Meals, drinks and the menu.", keywords=("meal", "food"),
         examples=("Dinner was cold.",)),
    Code("anxiety", "Anxiety", definition="Worry, fear or distress.",
         keywords=("anxiety", "worried", "scared")),
))

PHRASES = {
    "waiting": ["we waited four hours", "the delay was awful", "a long queue at reception",
                "sat for ages in the corridor", "nobody came for hours"],
    "food": ["the meal was cold", "food was lovely", "dinner arrived late and cold",
             "sandwiches were stale", "tea trolley never came round"],
    "anxiety": ["my mum was scared", "I felt worried the whole time", "it caused real anxiety",
                "I was terrified", "the uncertainty was frightening"],
}


def make_data(n: int, seed: int = 0) -> tuple[list[str], list[frozenset[str]]]:
    """Comments made of one or two topic phrases, labelled with their topics."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        codes = rng.sample(sorted(PHRASES), rng.choice([1, 1, 2]))
        texts.append(". ".join(rng.choice(PHRASES[c]).capitalize() for c in codes) + ".")
        labels.append(frozenset(codes))
    return texts, labels


@pytest.fixture(scope="module")
def trained() -> FittedModel:
    texts, labels = make_data(80)
    return fit_model(BOOK, texts, labels, seed=1)


def by_code(suggestions):
    return {s.code: s for s in suggestions}


def test_cold_start_suggests_from_keywords_alone():
    suggester = FittedModel(BOOK)
    assert (suggester.mode, suggester.n_examples) == ("codebook", 0)
    result = suggester.suggest("We had to wait four hours and the food was cold")
    assert [s.code for s in result] == ["waiting", "food", "anxiety"]
    got = by_code(result)
    assert got["waiting"].suggested and got["food"].suggested and not got["anxiety"].suggested
    assert got["waiting"].reason == "“We had to wait four hours and the food was cold” (keyword 'wait')"


def test_a_denied_risk_is_not_suggested_and_the_reason_says_why():
    suggester = FittedModel(BOOK)
    denied = by_code(suggester.suggest("I don't think it causes anxiety."))["anxiety"]
    assert not denied.suggested and denied.evidence == ()
    assert denied.reason == "denied: 'don't think it causes anxiety'"
    kept = by_code(suggester.suggest("It can cause anxiety but that is manageable."))["anxiety"]
    assert kept.suggested


@pytest.mark.parametrize("model", ["cold", "trained"])
def test_evidence_spans_point_at_the_words_in_the_original_text(model, trained):
    suggester = FittedModel(BOOK) if model == "cold" else trained
    text = "Honestly?  The QUEUE was endless, and my dad was very anxeity about it."
    for suggestion in suggester.suggest(text):
        for evidence in suggestion.evidence:
            assert text[evidence.start:evidence.end] == evidence.text
    got = by_code(suggester.suggest(text))
    keyword = [(e.text, e.source) for e in got["waiting"].evidence if e.source == "keyword"]
    assert keyword == [("QUEUE", "keyword")]
    assert ("anxeity", "keyword") in [(e.text, e.source) for e in got["anxiety"].evidence]


def test_training_learns_words_the_codebook_never_mentions(trained):
    cold = by_code(FittedModel(BOOK).suggest("Sandwiches were stale."))["food"]
    warm = by_code(trained.suggest("Sandwiches were stale."))["food"]
    assert not cold.suggested and warm.suggested
    assert warm.reason.startswith("“Sandwiches were stale.” (learnt 'Sandwiches'")
    assert any(e.source == "model" and e.text == "Sandwiches" for e in warm.evidence)
    assert trained.n_examples == 80 and trained.mode in ("blended", "trained")


def test_trained_model_beats_the_cold_start_on_fresh_comments(trained):
    texts, labels = make_data(60, seed=7)
    def exact(s: FittedModel) -> float:
        return np.mean([frozenset(x.code for x in row if x.suggested) == gold
                        for row, gold in zip(s.suggest_many(texts), labels, strict=True)])
    assert exact(trained) > exact(FittedModel(BOOK)) and exact(trained) >= 0.9


def test_retraining_builds_a_new_model_and_zero_examples_is_the_cold_start():
    texts, labels = make_data(40)
    first = fit_model(BOOK, texts, labels)
    before = first.probabilities(["Food was lovely."])[0]
    assert first.n_examples == 40
    second = fit_model(BOOK, texts[:30], labels[:30])
    assert second.n_examples == 30 and second is not first
    assert first.n_examples == 40 and np.array_equal(first.probabilities(["Food was lovely."])[0], before)
    empty = fit_model(BOOK, [], [])
    assert (empty.mode, empty.n_examples, empty.trained) == ("codebook", 0, None)


def test_a_fitted_model_cannot_be_changed():
    texts, labels = make_data(20)
    model = fit_model(BOOK, texts, labels)
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.trained = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.trained.coef = np.zeros(1)  # type: ignore[misc,union-attr]
    for array in (model.trained.coef, model.trained.intercept, model.trained.thresholds,
                  model.trained.prior_weight, model.trained.evidence_weights):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
    assert not hasattr(model, "fit")


def test_a_code_never_positive_in_training_falls_back_to_the_prior():
    texts, labels = make_data(40)
    labels = [ls - {"anxiety"} for ls in labels]
    suggester = fit_model(BOOK, texts, labels)
    probe = ["I felt worried the whole time.", "The meal was cold."]
    cold = FittedModel(BOOK).probabilities(probe)[0][:, 2]
    assert np.allclose(suggester.probabilities(probe)[0][:, 2], cold)
    assert by_code(suggester.suggest(probe[0]))["anxiety"].suggested


def test_empty_text_gets_no_suggestion_and_empty_training_texts_are_left_out(trained):
    for text in ("", "   \n"):
        assert all(s.probability == 0.0 and not s.suggested and s.evidence == ()
                   for s in trained.suggest(text))
    texts, labels = make_data(20)
    suggester = fit_model(BOOK, [*texts, "", " "], [*labels, frozenset({"food"}), frozenset()])
    assert suggester.n_examples == 20


def test_unknown_codes_in_labels_are_ignored_and_lengths_must_agree():
    texts, labels = make_data(20)
    suggester = fit_model(BOOK, texts, [ls | {"not_a_code"} for ls in labels])
    assert suggester.n_examples == 20
    with pytest.raises(ValueError, match="2 texts but 1 label sets"):
        fit_model(BOOK, ["a", "b"], [frozenset()])


def test_cancelling_a_fit_gives_no_model_and_leaves_the_previous_one_alone():
    texts, labels = make_data(30)
    suggester = fit_model(BOOK, texts, labels)
    before = suggester.probabilities(["Food was lovely."])[0]
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        fit_model(BOOK, texts[:10], labels[:10], should_stop=lambda: next(calls) >= 1)
    assert next(calls) == 2  # stopped at the second checkpoint, not at the end
    assert suggester.n_examples == 30
    assert np.array_equal(suggester.probabilities(["Food was lovely."])[0], before)


def test_suggest_many_matches_suggest(trained):
    texts = ["The meal was cold.", "", "We waited four hours and I was scared."]
    assert trained.suggest_many(texts) == [trained.suggest(t) for t in texts]


def test_threshold_defaults_to_one_half_with_few_positives():
    gold = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    assert choose_threshold(np.linspace(0, 1, 10), gold) == DEFAULT_THRESHOLD


def test_threshold_moves_toward_the_f1_best_cut_with_many_positives():
    rng = np.random.default_rng(0)
    gold = (rng.random(400) < 0.3).astype(int)
    probabilities = np.clip(np.where(gold == 1, 0.3, 0.1) + rng.normal(0, 0.03, 400), 0, 1)
    threshold = choose_threshold(probabilities, gold)
    assert 0.18 < threshold < DEFAULT_THRESHOLD


def test_calibration_is_monotone_and_falls_back_when_it_cannot_be_fitted():
    rng = np.random.default_rng(0)
    gold = (rng.random(300) < 0.4).astype(int)
    scores = gold * 2.0 - 1.0 + rng.normal(0, 1.0, 300)
    calibration = fit_calibration(scores, gold)
    assert calibration.slope > 0
    curve = calibration.apply(np.linspace(-3, 3, 7))
    assert np.all(np.diff(curve) > 0)
    assert fit_calibration(scores[:5], np.array([1, 0, 0, 0, 0])) == Calibration()


def test_order_modes():
    texts, _ = make_data(30)
    texts[3] = "  "
    suggester = FittedModel(BOOK)
    assert order_responses(suggester, texts, "file") == list(range(30))
    shuffled = order_responses(suggester, texts, "random", seed=3)
    assert sorted(shuffled) == list(range(30)) and shuffled != list(range(30))
    assert shuffled == order_responses(suggester, texts, "random", seed=3)
    uncertain = order_responses(suggester, texts, "uncertain", seed=3)
    assert sorted(uncertain) == list(range(30)) and uncertain[-1] == 3
    with pytest.raises(ValueError, match="order must be one of"):
        order_responses(suggester, texts, "sideways")  # type: ignore[arg-type]


def test_uncertain_first_puts_borderline_responses_early():
    suggester = FittedModel(BOOK)
    texts = ["The food was cold and we waited.", "Lovely."] * 10 + ["It was a bit of a wait perhaps"]
    probabilities, thresholds = suggester.probabilities(texts)
    margins = np.abs(probabilities - thresholds).min(axis=1)
    first = order_responses(suggester, texts, "uncertain", seed=0)[:5]
    assert np.mean(margins[first]) <= np.mean(margins)


@pytest.mark.parametrize("study", ["image-sharing", "patient-feedback"])
def test_both_sample_codebooks_work_without_code_changes(study):
    book = load_codebook(f"codebooks/{study}.yaml")
    suggester = FittedModel(book)
    rows = suggester.suggest_many(["Staff were kind but we waited hours.", "Seeing the scan helped."])
    assert all([s.code for s in row] == list(book.ids) for row in rows)
    examples = [(ex, frozenset({code.id})) for code in book.codes for ex in code.examples]
    trained = fit_model(book, [t for t, _ in examples], [ls for _, ls in examples])
    assert trained.n_examples == len(examples)
    assert len(trained.suggest("Anything at all.")) == len(book.ids)


def test_no_texts_give_no_rows(trained):
    assert trained.suggest_many([]) == [] and FittedModel(BOOK).suggest_many([]) == []
    assert trained.probabilities([])[0].shape == (0, 3)


def test_mode_is_trained_once_every_code_has_plenty_of_positives():
    texts, labels = make_data(150)
    assert fit_model(BOOK, texts, labels).mode == "trained"
    assert fit_model(BOOK, texts[:6], labels[:6]).mode == "blended"


def test_inclusion_notes_guide_the_prior_but_are_never_training_rows():
    """A note is an instruction to a coder ("... also code X"), not a response (issue 13)."""
    food = Code("food", "Food", definition="Meals, drinks and the menu.", keywords=("meal", "food"),
                include=("Porridge, cereal or toast at breakfast.",), examples=("Dinner was cold.",))
    book = Codebook(title="Ward comments", codes=(BOOK.codes[0], food, BOOK.codes[2]))
    bare = Codebook(title="Ward comments",
                    codes=(BOOK.codes[0], replace(food, include=()), BOOK.codes[2]))
    text = "Porridge again, lumpy porridge."
    assert FittedModel(book).probabilities([text])[0][0, 1] > FittedModel(bare).probabilities([text])[0][0, 1]
    texts, labels = make_data(60)
    suggester = fit_model(book, texts, labels, seed=1)
    assert suggester.n_examples == 60
    assert not any("porridge" in name for name in suggester.trained.word_names)


def test_held_out_scores_are_those_of_a_model_fitted_without_the_response_and_its_neighbours():
    """The scores that calibrate and threshold each code: exactly what ridge regression trained
    without response i and its NEIGHBOURS most alike responses gives i (checked by refitting)."""
    from codewell.suggest import ridge as suggester

    rng = np.random.default_rng(3)
    features = rng.random((12, 5))
    targets = rng.choice([-1.0, 1.0], size=(12, 2))
    kernel = features @ features.T + 1.0
    groups = suggester._neighbour_groups(kernel)
    dual, inverse_factor = suggester._solve_kernel(kernel.copy(), targets)
    held_out = suggester._neighbours_out(inverse_factor, dual, targets, groups)
    for i in range(12):
        alike = np.where(np.arange(12) == i, -np.inf, kernel[i])
        left_out = {i, *np.argsort(-alike)[:suggester.NEIGHBOURS]}
        kept = [j for j in range(12) if j not in left_out]
        refit = np.linalg.solve(kernel[np.ix_(kept, kept)] + suggester.ALPHA * np.eye(len(kept)),
                                targets[kept])
        np.testing.assert_allclose(held_out[i], kernel[i, kept] @ refit, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 40), columns=st.integers(1, 30), density=st.floats(0.0, 1.0),
       seed=st.integers(0, 2**16))
def test_the_kernel_is_the_gram_matrix_plus_one_whichever_columns_go_dense(rows, columns, density, seed):
    """Common columns go through dense BLAS, rare ones through the sparse product: together they
    must be the Gram matrix + 1, symmetric, in C order (the solve overwrites it)."""
    from scipy import sparse

    from codewell.suggest import ridge as suggester

    features = sparse.random(rows, columns, density=density, format="csr", random_state=seed)
    kernel = suggester._kernel(features)
    dense = features.toarray()
    np.testing.assert_allclose(kernel, dense @ dense.T + 1.0, rtol=1e-12, atol=1e-12)
    assert kernel.flags.c_contiguous
    np.testing.assert_allclose(kernel, kernel.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dual_limit", [4000, 10])
def test_each_code_is_fitted_only_on_the_rows_that_speak_for_it(monkeypatch, dual_limit):
    """A reference's rows say nothing about a code they do not label: that code's fit is the fit
    on the other rows alone, exactly, on the kernel path and on the primal one (more rows than
    ``DUAL_LIMIT``); codes every row speaks for share one fit on all of them."""
    from scipy import sparse

    from codewell.suggest import ridge as suggester

    monkeypatch.setattr(suggester, "DUAL_LIMIT", dual_limit)
    rng = np.random.default_rng(5)
    features = sparse.csr_matrix(rng.random((30, 6)))
    targets = rng.choice([-1.0, 1.0], size=(30, 3))
    known = np.ones((30, 3), dtype=bool)
    known[18:, 1] = False  # rows 18-29 (a reference) do not label code 1
    never = lambda: False  # noqa: E731
    coef, intercept, held_out = suggester.fit_ridge(features, targets, known, 0, never)
    own_coef, own_intercept, own_held = suggester.fit_ridge(
        features[:18], targets[:18, 1:2], np.ones((18, 1), dtype=bool), 0, never)
    all_coef, all_intercept, _ = suggester.fit_ridge(features, targets[:, [0, 2]],
                                                  np.ones((30, 2), dtype=bool), 0, never)
    np.testing.assert_allclose(coef[1], own_coef[0], atol=1e-8)
    np.testing.assert_allclose(intercept[1], own_intercept[0], atol=1e-8)
    np.testing.assert_allclose(held_out[:18, 1], own_held[:, 0], atol=1e-8)
    assert not held_out[18:, 1].any()
    np.testing.assert_allclose(coef[[0, 2]], all_coef, atol=1e-8)
    np.testing.assert_allclose(intercept[[0, 2]], all_intercept, atol=1e-8)
    other, _, _ = suggester.fit_ridge(features, targets, np.ones((30, 3), dtype=bool), 0, never)
    assert not np.allclose(other[1], coef[1], atol=1e-3)  # the 12 rows would have moved it
