"""A reference set: another study's coded responses, kept in the project and learnt from beside
the coder's own decisions (``codewell reference``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.errors import DataFileError
from codewell.project import Project
from codewell.values import Response

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
runner = CliRunner()

OURS = ["Seeing the scan helped her understand the diagnosis.",
        "Patients may panic at incidental findings.",
        "Nothing to add."]


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def labelled(path: Path, rows: list[tuple[str, str, dict[str, int]]],
             codes: tuple[str, ...] = ("understanding", "anxiety")) -> Path:
    """A labelled CSV: id, response and one 0/1 column per code in ``codes``."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "response", *codes])
        for rid, text, marks in rows:
            writer.writerow([rid, text, *(marks.get(code, 0) for code in codes)])
    return path


OTHER_STUDY = [("O1", "Looking at the picture made the tumour real to him.", {"understanding": 1}),
               ("O2", "She was terrified waiting for the report.", {"anxiety": 1}),
               ("O3", "He could see why the surgeon wanted to operate.", {"understanding": 1}),
               ("O4", "The images were of the knee.", {})]


@pytest.fixture
def study(engine: str, empty_project) -> Project:
    empty_project.add_responses([Response(f"R{i}", text, i + 2) for i, text in enumerate(OURS)], "ours.csv")
    return empty_project


@pytest.mark.engines
def test_a_reference_is_kept_whole_replaced_and_dropped(study: Project, tmp_path: Path) -> None:
    assert study.reference() is None
    found, warnings = study.set_reference(labelled(tmp_path / "other.csv", OTHER_STUDY))
    assert study.reference() == found
    assert (found.source, found.codes, len(found)) == ("other.csv", ("understanding", "anxiety"), 4)
    assert found.labels == (frozenset({"understanding"}), frozenset({"anxiety"}),
                            frozenset({"understanding"}), frozenset())
    assert any("no column for code 'communication'" in w for w in warnings)
    study.set_reference(labelled(tmp_path / "second.csv", OTHER_STUDY[:2], codes=("anxiety",)))
    again = study.reference()
    assert again is not None and (again.source, again.codes, len(again)) == ("second.csv", ("anxiety",), 2)
    assert study.clear_reference() and study.reference() is None
    assert not study.clear_reference()


def test_answers_this_project_has_are_left_out(study: Project, tmp_path: Path) -> None:
    """Its codes would be another coder's decisions on this very data, which a blind second
    coder must never be shown; spaces around an answer do not hide it."""
    rows = OTHER_STUDY + [("X1", "  " + OURS[1] + " ", {"anxiety": 1})]
    found, warnings = study.set_reference(labelled(tmp_path / "mixed.csv", rows))
    assert OURS[1] not in {t.strip() for t in found.texts} and len(found) == 4
    assert any("1 answer(s) are also responses of this project and were left out" in w for w in warnings)


@pytest.mark.engines
def test_responses_imported_later_leave_the_reference_too(study: Project, tmp_path: Path) -> None:
    """The same rule after the fact: an answer imported into the project once the reference is
    there is dropped from the reference in the same transaction."""
    study.set_reference(labelled(tmp_path / "other.csv", OTHER_STUDY))
    study.add_responses([Response("R9", OTHER_STUDY[1][1] + "\n", 9), Response("R10", "A new answer.", 10)],
                        "later.csv")
    left = study.reference()
    assert left is not None and len(left) == 3 and OTHER_STUDY[1][1] not in left.texts
    assert left.ids == ("O1", "O3", "O4")


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such labelled file"),
    ("id,response,anxeity\nO1,terrified,1\n", "no column is a code of the codebook"),
    ("id,text,anxiety\nO1,terrified,1\n", "no 'response' column"),
    ("id,response,anxiety\nO1,fine,0\nO2,terrified,yes\n", "row 3, column 'anxiety': expected 0 or 1, got 'yes'"),
    ("id,response,anxiety\nO1,   ,1\n", "no row is left to learn from (every response is empty)"),
    (f"id,response,anxiety\nO1,{OURS[1]},1\n", "every answer is also a response of this project"),
])
def test_a_bad_reference_file_is_one_clear_error_and_keeps_the_old_one(
        study: Project, tmp_path: Path, content: str | None, message: str) -> None:
    study.set_reference(labelled(tmp_path / "good.csv", OTHER_STUDY))
    before = study.reference()
    bad = tmp_path / "bad.csv"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match="bad.csv") as raised:
        study.set_reference(bad)
    assert message in raised.value.message
    if "anxeity" in (content or ""):
        assert raised.value.hint and "anxiety" in raised.value.hint
    assert study.reference() == before


