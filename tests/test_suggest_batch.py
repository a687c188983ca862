"""Batch scoring (``codewell suggest -o``): the same probabilities as the model's own straightforward
path, on the bundled samples, whether scored here or in a worker process, in chunks, in order."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codewell.values import Response

ROOT = Path(__file__).resolve().parents[1]


def _labelled(path: Path, prefix: str = "") -> tuple[list[str], list[frozenset[str]]]:
    """Texts and label sets of a labelled file, only the ids that start with ``prefix``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["id"].startswith(prefix)]
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
    texts = _labelled(ROOT / "samples" / "image-sharing" / "labelled.csv", "HW4-")[0]
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


def test_scoring_processes_read_ahead_while_the_model_trains_and_score_it_when_it_comes(trained) -> None:
    """Every chunk is handed out before the model exists (it is still training); the results
    are the model's own, in order."""
    from codewell.suggest.batch import AHEAD, BatchScorer

    texts = _sample_texts()
    chunks = _chunks(texts, 25)
    assert len(chunks) <= 2 * AHEAD
    taken = []

    def handed_out():
        for chunk in chunks:
            taken.append(chunk)
            yield chunk

    def model():
        assert len(taken) == len(chunks)  # asked for only once every chunk was handed out
        return trained

    with BatchScorer(2) as scorer:
        _check(list(scorer.score(model, handed_out(), codebook=trained.codebook, ready=lambda: False)),
               trained, texts)


def test_a_run_left_half_way_does_not_leak_into_the_next(trained, codebook) -> None:
    """A caller may stop reading mid-run (the write failed) and run again on the same processes:
    results still in flight from the first run are dropped, not taken for the second's."""
    from codewell.suggest import FittedModel
    from codewell.suggest.batch import BatchScorer

    texts = _sample_texts()
    with BatchScorer(1) as scorer:
        first = scorer.score(FittedModel(codebook), iter(_chunks(texts, 10)))
        next(first)
        first.close()
        _check(list(scorer.score(trained, iter(_chunks(texts, 37)))), trained, texts)


def test_a_killed_scoring_process_is_one_clear_error(trained) -> None:
    import os
    import signal

    from codewell.errors import ModelError
    from codewell.suggest.batch import BatchScorer

    with BatchScorer(1) as scorer:
        (pid,) = scorer.pids
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ModelError, match="stopped unexpectedly; nothing was written"):
            list(scorer.score(trained, iter(_chunks(_sample_texts(), 37))))


