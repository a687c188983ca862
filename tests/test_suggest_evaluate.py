"""Evaluation: the scores themselves, train/test, cross-validation, simulation and the CLI text."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

from codewell.cli.suggest_cmds import render_suggestions, run_evaluate
from codewell.errors import CodewellError, DataFileError, UnknownNameError
from codewell.values import CodeSuggestion, Evidence, Response
from codewell.suggest.evaluate import kappa, retrain_due, score, shown_precision
from codewell.suggest.model import TENTATIVE_SHARE

from test_suggest_model import make_data

ROOT = Path(__file__).resolve().parent.parent


def write_labelled(path: Path, n: int, seed: int, prefix: str = "R") -> Path:
    """Ids start with ``prefix``: TRAIN and TEST must not share a response (same id and text)."""
    texts, labels = make_data(n, seed)
    lines = ["id,response,waiting,food,anxiety"]
    for i, (text, ls) in enumerate(zip(texts, labels, strict=True)):
        flags = ",".join("1" if c in ls else "0" for c in ("waiting", "food", "anxiety"))
        lines.append(f'{prefix}{i},"{text}",{flags}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    book = tmp_path / "book.yaml"
    book.write_text(
        "title: Ward\ncodes:\n"
        "  - {id: waiting, label: Waiting, keywords: [wait, delay, queue]}\n"
        "  - {id: food, label: Food, keywords: [meal, food]}\n"
        "  - {id: anxiety, label: Anxiety, keywords: [anxiety, worried, scared]}\n",
        encoding="utf-8")
    return book, write_labelled(tmp_path / "train.csv", 60, 1), write_labelled(tmp_path / "test.csv", 40, 2, "T")


def test_scores_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    gold = rng.random((50, 3)) < 0.4
    predicted = gold ^ (rng.random((50, 3)) < 0.2)
    result = score(gold, predicted, ["a", "b", "c"])
    for c, code in enumerate("abc"):
        got = result["codes"][code]
        assert got["precision"] == pytest.approx(precision_score(gold[:, c], predicted[:, c]))
        assert got["recall"] == pytest.approx(recall_score(gold[:, c], predicted[:, c]))
        assert got["f1"] == pytest.approx(f1_score(gold[:, c], predicted[:, c]))
        assert got["kappa"] == pytest.approx(cohen_kappa_score(gold[:, c], predicted[:, c]))
        assert got["support"] == int(gold[:, c].sum())
    assert result["macro_f1"] == pytest.approx(f1_score(gold, predicted, average="macro"))
    assert result["micro_f1"] == pytest.approx(f1_score(gold, predicted, average="micro"))
    assert result["exact_share"] == pytest.approx(np.mean((gold == predicted).all(axis=1)))


def test_undefined_scores_are_nan_not_invented():
    gold = np.zeros((4, 1), dtype=bool)
    result = score(gold, gold, ["a"])["codes"]["a"]
    assert all(math.isnan(result[k]) for k in ("precision", "recall", "f1", "kappa"))
    assert math.isnan(kappa(np.array([]), np.array([])))


def test_precision_when_shown_is_split_into_suggested_and_tentative():
    """A suggested code is at or above its bar; a tentative one from TENTATIVE_SHARE of it."""
    gold = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    probabilities = np.array([[0.9, 0.35], [0.6, 0.2], [0.4, 0.7], [0.1, 0.32]])
    thresholds = np.array([0.5, 0.5])
    assert TENTATIVE_SHARE * 0.5 < 0.32 and TENTATIVE_SHARE * 0.5 > 0.2
    assert shown_precision(gold, probabilities, thresholds) == {
        "suggested": 2 / 3, "n_suggested": 3, "tentative": 1 / 3, "n_tentative": 3}


def test_retrain_schedule_is_dense_early_and_sparse_late():
    assert all(retrain_due(n) for n in range(1, 51))
    assert [n for n in range(51, 71) if retrain_due(n)] == [55, 60, 65, 70]
    assert [n for n in range(201, 261) if retrain_due(n)] == [220, 240, 260]


def test_train_test_json_layout(files):
    book, train, test = files
    report = json.loads(run_evaluate(train, test, book, None, None, False, "file", 0, True))
    assert set(report["codes"]) == {"waiting", "food", "anxiety"}
    assert set(report["codes"]["food"]) >= {"precision", "recall", "f1", "kappa", "support"}
    assert report["macro_f1"] >= 0.9 and report["micro_f1"] >= 0.9
    assert set(report["cold_start"]) >= {"codes", "macro_f1", "micro_f1"}
    assert report["macro_f1"] > report["cold_start"]["macro_f1"]
    assert report["n_train"] == 60 and report["n_test"] == 40 and report["warnings"] == []


def test_cross_validation_and_simulation(files):
    book, train, _ = files
    report = json.loads(run_evaluate(train, None, book, ["food", "waiting"], 3, True, "uncertain", 0, True))
    assert set(report["codes"]) == {"waiting", "food"} and report["folds"] == 3
    curve = report["simulation"]["curve"]
    assert [p["coded"] for p in curve] == list(range(1, 61))
    assert all(0 <= p["exact_share_last20"] <= 1 for p in curve)
    assert curve[-1]["f1_last20"] > 0.8
    assert set(report["simulation"]["after_30"]) >= {"exact_share_next20", "exact_share_rest"}


def test_text_report_is_a_table_with_cold_start_and_curve(files):
    book, train, test = files
    text = run_evaluate(train, test, book, None, None, True, "file", 0, False)
    assert text.startswith(f"trained on {train}, scored on {test}")
    assert "code     precision  recall" in text and "cold F1" in text
    assert "codebook only (cold start): macro-F1" in text
    assert "after 30 coded: exactly right on" in text


def test_a_simulated_study_can_start_from_the_training_file_as_its_reference(files):
    """The first suggestions of a study with a reference come from it, not the codebook alone:
    over the first ten responses they are right more often than a cold start's."""
    book, train, _ = files
    test = write_labelled(Path(train).parent / "first.csv", 12, 2)  # a short study: 12 decisions
    cold = json.loads(run_evaluate(train, test, book, None, None, True, "file", 0, True))
    warm = json.loads(run_evaluate(train, test, book, None, None, True, "file", 0, True, True))
    assert cold["simulation"]["reference"] is None and warm["simulation"]["reference"] == Path(train).name
    assert warm["simulation"]["curve"][9]["f1_last20"] > cold["simulation"]["curve"][9]["f1_last20"]
    from codewell.cli.suggest_cmds import _evaluate_text  # the same report, as text (no third run)

    assert f"(file order, {Path(train).name} as the study's reference)" in _evaluate_text(warm)
    assert "(file order, from the codebook alone)" in _evaluate_text(cold)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"test": None, "cv": None}, CodewellError, "give a TEST file to score on, or --cv K"),
    ({"cv": 5}, CodewellError, "either a TEST file or --cv K, not both"),
    ({"test": None, "cv": 1}, CodewellError, "--cv must be between 2 and the 60 responses"),
    ({"order": "uncertian"}, UnknownNameError, "unknown order 'uncertian'"),
    ({"codes": ["fod"]}, DataFileError, "code 'fod' is not in the codebook"),
    ({"train_as_reference": True}, CodewellError, "--reference simulates a study of TEST"),
    ({"train_as_reference": True, "simulate": True, "test": None, "cv": 3}, CodewellError,
     "give a TEST file and --simulate"),
])
def test_bad_evaluate_input_is_one_clear_error(files, kwargs, error, message):
    book, train, test = files
    args = {"train": train, "test": test, "codebook": book, "codes": None, "cv": None,
            "simulate": False, "order": "file", "seed": 0, "as_json": True, **kwargs}
    with pytest.raises(error, match=message):
        run_evaluate(**args)


