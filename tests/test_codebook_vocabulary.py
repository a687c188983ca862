"""A codebook's own shorthand and synonyms: read from YAML, validated, stored, and used."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.codebook import codebook_from_json, codebook_to_json, load_codebook, parse_codebook
from codewell.errors import CodebookError
from codewell.values import Code

HEAD = "title: Imaging\n"
CODES = "codes:\n  - id: seeing\n    label: Seeing\n    keywords: [see the image]\n"


def test_abbreviations_and_synonyms_are_read_as_pairs():
    book = parse_codebook(HEAD + "abbreviations:\n  pts: patients\n  US: ultrasound\n"
                          "synonyms:\n  image: [Scan, picture]\n" + CODES)
    assert book.abbreviations == (("pts", "patients"), ("US", "ultrasound"))
    assert book.synonyms == (("scan", "image"), ("picture", "image"))


@pytest.mark.parametrize(("yaml_part", "message"), [
    ("abbreviations:\n  pts: the patients\n",
     "<codebook>, line 3: 'pts' must stand for one word, not 'the patients'"),
    ("abbreviations:\n  follow up: follow-up\n",
     "<codebook>, line 3: shorthand 'follow up' must be one written word, no spaces"),
    ("abbreviations: [pts]\n",
     "<codebook>, line 2: 'abbreviations' must be a mapping (word: meaning)"),
    ("abbreviations:\n  pts: patients\n  pts: people\n",
     "<codebook>, line 3: 'pts' given twice in 'abbreviations'"),
    ("synonyms:\n  image: [scan]\n  picture: [scan]\n",
     "<codebook>, line 4: 'scan' is a synonym of both 'image' and 'picture'"),
    ("synonyms:\n  image: [x ray]\n",
     "<codebook>, line 3: synonym 'x ray' must be one word, no spaces"),
])
def test_bad_vocabulary_names_the_line(yaml_part, message):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(HEAD + yaml_part + CODES)
    assert caught.value.message == message


def test_vocabulary_survives_storage_and_new_codes():
    book = parse_codebook(HEAD + "abbreviations:\n  pts: patients\nsynonyms:\n  image: [scan]\n" + CODES)
    again = codebook_from_json(codebook_to_json(book))
    assert again == book
    grown = book.with_code(Code("worry", "Worry"))
    assert grown.abbreviations == book.abbreviations and grown.synonyms == book.synonyms


def test_a_codebook_without_vocabulary_keeps_its_old_fingerprint():
    """Stored versions carry content_hash: adding the fields must not change older codebooks'."""
    import hashlib
    import json
    from dataclasses import asdict

    book = parse_codebook(HEAD + CODES)
    data = asdict(book)
    del data["abbreviations"], data["synonyms"]
    old = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    assert book.content_hash() == old


def test_the_image_sharing_codebook_carries_the_imaging_shorthand():
    book = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml")
    shorthand = dict(book.abbreviations)
    assert shorthand["US"] == "ultrasound" and shorthand["pts"] == "patients"
    assert shorthand["f/u"] == "follow-up" and "us" not in shorthand


def test_the_codebooks_synonyms_reach_the_suggester():
    """A keyword written with the preferred word matches a response using a synonym of it."""
    from codewell.suggest import FittedModel

    book = parse_codebook(HEAD + "synonyms:\n  image: [scan, x-ray]\n" + CODES)
    suggestion = FittedModel(book).suggest("They want to see the scan")[0]
    assert suggestion.suggested and [e.text for e in suggestion.evidence] == ["see the scan"]