def test_processes_that_train_and_score_never_load_scikit_learn(trained, tmp_path) -> None:
    """Loading scikit-learn costs a process two seconds of CPU; neither training (on a few
    hundred answers, the dual fit) nor scoring needs it."""
    import subprocess
    import sys

    (tmp_path / "model.pickle").write_bytes(pickle.dumps(trained))
    script = ("import pickle, sys; from codewell.suggest.batch import score_texts; "
              f"model = pickle.loads(open({str(tmp_path / 'model.pickle')!r}, 'rb').read()); "
              "p, _ = score_texts(model, ['They cannot interpret the scan. It made me anxious.']); "
              "print(sorted(m for m in ('sklearn', 'pandas') if m in sys.modules), p.shape); "
              "from codewell.suggest import fit_model; "
              "texts = ['I could not read the scan at all.', 'Seeing it made me anxious.'] * 20; "
              "fit_model(model.codebook, texts, [frozenset({'interpretation_difficulty'}), "
              "frozenset({'anxiety'})] * 20); "
              "print(sorted(m for m in ('sklearn', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "(1,", f"{len(trained.codebook.ids)})", "[]"]


# -- rows: a batch read from token arrays is each text and sentence read alone, plainly ---------
def _plain_cuts(analysis) -> list[tuple[int, int]]:
    """Sentences as the straightforward per-token loop cuts them (end punctuation, a line break,
    at least three words; a short tail joins the sentence before it); [] for one sentence."""
    n, cuts, start, words = len(analysis), [], 0, 0
    for i in range(n):
        words += analysis.words[i]
        if (analysis.norms[i] in {".", "!", "?", "...", "…"} or (
                i + 1 < n and "\n" in analysis.text[analysis.ends[i]:analysis.starts[i + 1]])) and words >= 3:
            cuts.append((start, i + 1))
            start, words = i + 1, 0
    if start < n:
        cuts[-1:] = [(cuts[-1][0], n)] if cuts and words < 3 else [*cuts[-1:], (start, n)]
    return cuts if len(cuts) >= 2 else []


def _plain_matches(index, analysis):
    """Keyword matches by walking one analysis's words, as the phrase index did before rows."""
    from codewell.text import PhraseMatch
    from codewell.text.keywords import _AUXILIARIES

    word_idx = [i for i, w in enumerate(analysis.words) if w]
    canon = [index.canonical(analysis.norms[i]) for i in word_idx]
    found = []
    for pos in range(len(canon)):
        for first, entries in index._first.items():
            if canon[pos] != index._words[first]:
                continue
            for code, phrase, seq, negative in entries:
                if canon[pos:pos + len(seq)] != [index._words[w] for w in seq]:
                    continue
                toks = word_idx[pos:pos + len(seq)]
                cues = {analysis.scope[t] for t in toks}
                start, end = analysis.starts[toks[0]], analysis.ends[toks[-1]]
                if not negative:
                    found.append(PhraseMatch(code, phrase, start, end, any(c >= 0 for c in cues)))
                elif len(cues) == 1 and (cue := cues.pop()) >= 0:
                    glued = cue > 0 and analysis.norms[cue - 1] in _AUXILIARIES and (
                        analysis.ends[cue - 1] == analysis.starts[cue] or (
                            analysis.norms[cue] == "not" and analysis.ends[cue - 1] + 1 >= analysis.starts[cue]))
                    found.append(PhraseMatch(code, phrase, analysis.starts[cue - 1 if glued else cue], end,
                                             analysis.scope[cue] >= 0, negative=True))
    return found


def _plain_prior(prior, prior_codes, analyses):
    """The prior's features and probabilities computed one analysis at a time, with scikit-learn's
    own vectorizer for the profile similarity and the affect module's own functions."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from codewell.suggest import prior as module
    from codewell.text import analyse_many
    from codewell.text.affect import affect_features, strong_words

    k = len(prior.codes)
    matches = [_plain_matches(prior._index, a) for a in analyses]
    hits, denied = np.zeros((len(analyses), k)), np.zeros((len(analyses), k))
    for i, found in enumerate(matches):
        for flag, counts in ((False, hits), (True, denied)):
            for code, _ in {(m.code, m.phrase) for m in found if m.negated == flag}:
                counts[i, prior.codes.index(code)] += 1
    profiles = TfidfVectorizer(analyzer=module.content_lemmas, sublinear_tf=True)
    profile_rows = profiles.fit_transform(analyse_many([module._profile_text(c) for c in prior_codes],
                                                       prior.vocabulary))
    similarity = (profiles.transform(list(analyses)) @ profile_rows.T).toarray()
    feelings = np.array([sum(1 for i in strong_words(a) if not any(m.start <= a.starts[i] < m.end for m in found))
                         for a, found in zip(analyses, matches)])
    features = np.empty((len(analyses), 3 * k))
    features[:, 0::3], features[:, 1::3], features[:, 2::3] = np.log1p(hits), np.log1p(denied), similarity
    features = np.hstack([features, [affect_features(a) for a in analyses]])
    score = (module._BIAS + module._PER_KEYWORD * np.minimum(hits, module._MAX_KEYWORDS)
             + module._PER_SIMILARITY * similarity + module._PER_AFFECT
             * np.minimum(feelings, module._MAX_KEYWORDS)[:, None] * prior._affective)
    probabilities = 1 / (1 + np.exp(-score))
    probabilities[[not any(a.words) for a in analyses]] = 0.0
    return features, probabilities, matches


def test_rows_read_every_text_and_sentence_as_each_alone(trained) -> None:
    """The prior and the featurizer on a batch of token rows (texts, then their sentences) give
    what the plain per-analysis computations give on each text and each sentence as an analysis
    of its own: scikit-learn's vectorizers, the affect module, a walk over each text's words."""
    from scipy import sparse

    from codewell.suggest.features import CHAR_WEIGHT, _slice, char_words
    from codewell.text.rows import TokenRows

    texts = _sample_texts()[:150] + [
        "They can't interpret it.\nThey panic and feel awful about it. Anxiety is rare but real!",
        "Not scary at all; it didn't really mean a lot to me. I was terrified, honestly, and anxeity.",
    ]
    analyses = trained._analyse(texts)
    rows = TokenRows(analyses, sentences=True)
    cuts = [(i, a, b) for i, analysis in enumerate(analyses) for a, b in _plain_cuts(analysis)]
    parts = [_slice(analyses[i], a, b) for i, a, b in cuts]
    assert rows.owner == [i for i, _, _ in cuts] and len(parts) > 100
    assert rows.spans == [(p.starts[0], p.ends[-1]) for p in parts]
    everything = [*analyses, *parts]
    view = trained.prior.view(rows)
    features, probabilities, matches = _plain_prior(trained.prior, trained.codebook.codes, everything)
    assert view.matches == matches and any(m.negative for found in matches for m in found)
    np.testing.assert_allclose(view.features, features, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(view.probabilities, probabilities, rtol=1e-13, atol=1e-15)
    featurizer = trained.trained.featurizer
    chars = featurizer.chars
    words = sorted({w for a in everything for w in char_words(a)})
    index = {w: i for i, w in enumerate(words)}
    plain_chars = chars._weigh(chars._counts(
        np.array([index[w] for a in everything for w in char_words(a)], dtype=np.int64),
        np.array([len(char_words(a)) for a in everything]), [chars._word_columns(w) for w in words]))
    plain_words = _vectorizer(featurizer, everything).transform(everything)
    plain = sparse.hstack([plain_words, plain_chars * CHAR_WEIGHT, view.features])
    assert abs(featurizer.transform(rows, view.features) - plain).max() < 1e-13
    shipped = pickle.loads(pickle.dumps(featurizer))  # as a worker gets it: no per-norm lookups
    assert "_grams" not in shipped.__dict__
    assert abs(shipped.transform(rows, view.features) - plain).max() < 1e-13


def _vectorizer(featurizer, texts):
    """scikit-learn's own word vectorizer with the featurizer's vocabulary and IDF, or (no
    featurizer) fitted on ``texts`` with the featurizer's rule for ``min_df``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from codewell.suggest.features import WORD_MIN_DF, WORD_MIN_DF_FROM, word_ngrams

    if featurizer is None:
        least = WORD_MIN_DF if len(texts) >= WORD_MIN_DF_FROM else 1
        return TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=least).fit(texts)
    vectorizer = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True,
                                 vocabulary=featurizer.word_vocabulary).fit(texts)
    vectorizer.idf_ = featurizer.word_idf
    return vectorizer