def test_the_command_adds_shows_and_drops_a_reference(study: Project, tmp_path: Path) -> None:
    location = str(study.location)
    study.close()
    other = labelled(tmp_path / "other.csv", OTHER_STUDY)
    assert "No reference" in run("reference", location).stdout
    added = run("reference", location, other)
    assert added.exit_code == 0, added.output
    assert "Added other.csv: 4 coded responses" in added.stdout
    assert "warning:" in added.stderr and "communication" in added.stderr
    shown = json.loads(run("reference", location, "--json").stdout)["reference"]
    assert (shown["source"], shown["responses"], shown["codes"]) == (
        "other.csv", 4, {"understanding": 2, "anxiety": 1})
    both = run("reference", location, other, "--clear")
    assert both.exit_code == 2 and "not both" in both.output
    missing = run("reference", location, tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "nope.csv: no such labelled file" in missing.output
    status = run("status", location)
    assert "Reference: other.csv, 4 coded responses of another study" in status.stdout
    assert json.loads(run("status", location, "--json").stdout)["reference"]["responses"] == 4
    assert run("reference", location, "--clear").stdout.strip() == "Reference dropped."
    assert json.loads(run("status", location, "--json").stdout)["reference"] is None
    with Project.open(location) as project:
        assert project.reference() is None


def test_a_coders_training_request_carries_the_reference(study: Project, tmp_path: Path) -> None:
    from codewell.values import Status
    from codewell.suggest.service import training_request

    study.record("ana", "R0", "understanding", "apply")
    study.set_status("ana", "R0", Status.DONE)
    study.set_reference(labelled(tmp_path / "other.csv", OTHER_STUDY))
    request = training_request(study, "ana")
    assert request.texts == (OURS[0],) and request.reference == study.reference()
    assert training_request(study, None).reference == study.reference()


@pytest.mark.parametrize(("sql", "message"), [
    ("UPDATE reference_rows SET codes = '{not json' WHERE source_id = 'O2'",
     "the codes of reference answer 'O2' are not a JSON list of code ids"),
    ("DELETE FROM meta WHERE key = 'reference.codes'", "the reference set has no 'codes' entry"),
])
def test_a_hand_damaged_reference_is_one_clear_error(study: Project, tmp_path: Path, sql: str,
                                                     message: str) -> None:
    import sqlite3

    study.set_reference(labelled(tmp_path / "other.csv", OTHER_STUDY))
    location = str(study.location)
    study.close()
    conn = sqlite3.connect(location)
    conn.execute(sql)
    conn.commit()
    conn.close()
    for args in (("reference", location), ("suggest", location, "--limit", "1")):
        result = run(*args)
        assert result.exit_code == 3 and "Traceback" not in result.output, result.output
        assert f"the project file is damaged ({message})" in result.output
        assert "codewell reference PROJECT --clear" in result.output
    checked = run("check", location)
    assert checked.exit_code == 3 and "Parts of the reference set codewell never writes: 1" in checked.output
    assert run("reference", location, "--clear").stdout.strip() == "Reference dropped."
    assert run("check", location).exit_code == 0


# -- what the model makes of it ----------------------------------------------------------------

def _zebra_fit(reference_codes: tuple[str, ...]):
    """Own decisions teach that "zebrafish" means understanding; the reference, 60 answers much
    like the probe coded for anxiety only, speaks for ``reference_codes``. Returns the probe's
    understanding probability and bar."""
    from codewell.codebook import load_codebook
    from codewell.suggest import fit_model
    from codewell.values import ReferenceSet

    book = load_codebook(CODEBOOK)
    yes = ["the zebrafish model made it click for them", "a zebrafish study they followed easily",
           "zebrafish pictures got the point across", "with the zebrafish slide it finally made sense",
           "once they saw the zebrafish they got it"]
    no = ["parking at the hospital is hard", "the waiting room was cold", "they had to queue at reception",
          "the letter came on a tuesday", "the corridor lights were dim"]
    texts = [f"{text} ({i})" for i in range(4) for text in yes + no]
    labels = [frozenset({"understanding"}) if text in yes else frozenset() for i in range(4) for text in yes + no]
    ref_texts = tuple(f"zebrafish images helped the family number {i}" for i in range(60))
    reference = ReferenceSet("ref.csv", reference_codes, "2026-11-30T00:00:00+00:00",
                             tuple(f"Z{i}" for i in range(60)), ref_texts,
                             tuple(frozenset({"anxiety"}) for _ in ref_texts))
    model = fit_model(book, texts, labels, reference=reference)
    probabilities, thresholds = model.probabilities(["zebrafish images helped the family"])
    return probabilities[0][book.ids.index("understanding")], thresholds[book.ids.index("understanding")]


def test_reference_rows_say_nothing_about_a_code_they_do_not_label() -> None:
    """A reference that never labels understanding is no evidence against it; the same rows
    speaking for understanding (all 0) are, and pull the code down."""
    silent, bar = _zebra_fit(("anxiety",))
    spoken, _ = _zebra_fit(("anxiety", "understanding"))
    assert silent >= bar
    assert spoken < bar and spoken < silent - 0.3


def test_a_new_study_with_a_reference_suggests_from_its_first_response(tmp_path: Path) -> None:
    """No decision yet: with another study's coded answers the suggester already knows what the
    reference's coders meant, beyond the codebook's words."""
    from codewell.codebook import load_codebook
    from codewell.suggest import fit_model
    from codewell.suggest.evaluate import predict
    from codewell.values import ReferenceSet

    book = load_codebook(CODEBOOK)
    phrases = ["she kept ringing the ward about the blotch", "he rang the ward twice about the blotch",
               "ringing the ward every day over a blotch", "the blotch had them ringing the ward"]
    ref_texts = tuple(f"{p} ({i})" for i in range(10) for p in phrases) + tuple(
        f"the blotch was measured at {i} mm and reported" for i in range(40))
    ref_labels = tuple(frozenset({"anxiety"}) for _ in range(40)) + tuple(frozenset() for _ in range(40))
    reference = ReferenceSet("ref.csv", ("anxiety",), "2026-11-30T00:00:00+00:00",
                             tuple(f"Z{i}" for i in range(80)), ref_texts, ref_labels)
    text = ["my mother kept ringing the ward about that blotch"]
    anxiety = book.ids.index("anxiety")
    assert not predict(fit_model(book, [], []), text)[0][anxiety]
    assert predict(fit_model(book, [], [], reference=reference), text)[0][anxiety]


@pytest.mark.postgresql
def test_a_reference_moves_with_the_project_to_a_server_and_back(tmp_path: Path) -> None:
    from pg_support import fresh_database

    source = tmp_path / "study.cw"
    with Project.create(source, _book()) as project:
        project.add_responses([Response("R1", OURS[0], 2)], "ours.csv")
        kept, _ = project.set_reference(labelled(tmp_path / "other.csv", OTHER_STUDY))
    url = fresh_database()
    assert run("migrate", source, url).exit_code == 0
    back = tmp_path / "back.cw"
    assert run("migrate", url, back).exit_code == 0
    for location in (url, back):
        with Project.open(location) as project:
            assert project.reference() == kept


def _book():
    from codewell.codebook import load_codebook

    return load_codebook(CODEBOOK)


def test_renames_and_merges_carry_into_the_reference(study: Project, tmp_path: Path) -> None:
    """As coders' decisions are carried: a renamed code keeps its reference labels under the new
    id (and gets them back when the rename is undone); a code merged into one the reference also
    labels adds its labels there; merged into one it does not label, it falls silent."""
    rows = [("O1", "made it real", {"understanding": 1}), ("O2", "terrified", {"anxiety": 1}),
            ("O3", "saw why", {"understanding": 1, "communication": 1}), ("O4", "knee", {})]
    study.set_reference(labelled(tmp_path / "other.csv", rows, codes=("understanding", "communication", "anxiety")))
    study.rename_code("anxiety", "worry")
    ref = study.reference()
    assert ref.codes == ("understanding", "communication", "worry") and ref.labels[1] == frozenset({"worry"})
    study.undo_codebook_change()
    ref = study.reference()
    assert ref.codes == ("understanding", "communication", "anxiety") and ref.labels[1] == frozenset({"anxiety"})
    study.merge_codes("communication", "understanding")
    ref = study.reference()
    assert ref.codes == ("understanding", "anxiety") and ref.labels[2] == frozenset({"understanding"})
    study.merge_codes("anxiety", "adherence")  # adherence: a code the reference has no column for
    ref = study.reference()
    assert ref.codes == ("understanding",) and ref.labels == (
        frozenset({"understanding"}), frozenset(), frozenset({"understanding"}), frozenset())
