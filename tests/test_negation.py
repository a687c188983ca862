"""Negation as the codebook's conventions need it, with the issue's own examples both ways.

Scope rules are checked on the text pipeline; what a negation means for each code is checked on
the image-sharing codebook's keywords (a negative keyword such as "cannot interpret" is evidence
FOR interpretation difficulty) and on the codebook-only suggester, so a denied risk is not coded,
an acknowledged one is, and the evidence shown reads as a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codewell.codebook import load_codebook
from codewell.suggest.features import sentences, span
from codewell.suggest.prior import CodebookPrior, vocabulary_of
from codewell.text import analyse, negation_scope

BOOK = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml")
STUDY = vocabulary_of(BOOK)


@pytest.fixture(scope="module")
def prior() -> CodebookPrior:
    return CodebookPrior(BOOK)


def negated(text: str) -> set[str]:
    a = analyse(text, STUDY)
    return {a.norms[i] for i in range(len(a)) if a.negated[i] and a.words[i]}


def hits(prior: CodebookPrior, text: str) -> dict[str, list[str]]:
    """Per code, the matched text of keyword matches that count for it."""
    found: dict[str, list[str]] = {}
    for m in prior.view([analyse(text, STUDY)]).matches[0]:
        if not m.negated:
            found.setdefault(m.code, []).append(text[m.start:m.end])
    return found


@pytest.mark.parametrize(("text", "denied", "kept"), [
    ("they can't interpret it and they panic", {"interpret"}, {"panic"}),
    ("Patients seldom misread the images", {"misread", "image"}, set()),
    ("In my experience patients rarely get anxious", {"patient", "anxious"}, set()),
    ("Anxiety rarely occurs", {"anxiety"}, set()),
    ("Anxiety is rare but real", set(), {"anxiety"}),
    ("Anxiety is unlikely, but it can happen", set(), {"anxiety"}),
    ("Anxiety is rare, and patients understand", {"anxiety"}, {"understand"}),
    ("Seeing a picture of my own scan would not scare me off", {"scare"}, set()),
    ("If they can't interpret it they panic", {"interpret"}, {"panic"}),
    ("When pts don't understand the image they worry", {"understand", "image"}, {"worry"}),
    ("If they don't know what they are looking at, it is useless", {"know", "look"}, set()),
    ("They don't think it helps", {"think", "help"}, set()),
])
def test_scope_follows_the_clause(text, denied, kept):
    found = negated(text)
    assert denied <= found
    assert not (kept & found)


@pytest.mark.parametrize(("text", "code", "shown"), [
    ("Cannot interpret them without help, simple as that.", "interpretation_difficulty",
     "Cannot interpret"),
    ("If they can't interpret it they panic.", "interpretation_difficulty", "can't interpret"),
    ("Patients couldn't make sense of the grey shapes", "interpretation_difficulty",
     "couldn't make sense"),
    ("It didn't really mean a lot to me, just shapes.", "interpretation_difficulty",
     "didn't really mean"),
    ("They won't understand what they see", "interpretation_difficulty", "won't understand"),
])
def test_a_negated_ability_is_evidence_for_the_difficulty(prior, text, code, shown):
    assert shown in hits(prior, text).get(code, [])


@pytest.mark.parametrize(("text", "code"), [
    ("It didn't really mean a lot to me when they showed me.", "understanding"),
    ("They won't understand what they see", "understanding"),
    ("Seeing a picture of my own scan would not scare me off.", "anxiety"),
    ("In my experience patients rarely get anxious.", "anxiety"),
    ("I don't think it causes anxiety.", "anxiety"),
])
def test_a_denied_code_has_no_keyword_for_it(prior, text, code):
    assert code not in hits(prior, text)


def test_an_acknowledged_risk_keeps_its_keyword(prior):
    assert set(hits(prior, "Anxiety is rare but real, especially waiting on a result.")["anxiety"]) == {
        "Anxiety"}


def test_denial_of_a_denial_is_not_a_difficulty(prior):
    """"I don't think patients misread them" denies the risk: no affirmed keyword for it."""
    assert "interpretation_difficulty" not in hits(prior, "I don't think patients misread them.")


def test_codebook_only_suggestions_follow_negation_both_ways():
    from codewell.suggest import FittedModel

    model = FittedModel(BOOK)
    cases = {
        "Cannot interpret them without help.": ("interpretation_difficulty", True),
        "Anxiety is rare but real.": ("anxiety", True),
        "Seeing my scan would not scare me off.": ("anxiety", False),
        "It didn't really mean a lot to me.": ("understanding", False),
    }
    got = model.suggest_many(list(cases))
    for (text, (code, expected)), row in zip(cases.items(), got, strict=True):
        suggestion = next(s for s in row if s.code == code)
        assert suggestion.suggested is expected, (text, suggestion)
    difficulty = next(s for s in got[0] if s.code == "interpretation_difficulty")
    assert [e.text for e in difficulty.evidence] == ["Cannot interpret"]


WORDS = ["not", "no", "never", "rarely", "seldom", "rare", "but", "real", "and", "they", "could",
         "without", "anxiety", "scare", "interpret", "issue", "can", "n't", ",", ".", "overstated",
         "patient", "panic", "do", "happen", "though", "only", "doubt"]


@given(st.lists(st.sampled_from(WORDS), max_size=30))
@settings(max_examples=200, deadline=None)
def test_scope_is_always_a_cue_index_or_none(norms):
    """Whatever the words, every token is governed by a real cue other than itself, or by none."""
    words = [w not in {",", "."} for w in norms]
    scope = negation_scope(norms, words)
    assert len(scope) == len(norms)
    for j, cue in enumerate(scope):
        assert cue == -1 or (0 <= cue < len(norms) and cue != j)


@given(st.lists(st.sampled_from(["It helps", "they panic", "not really", "ok", "!", "?", ".", "\n"]),
                max_size=20))
@settings(max_examples=100, deadline=None)
def test_sentences_cover_every_token_once_in_order(pieces):
    text = " ".join(pieces)
    a = analyse(text, STUDY)
    parts = sentences(a)
    if parts:
        assert sum(len(p) for p in parts) == len(a)
        assert [s for p in parts for s in p.starts] == list(a.starts)
        assert all(span(p)[0] < span(q)[0] for p, q in zip(parts, parts[1:]))
