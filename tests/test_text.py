"""The text pipeline: lemmas, shorthand, sentences, negation scope and typo-tolerant matching."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from codewell.codebook import load_codebook
from codewell.text import PhraseIndex, analyse, analyse_many, vocabulary


def negated_words(text: str) -> set[str]:
    a = analyse(text)
    return {a.norms[i] for i in range(len(a)) if a.negated[i] and a.words[i]}


def test_lemmas_are_lower_case_and_offsets_point_into_the_original():
    text = "Patients Understood their Scans."
    a = analyse(text)
    assert a.norms[:4] == ("patient", "understand", "their", "scan")
    assert [text[s:e] for s, e in zip(a.starts, a.ends, strict=True)][:4] == [
        "Patients", "Understood", "their", "Scans"]


def test_offsets_survive_characters_whose_lower_case_is_longer():
    text = "İstanbul pts were worried."
    a = analyse(text)
    assert text[a.starts[-2]:a.ends[-2]] == "worried"
    assert a.norms[-2] == "worry"


IMAGING = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml")
STUDY = vocabulary(IMAGING.abbreviations, IMAGING.synonyms)


@pytest.mark.parametrize(("text", "norm"), [
    ("pts", "patient"), ("pt", "patient"), ("dx", "diagnosis"), ("tx", "treatment"),
    ("f/u", "follow-up"), ("XR", "image"), ("Pts", "patient"),  # XR -> x-ray, a synonym of image
])
def test_the_codebooks_shorthand_is_read_as_the_word(text, norm):
    assert analyse(f"the {text} thing", STUDY).norms[1] == norm


@pytest.mark.parametrize(("text", "norm"), [("w/o", "without"), ("b/c", "because"), ("ppl", "people")])
def test_everyday_shorthand_needs_no_codebook(text, norm):
    assert analyse(f"the {text} thing").norms[1] == norm


def test_domain_shorthand_is_not_built_in():
    """Without the imaging codebook, "US" is the country and "pt" is just "pt"."""
    assert analyse("an US scan").norms[1] == "us"
    assert analyse("the pt thing").norms[1] == "pt"


def test_us_is_ultrasound_only_in_capitals():
    assert analyse("an US scan", STUDY).norms[1] == "ultrasound"
    assert analyse("tell us more", STUDY).norms[1] == "us"


def test_synonyms_read_words_as_the_preferred_word_in_keywords_and_texts():
    study = vocabulary((), [("scan", "image"), ("picture", "image")])
    assert analyse("they saw the scans and pictures", study).norms[3:6] == ("image", "and", "image")
    index = PhraseIndex([("seeing", "see the image")], study)
    assert [(m.code, m.phrase) for m in index.match(analyse("Let them see the scan", study))] == [
        ("seeing", "see the image")]


def test_analyses_are_cached_per_vocabulary():
    assert analyse("pts", STUDY).norms == ("patient",)
    assert analyse("pts").norms == ("pt",)


def test_sentences_are_character_spans():
    text = "They understood. Then they panicked!"
    a = analyse(text)
    assert [text[s:e] for s, e in a.sentences] == ["They understood.", "Then they panicked!"]
    assert a.sentence_of(text.index("panicked")) == a.sentences[1]


@pytest.mark.parametrize("text", [
    "I don't think it causes anxiety.",
    "I do not think it causes anxiety",
    "It will never cause anxiety",
    "I dont think it causes anxiety",
    "There is no anxiety in my experience",
    "Shared without anxiety for most people",
    "Anxiety is not really an issue",
    "Anxiety is unlikely",
    "Fears of anxiety are overstated",
])
def test_negation_covers_denied_risks(text):
    assert "anxiety" in negated_words(text)


@pytest.mark.parametrize("text", [
    "It can cause anxiety but that is manageable",
    "Not sure about the rest, but it causes anxiety",
    "Not only does it help, it causes anxiety too",
    "No doubt it causes anxiety",
    "Some anxiety, though that is not a big problem",
])
def test_negation_stops_at_the_clause_end_and_ignores_pseudo_negation(text):
    assert "anxiety" not in negated_words(text)


def test_negation_scope_stops_at_punctuation():
    assert negated_words("Not in clinic, they worry.") == {"in", "clinic"}


@pytest.fixture(scope="module")
def index() -> PhraseIndex:
    return PhraseIndex([("anxiety", "anxiety"), ("anxiety", "worried"),
                        ("understanding", "understand"), ("understanding", "make sense"),
                        ("misreading", "misinterpret")])


def spans(index: PhraseIndex, text: str) -> list[tuple[str, str, bool]]:
    return [(m.code, text[m.start:m.end], m.negated) for m in index.match(analyse(text))]


def test_typos_still_match_and_spans_are_the_typed_words(index):
    text = "It helps them undrestand and reduces anxeity"
    assert spans(index, text) == [("understanding", "undrestand", False),
                                  ("anxiety", "anxeity", False)]


def test_known_words_are_not_corrected_into_keywords(index):
    assert spans(index, "The understudy was anxious about the variety") == []


def test_phrases_match_on_lemmas_and_word_endings(index):
    text = "It made sense to them; some misinterpretation; they were Worried."
    assert spans(index, text) == [("understanding", "made sense", False),
                                  ("misreading", "misinterpretation", False),
                                  ("anxiety", "Worried", False)]


def test_matches_inside_a_negation_are_flagged(index):
    assert spans(index, "Patients will not understand it") == [("understanding", "understand", True)]


def test_empty_and_punctuation_only_texts_have_no_words(index):
    for text in ("", "   ", "?!"):
        a = analyse(text)
        assert not any(a.words)
        assert index.match(a) == []


def test_analyse_many_keeps_order_duplicates_and_is_thread_safe():
    texts = [f"response {i} about worry" for i in range(200)] * 2
    results: list[list] = []

    def work() -> None:
        results.append(analyse_many(texts))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for batch in results:
        assert [a.text for a in batch] == texts


@pytest.mark.parametrize(("text", "shown"), [
    # a word of loss or failure between the cue and the keyword's words denies the denial
    ("I didn't lose any sleep over it.", []),
    ("Honestly, they never failed to understand the pictures.", []),
    # any other word between them leaves the keyword governed by its cue
    ("I didn't get any sleep that night.", [("sleep", "didn't get any sleep")]),
    ("I couldn't sleep after seeing it.", [("sleep", "couldn't sleep")]),
    ("Not sure patients would understand.", [("difficulty", "Not sure patients would understand")]),
    ("They never once missed a dose.", [("adherence", "never once missed")]),
])
def test_a_negative_keyword_matches_a_single_denial_only(text, shown):
    index = PhraseIndex([("sleep", "not sleep"), ("difficulty", "not understand"),
                         ("adherence", "never miss")])
    found = [(m.code, text[m.start:m.end]) for m in index.match(analyse(text))]
    assert found == shown
    assert all(m.negative for m in index.match(analyse(text)))
