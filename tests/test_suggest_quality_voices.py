"""Suggestions in patients' and parents' own words, from the codebook alone and once trained.

The image-sharing codebook names fear, the consultation and adherence the way people say them
("nervous", "daunting", "lost sleep"; a clinician who talked us through the pictures; the
tablets I take now), and says what is not the code (a worry about security, a biopsy). These
tests hold that the codebook-only suggester reads those words as the codebook means them, both
ways, and that a model trained on the other development writers keeps patient voice (writer 6,
the `DW6-` rows of `samples/image-sharing/labelled.csv`) above a floor.
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
# Five-code macro-F1 on writer 6, trained on the first eight development writers but writer 6
# (the sample's three blocks, writers 4 and 7-9: 1,154 answers): 0.716 when writers 7-9 joined
# (0.825 trained on all twenty-two others, 0.67 on the first four, 0.60 before the codebook named
# feelings, the consultation and adherence in lay words). The floor sits two standard errors
# below (a 148-response writer moves about 0.03); the first eight keep the test quick.
FLOOR = 0.66
FIRST_EIGHT = ("IS", "HW4-", "DW6-", "DW7-", "DW8-", "DW9-")


def suggested(text: str, code: str, model: FittedModel | None = None) -> bool:
    model = model or FittedModel(BOOK)
    return next(s for s in model.suggest(text) if s.code == code).suggested


@pytest.mark.parametrize(("text", "code", "coded"), [
    ("I was so nervous opening the pictures on my phone.", "anxiety", True),
    ("Honestly it was daunting seeing my own scan before the appointment.", "anxiety", True),
    ("I lost sleep for a week after seeing the images on the app.", "anxiety", True),
    ("I did not lose any sleep over seeing my scan.", "anxiety", False),
    ("Seeing the images did not make me nervous at all.", "anxiety", False),
    ("Sometimes the patient gets afraid when he sees a big mass.", "anxiety", True),
    ("Patients get tensed when they see the images before meeting the doctor.", "anxiety", True),
    ("I was never afraid to look at my own scan.", "anxiety", False),
    ("Very concerned about the security of the portal and who can see my scans.", "anxiety", False),
    ("The consultant talked us through the pictures one by one.", "communication", True),
    ("I take my tablets every day now that I have seen the damage on the scan.", "adherence", True),
    ("I had a biopsy after the scan and the staff were kind.", "adherence", False),
])
def test_the_codebook_reads_peoples_own_words_as_it_means_them(text, code, coded):
    assert suggested(text, code) is coded


def test_a_model_trained_on_the_other_writers_codes_patient_voice_above_the_floor():
    everyone = read_labelled(ROOT / "samples" / "image-sharing" / "labelled.csv", BOOK, FIVE)
    mine = [i for i, rid in enumerate(everyone.ids) if rid.startswith("DW6-")]
    others = [i for i, rid in enumerate(everyone.ids)
              if rid.startswith(FIRST_EIGHT) and not rid.startswith("DW6-")]
    patients, train = everyone.subset(mine), everyone.subset(others)
    model = fit_model(restrict(BOOK, FIVE), train.texts, train.label_sets())
    assert score(patients.gold, predict(model, patients.texts), FIVE)["macro_f1"] >= FLOOR