def test_missing_code_column_in_the_test_file(files, tmp_path):
    book, train, _ = files
    test = tmp_path / "partial.csv"
    test.write_text("id,response,food\n1,The meal was cold,1\n2,Lovely,0\n", encoding="utf-8")
    report = json.loads(run_evaluate(train, test, book, None, None, False, "file", 0, True))
    assert set(report["codes"]) == {"food"}
    assert report["warnings"] == [f"{test}: no column for code 'waiting'; it is skipped",
                                  f"{test}: no column for code 'anxiety'; it is skipped"]


@pytest.mark.parametrize("study", ["image-sharing", "patient-feedback"])
def test_both_sample_studies_cross_validate_well_above_the_cold_start(study, tmp_path):
    import csv

    # The study's own sample (image-sharing's labelled file also holds later writers, whose
    # thousand-odd extra rows would only make this test slower).
    with (ROOT / "samples" / study / "labelled.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row[0][:2] in ("id", "IS", "PF")]
    path = tmp_path / "sample.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = json.loads(run_evaluate(path, None, ROOT / "codebooks" / f"{study}.yaml", None, 3,
                                     False, "file", 0, True))
    assert report["macro_f1"] > 0.6 and report["cold_start"]["macro_f1"] > 0.5
    assert report["micro_f1"] > report["cold_start"]["micro_f1"]


def test_render_suggestions_text_and_json():
    response = Response("R1", "We waited hours", row=1)
    suggestions = (
        CodeSuggestion("waiting", 0.91, True, (Evidence(3, 9, "waited", "keyword"),), "keyword 'waited'"),
        CodeSuggestion("food", 0.05, False),
    )
    text = render_suggestions([(response, suggestions), (Response("R2", "", row=2), ())], False)
    assert text.splitlines() == ["R1  We waited hours", "  waiting  0.91  keyword 'waited'",
                                 "R2  ", "  (no code suggested)"]
    data = json.loads(render_suggestions([(response, suggestions)], True))
    first = data["responses"][0]
    assert first["id"] == "R1" and first["suggestions"][0]["evidence"] == [
        {"start": 3, "end": 9, "text": "waited", "source": "keyword"}]
    assert first["suggestions"][1] == {"code": "food", "probability": 0.05, "suggested": False,
                                       "tentative": False, "reason": "", "evidence": []}
    assert render_suggestions([], False) == "No responses to suggest codes for."
