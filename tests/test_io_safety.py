"""Formula neutralisation and personal-identifier redaction (codewell.io.safety)."""

from __future__ import annotations

import pytest

from codewell.io.safety import find_pii, neutralise, nhs_number_is_valid, redact


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=1", "\n=1",
                                  "=HYPERLINK(\"http://x\")", "  =1+1", "-A1*2", "+A1",
                                  "-2+3+cmd|' /C calc'!A0", "- see (a)", "@evil"])
def test_formula_like_text_gets_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-5", "+3.5", "-0.25", "1e-3", "plain", "", "a=b", "'=quoted",
                                  "- a bullet", "- improves understanding", "+ more trust",
                                  "+44 20 7946 0958", "-- fine"])
def test_plain_numbers_and_ordinary_text_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell


def test_nhs_check_digit() -> None:
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")  # wrong check digit
    assert not nhs_number_is_valid("943476591")  # too short
    # 6 x 2 = 12, remainder 1, gives check 10, which no valid number can have
    assert not any(nhs_number_is_valid(f"000000006{d}") for d in range(10))


def kinds(text: str, names: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in find_pii(text, names)]


def test_finds_each_kind_of_identifier() -> None:
    text = ("Write to j.doe+clinic@trust.nhs.uk, ring 07700 900123 or +44 (0)20 7946 0958; "
            "NHS no 943 476 5919; seen at LS1 4AP.")
    assert kinds(text) == [
        ("EMAIL", "j.doe+clinic@trust.nhs.uk"), ("PHONE", "07700 900123"),
        ("PHONE", "+44 (0)20 7946 0958"), ("NHS_NUMBER", "943 476 5919"), ("POSTCODE", "LS1 4AP"),
    ]


def test_nhs_numbers_with_a_bad_check_digit_are_not_flagged() -> None:
    assert kinds("ref 943 476 5918 and 9434765918") == []
    assert kinds("ref 943-476-5919") == [("NHS_NUMBER", "943-476-5919")]


def test_ordinary_numbers_are_not_phones_or_postcodes() -> None:
    assert kinds("About 120 of 400 patients, aged 65-70, in 2024; scored 3.5 out of 10") == []


def test_postcodes_ignore_case_but_not_impossible_inward_letters() -> None:
    assert kinds("near sw1a 1aa") == [("POSTCODE", "sw1a 1aa")]
    assert kinds("code AB1 2CI") == []  # C and I never appear in an inward code


def test_names_match_whole_tokens_case_insensitively() -> None:
    text = "Dr Ann Smith's patient met ANN SMITH; the Annual review."
    assert kinds(text, ("Ann Smith",)) == [("NAME", "Ann Smith"), ("NAME", "ANN SMITH")]
    assert kinds(text, ("", "  ")) == []


def test_email_wins_over_a_name_inside_it() -> None:
    assert kinds("mail ann@x.org", ("ann",)) == [("EMAIL", "ann@x.org")]


def test_redact_masks_each_match_with_its_kind() -> None:
    text = "Call 07700 900123 about 9434765919, Ann."
    masked = redact(text, find_pii(text, ("Ann",)))
    assert masked == "Call [PHONE] about [NHS_NUMBER], [NAME]."


def test_positions_count_code_points() -> None:
    text = "😊 café: ann@x.org"
    (match,) = find_pii(text)
    assert text[match.start:match.end] == "ann@x.org"


def test_names_are_still_found_after_the_text_pipeline_starts_a_fresh_vocabulary(monkeypatch) -> None:
    """The shared spaCy pipeline starts a new vocabulary when a long run fills it: a name
    matcher built on the old one must not be used with the new one's documents."""
    import importlib

    module = importlib.import_module("codewell.text.pipeline")
    pipe = module.pipeline()
    assert kinds("Ring Ann Smith today", ("Ann Smith",)) == [("NAME", "Ann Smith")]
    old = pipe.nlp
    monkeypatch.setattr(module, "MAX_LEXEMES", 0)
    with pipe.lock:
        pipe.bound_vocabulary()
    assert pipe.nlp is not old
    assert kinds("Ring ann smith today, not Annual Smithers", ("Ann Smith",)) == [("NAME", "ann smith")]
    assert kinds("the Annual report", ("Ann Smith",)) == []
