"""Codebook files: the shipped ones load, and each kind of mistake names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.codebook import codebook_from_json, codebook_to_json, load_codebook, parse_codebook
from codewell.errors import CodebookError

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
title: T
codes:
  - id: alpha
    label: Alpha
    keywords: [a, b]
    children:
      - id: alpha_one
        label: Alpha one
  - id: beta
    label: Beta
"""


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "codebooks").glob("*.yaml")))
def test_shipped_codebooks_load(name: str) -> None:
    cb = load_codebook(ROOT / "codebooks" / name)
    assert len(cb.codes) >= 5
    assert all(code.definition and code.keywords and code.examples for code in cb.codes)
    assert codebook_from_json(codebook_to_json(cb)) == cb


def test_image_sharing_has_the_study_codes_and_more() -> None:
    cb = load_codebook(ROOT / "codebooks" / "image-sharing.yaml")
    assert cb.ids[:5] == ("understanding", "communication", "adherence", "interpretation_difficulty", "anxiety")
    assert len(cb.ids) >= 8
    assert any("supervised" in note for note in cb.get("interpretation_difficulty").exclude)


def test_children_follow_their_parent() -> None:
    cb = parse_codebook(GOOD)
    assert cb.ids == ("alpha", "alpha_one", "beta")
    assert cb.get("alpha_one").parent == "alpha"
    assert cb.children("alpha") == (cb.get("alpha_one"),)
    assert cb.get("alpha").keywords == ("a", "b")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: T\ncodes:\n  - id: a\n    label: A\n    lable: x\n", "line 5: unknown key 'lable' in a code (did you mean 'label'?)"),
        ("title: T\ncodes:\n  - id: a\n    label: A\n  - id: a\n    label: B\n", "line 5: duplicate code id 'a' (first on line 3)"),
        ("title: T\ncodes:\n  - id: a\n", "line 3: code 'a' has no 'label'"),
        ("title: T\ncodes:\n  - id: a\n    label: [A\n", "not valid YAML"),
        ("title: T\ncodes:\n  - id: Bad Id\n    label: A\n", "line 3: code id 'Bad Id' must be snake_case (try 'bad_id')"),
        ("codes:\n  - id: a\n    label: A\n", "line 1: the codebook has no 'title'"),
        ("title: T\ncodes: []\n", "the codebook has no codes"),
        ("title: T\ncodez: []\n", "line 2: unknown key 'codez' in the codebook (did you mean 'codes'?)"),
        ("- just\n- a list\n", "a codebook is a mapping"),
        ("title: T\ncodes:\n  - id: a\n    label: A\n    colour: red\n", "line 5: colour 'red' of 'a' must look like #4E79A7"),
        ("title: T\ncodes:\n  - id: a\n    label: A\n    children:\n      - id: b\n        label: B\n"
         "        children: []\n", "line 8: codes nest one level only"),
        ("title: T\ncodes:\n  - id: a\n    label: A\n    keywords: worry, fear\n",
         "line 5: keyword 'worry, fear' of 'a' holds a comma, so it would be one keyword that no "
         "text contains (write each keyword as an item of a list: keywords: [worry, fear])"),
        ("title: T\ncodes:\n  - id: a\n    label: A\n    keywords:\n      - worry\n      - fear, dread\n",
         "line 7: keyword 'fear, dread' of 'a' holds a comma"),
        ("title: T\ncodes:\n  - id: a\n    label: A\n    keywords: [worry, '']\n",
         "line 5: an empty keyword in 'a' (remove the empty item or write the word)"),
    ],
)
def test_bad_codebooks_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "book.yaml")
    assert str(caught.value).startswith("book.yaml")
    assert message in str(caught.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(tmp_path / "missing.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CodebookError, match="not UTF-8"):
        load_codebook(binary)


def test_content_hash_changes_with_content() -> None:
    a = parse_codebook(GOOD)
    b = parse_codebook(GOOD.replace("label: Beta", "label: Beta two"))
    assert a.content_hash() == parse_codebook(GOOD).content_hash()
    assert a.content_hash() != b.content_hash()


def test_yaml_errors_are_one_line() -> None:
    with pytest.raises(CodebookError) as caught:
        parse_codebook("title: t\x00\ncodes: []\n", "book.yaml")
    assert str(caught.value) == ('book.yaml: not valid YAML: unacceptable character #x0000: special '
                                 'characters are not allowed in "<unicode string>", position 8')


def test_nesting_a_little_too_deep_gets_the_precise_message_and_far_too_deep_the_limit() -> None:
    twice = ("title: t\ncodes:\n- id: a\n  label: A\n  children:\n  - id: b\n    label: B\n"
             "    children:\n    - id: c\n      label: C\n")
    with pytest.raises(CodebookError, match="line 9: codes nest one level only"):
        parse_codebook(twice, "book.yaml")
    levels = 40
    deep = ("title: t\ncodes: " + "".join(f"[{{id: c{n}, label: C, children: " for n in range(levels))
            + "[]" + "}]" * levels + "\n")
    with pytest.raises(CodebookError) as caught:
        parse_codebook(deep, "book.yaml")
    assert str(caught.value).startswith("book.yaml, line 2: the codebook is nested too deeply under "
                                        "code 'c2'")
