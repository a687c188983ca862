"""Batch scoring (``codewell suggest -o``): the same probabilities as the model's own straightforward
path, on the bundled samples, whether scored here or in a worker process, in chunks, in order."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codewell.values import Response

ROOT = Path(__file__).resolve().parents[1]


def _labelled(path: Path) -> tuple[list[str], list[frozenset[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = [c for c in rows[0] if c not in ("id", "response")]
    return [r["response"] for r in rows], [frozenset(c for c in codes if r[c] == "1") for r in rows]


@pytest.fixture(scope="module")
def trained():
    """A model trained on part of the image-sharing sample (the codebook's own study)."""
    from codewell.codebook import load_codebook
    from codewell.suggest import fit_model

    book = load_codebook(ROOT / "codebooks" / "image-sharing.yaml")
    texts, labels = _labelled(ROOT / "samples" / "image-sharing" / "labelled.csv")
    return fit_model(book, texts[:240], labels[:240])  # enough for a model of every code


def _sample_texts() -> list[str]:
    """Every bundled response, plus repeats, blanks and a non-answer, as a survey has them."""
    texts = _labelled(ROOT / "samples" / "image-sharing" / "heldout-writer4.csv")[0]
    texts += _labelled(ROOT / "samples" / "patient-feedback" / "labelled.csv")[0]
    return [*texts[:40], "n/a", "   ", texts[3], *texts[40:], texts[0], ""]


def _check(scored, model, texts) -> None:
    """``scored`` holds ``texts`` in order with the probabilities the model's own path gives."""
    assert [r.text for s in scored for r in s.responses] == texts
    expected, thresholds = model.probabilities(texts)
    np.testing.assert_allclose(np.vstack([s.probabilities for s in scored]), expected, rtol=0, atol=1e-12)
    chosen = np.vstack([s.suggested for s in scored])
    assert (chosen == ((expected >= thresholds) & (expected > 0))).all()
    assert not chosen[texts.index("")].any() and expected[texts.index("   ")].max() == 0.0


def _chunks(texts: list[str], size: int) -> list[list[Response]]:
    responses = [Response(f"r{i}", t, row=i + 1) for i, t in enumerate(texts)]
    return [responses[i:i + size] for i in range(0, len(responses), size)]


def test_batches_scored_here_match_the_model(trained) -> None:
    from codewell.suggest.batch import BatchScorer

    texts = _sample_texts()
    with BatchScorer(0) as scorer:
        _check(list(scorer.score(trained, iter(_chunks(texts, 37)))), trained, texts)


def test_batches_scored_by_a_worker_match_the_model_and_a_new_model_reaches_it(trained, codebook) -> None:
    from codewell.suggest import FittedModel
    from codewell.suggest.batch import BatchScorer

    texts = _sample_texts()
    cold = FittedModel(codebook)
    with BatchScorer(1) as scorer:
        _check(list(scorer.score(trained, iter(_chunks(texts, 37)))), trained, texts)
        _check(list(scorer.score(cold, _chunks(texts, 100))), cold, texts)


# -- the text pipeline: runs cut once and reused give exactly what spaCy gives on the whole text --
def _plain(text: str, vocabulary):
    """The straightforward reading: spaCy's tokenizer on the whole lower-cased text, then each
    token's norm (spans, norms, words), as the pipeline did before it memoised runs."""
    from codewell.text.pipeline import SHORTHAND, _lower_same_length, pipeline

    pipe = pipeline()
    starts, ends, norms, words = [], [], [], []
    for token in pipe.nlp.tokenizer(_lower_same_length(text)):
        if token.is_space:
            continue
        form, idx = token.text, token.idx
        norm = SHORTHAND.get(form) or pipe.lemma_table.get(form, form)
        word = any(ch.isalnum() for ch in form)
        if form == "-" and token.whitespace_:
            norm = "—"
        elif vocabulary and word:
            expanded = vocabulary.expand(text[idx:idx + len(form)], form)
            norm = vocabulary.prefer(pipe.lemma(expanded) if expanded else norm)
        starts.append(idx)
        ends.append(idx + len(form))
        norms.append(norm)
        words.append(word)
    return tuple(starts), tuple(ends), tuple(norms), tuple(words)


def _read(analysis):
    return analysis.starts, analysis.ends, analysis.norms, analysis.words


@pytest.fixture(scope="module")
def study_vocabulary():
    from codewell.codebook import load_codebook
    from codewell.suggest.prior import vocabulary_of

    return vocabulary_of(load_codebook(ROOT / "codebooks" / "image-sharing.yaml"))


def test_the_samples_read_as_spacy_reads_them_whole(study_vocabulary) -> None:
    from codewell.text import NO_VOCABULARY, analyse_many

    texts = _sample_texts() + _labelled(ROOT / "samples" / "image-sharing" / "labelled.csv")[0]
    for vocabulary in (study_vocabulary, NO_VOCABULARY):
        for text, analysis in zip(texts, analyse_many(texts, vocabulary), strict=True):
            assert _read(analysis) == _plain(text, vocabulary), text


# Pieces that stress the tokenizer: special cases, shorthand matched as written or in any case,
# affixes, dashes, contractions, odd whitespace and letters whose lower case is longer.
PIECES = ["US", "us", "Us", "pt's", "PTS", "f/u", "F/U", "u/s", "b/c", "w/o", "w/", "can't", "won't",
          "didn't", "e.g.", "etc.", "a.m.", ":)", "(", ")", "-", "--", "—", "...", "…", "'", '"', "?!",
          "x-ray", "X-rays", "scans", "MRI's", "dr.", "Dr", "GP's", "İstanbul", "ΟΔΟΣ", "naïve",
          "12", "3.5", "50%", "co-op", "e-mail", "😀", "U.S.", "N/A", "it's", "patients'",
          "anxeity", "undrestand", "interpret", "worry", ".", ",", ":", "a", "m", "e", "g", "o", "/"]
SEPARATORS = ["", " ", "  ", "\n", "\t", " \n ", "\u00a0", "\u2009"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=14),
       st.sampled_from(SEPARATORS))
def test_any_text_reads_as_spacy_reads_it_whole(study_vocabulary, parts, lead) -> None:
    from codewell.text import NO_VOCABULARY, analyse_many

    text = lead + "".join(piece + sep for piece, sep in parts)
    for vocabulary in (study_vocabulary, NO_VOCABULARY):
        assert _read(analyse_many([text], vocabulary)[0]) == _plain(text, vocabulary), repr(text)


# -- the facade: the unfinished responses, a page at a time, never the whole project -----------
def test_the_facade_streams_unfinished_responses_without_loading_them_all(sample_project) -> None:
    from codewell.project import Project

    sample_project.import_codings(ROOT / "samples" / "image-sharing" / "codings.csv")
    finished = sample_project.finished("ana")
    seen: dict[str, object] = {}

    def write(codes, count, chunks):
        seen.update(codes=codes, count=count, chunks=[[r.id for r in c.responses] for c in chunks])
        return "written"

    with Project.open(sample_project.location) as fresh:
        assert fresh.batch_suggestions("ana", write, limit=150, workers=0) == "written"
        assert fresh._responses is None  # the facade never read every response at once
    expected = [r.id for r in sample_project.responses() if r.id not in finished and not r.is_empty][:150]
    assert seen["count"] == 150 and [i for c in seen["chunks"] for i in c] == expected
    assert seen["codes"] == sample_project.codebook.ids
