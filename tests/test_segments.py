"""Segment codings in the decision log: each (response, code, span) is its own key; a response
carries a code held whole or on any segment; undo, merge and rename keep the spans."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codewell.errors import CodewellError
from codewell.values import Response, Segment

pytestmark = pytest.mark.engines  # the same behaviour on SQLite and PostgreSQL

# Accents, an emoji outside the BMP (one code point, two UTF-16 units, four UTF-8 bytes) and CRLF.
TEXT = "Café staff explain 😀 scans well.\r\nBut patients worry at home."
WORRY = TEXT.index("patients worry")


@pytest.fixture
def project(empty_project):
    empty_project.add_responses([Response("r1", TEXT, 2), Response("r2", "short and plain", 3)], "test")
    return empty_project


def test_a_segment_carries_its_code_to_the_response_and_keeps_its_span(project) -> None:
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14)
    project.record_segment("ana", "r1", "communication", 0, 32)
    project.record_segment("ana", "r1", "anxiety", 0, 32)  # overlapping, another code's span
    assert project.codings("ana") == {"r1": frozenset({"anxiety", "communication"})}
    held = project.segments_for("ana", "r1")
    assert held == (Segment("r1", "anxiety", 0, 32), Segment("r1", "anxiety", WORRY, WORRY + 14),
                    Segment("r1", "communication", 0, 32))
    assert TEXT[WORRY:WORRY + 14] == "patients worry"
    assert TEXT[0:32] == "Café staff explain 😀 scans well."  # code points: the emoji is one
    decision = project.decisions("ana")[0]
    assert (decision.start, decision.end) == (WORRY, WORRY + 14)


def test_whole_and_segment_codings_are_separate_keys(project) -> None:
    project.record("ana", "r1", "anxiety", "apply")
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14)
    project.record("ana", "r1", "anxiety", "remove")  # the whole-response coding only
    assert project.codings("ana") == {"r1": frozenset({"anxiety"})}
    assert project.segments_for("ana", "r1") == (Segment("r1", "anxiety", WORRY, WORRY + 14),)
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14, "remove")
    assert project.codings("ana") == {}
    assert project.segments("ana") == {}


def test_undo_reverses_a_segment_on_its_own_span(project) -> None:
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14)
    project.record_segment("ana", "r1", "communication", 0, 4)
    undone = project.undo("ana")
    assert (undone.code, undone.action, undone.start, undone.end) == ("communication", "remove", 0, 4)
    assert project.segments_for("ana", "r1") == (Segment("r1", "anxiety", WORRY, WORRY + 14),)
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14, "remove")
    again = project.undo("ana")  # undoing the removal brings that very span back
    assert (again.action, again.start, again.end) == ("apply", WORRY, WORRY + 14)
    assert project.segments_for("ana", "r1") == (Segment("r1", "anxiety", WORRY, WORRY + 14),)


def test_a_retried_segment_lands_once(project) -> None:
    first = project.record_segment("ana", "r1", "anxiety", 1, 5, uid="a" * 32)
    retry = project.record_segment("ana", "r1", "anxiety", 1, 5, uid="a" * 32)
    assert first.id == retry.id and len(project.decisions("ana")) == 1


@pytest.mark.parametrize(("start", "end"), [(5, 5), (7, 3), (-1, 4), (0, len(TEXT) + 1)])
def test_a_span_outside_the_text_is_refused_and_nothing_is_written(project, start: int, end: int) -> None:
    with pytest.raises(CodewellError) as caught:
        project.record_segment("ana", "r1", "anxiety", start, end)
    assert caught.value.message == (f"response 'r1': segment {start}..{end} does not fit a response of "
                                    f"{len(TEXT)} characters")
    assert project.decisions() == ()


def test_merge_and_rename_move_each_span_and_undo_moves_them_back(project) -> None:
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14)
    project.record("ana", "r2", "anxiety", "apply")
    project.record_segment("ben", "r1", "communication", 0, 4)
    project.record_segment("ben", "r1", "anxiety", 0, 4)
    project.merge_codes("anxiety", "communication")
    assert project.segments_for("ana", "r1") == (Segment("r1", "communication", WORRY, WORRY + 14),)
    assert project.segments_for("ana", "r2") == (Segment("r2", "communication"),)
    assert project.segments_for("ben", "r1") == (Segment("r1", "communication", 0, 4),)
    project.undo_codebook_change()
    assert project.segments_for("ana", "r1") == (Segment("r1", "anxiety", WORRY, WORRY + 14),)
    assert project.segments_for("ben", "r1") == (Segment("r1", "anxiety", 0, 4), Segment("r1", "communication", 0, 4))
    project.rename_code("anxiety", "worry")
    assert project.segments_for("ana", "r1") == (Segment("r1", "worry", WORRY, WORRY + 14),)
    assert project.codings("ana") == {"r1": frozenset({"worry"}), "r2": frozenset({"worry"})}


def test_dataset_carries_the_spans_beside_the_response_level_view(project) -> None:
    project.record_segment("ana", "r1", "anxiety", WORRY, WORRY + 14)
    project.record("ana", "r2", "understanding", "apply")
    ds = project.dataset(["ana"])
    assert ds.codings["ana"] == {"r1": frozenset({"anxiety"}), "r2": frozenset({"understanding"})}
    assert ds.segments["ana"] == (Segment("r1", "anxiety", WORRY, WORRY + 14), Segment("r2", "understanding"))


@pytest.mark.parametrize("version", [1, 3])
def test_an_old_project_upgrades_its_events_to_whole_response_codings(tmp_path: Path, version: int,
                                                                      engine: str) -> None:
    if engine != "sqlite":
        pytest.skip("the stored old projects are SQLite files")
    from codewell.project import Project

    path = tmp_path / "old.cw"
    conn = sqlite3.connect(path)
    conn.executescript((Path(__file__).parent / "data" / f"project_schema{version}.sql").read_text(encoding="utf-8"))
    conn.close()
    with Project.open(path) as old:
        coder = old.coders()[0]
        before = old.codings(coder)
        assert before and all(s.is_whole for s in old.dataset([coder]).segments[coder])
        rid = next(iter(before))
        text = old.response(rid).text
        code = sorted(before[rid])[0]
        old.record_segment(coder, rid, code, 0, min(4, len(text)))
        assert old.codings(coder) == before
        assert Segment(rid, code, 0, min(4, len(text))) in old.segments_for(coder, rid)


def test_training_examples_add_each_coded_passage_with_the_codes_covering_it(project) -> None:
    from codewell.values import Status

    worry = (WORRY, WORRY + 14)
    project.record_segment("ana", "r1", "anxiety", *worry)
    project.record_segment("ana", "r1", "communication", 0, len(TEXT))  # covers the worry passage too
    project.record_segment("ana", "r2", "anxiety", 0, 5)                # r2 not finished: left out
    project.set_status("ana", "r1", Status.DONE)
    texts, labels = project.training_examples("ana")
    assert texts == [TEXT, TEXT, "patients worry"]
    assert labels == [frozenset({"anxiety", "communication"}), frozenset({"communication"}),
                      frozenset({"anxiety", "communication"})]