@pytest.mark.parametrize("size", [40, 400])
def test_the_word_block_learns_what_scikit_learns_vectorizer_learns(trained, size) -> None:
    """Vocabulary, IDF and matrix exactly as ``TfidfVectorizer`` fits them (below and above the
    size where an n-gram must be in two texts), without loading it where training runs."""
    from codewell.suggest.features import Featurizer

    analyses = trained._analyse(_sample_texts()[:size])
    prior = trained.prior.view(analyses).features
    featurizer = Featurizer()
    ours = featurizer.fit_transform(analyses, prior)
    theirs = _vectorizer(None, analyses)
    assert featurizer.word_vocabulary == theirs.vocabulary_
    assert featurizer.word_names == tuple(theirs.get_feature_names_out())
    assert np.array_equal(featurizer.word_idf, theirs.idf_)
    words = ours[:, :len(theirs.vocabulary_)]
    assert (words != theirs.transform(analyses)).nnz == 0


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

    # every other answer of every writer: their shapes (shorthand, lists, translated idiom), half
    # the tokenizing
    texts = _sample_texts() + _labelled(ROOT / "samples" / "image-sharing" / "labelled.csv")[0][::2]
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


@pytest.mark.parametrize("text", ["( :)x-rays", ":)x-rays", "pt's\n:)u/s", ") :)gp's", ":)a/ f /u"])
def test_a_special_case_tried_across_a_space_reads_as_spacy_reads_it(study_vocabulary, text) -> None:
    """spaCy's special-case matcher also tries "(:" across the space in "( :)x", which keeps ":)"
    from applying there, though ":)x" alone reads ":)": a run's tokens can depend on the run
    before it, whichever texts are read in the same batch (found by the property test above)."""
    from codewell.text import NO_VOCABULARY, analyse_many

    batch = [text, "( " + text, text + " (", "x ( " + text, ": " + text]
    for vocabulary in (study_vocabulary, NO_VOCABULARY):
        for each, analysis in zip(batch, analyse_many(batch, vocabulary), strict=True):
            assert _read(analysis) == _plain(each, vocabulary), repr(each)


def test_spacy_starts_a_fresh_vocabulary_when_it_grows_and_reads_the_same(study_vocabulary,
                                                                          monkeypatch) -> None:
    """A long run's typos and names would stay in spaCy's vocabulary for ever: past a bound it
    starts again, and texts read exactly as before."""
    import importlib

    import spacy

    from codewell.text import analyse_many

    module = importlib.import_module("codewell.text.pipeline")
    pipe = module.pipeline()
    monkeypatch.setattr(module, "MAX_LEXEMES", len(pipe.nlp.vocab) + 40)
    first = pipe.nlp
    texts = [f"{text} zq{i}xv-{i}qk" for i, text in enumerate(_sample_texts()[:120])]
    for start in range(0, len(texts), 20):
        for text, analysis in zip(texts[start:start + 20], analyse_many(texts[start:start + 20],
                                                                        study_vocabulary)):
            assert _read(analysis) == _plain(text, study_vocabulary), text
    assert pipe.nlp is not first and len(pipe.nlp.vocab) <= module.MAX_LEXEMES + 200
    spacy_itself = spacy.blank("en")  # every word attribute, for its sentencizer to read
    spacy_itself.add_pipe("sentencizer")
    for text in texts[:40]:
        assert pipe.sentences(text) == tuple((s.start_char, s.end_char)
                                             for s in spacy_itself(module._lower_same_length(text)).sents)


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
