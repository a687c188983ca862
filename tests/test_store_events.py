"""The decision log: append-only, current codings derived, undo as a new event."""

from __future__ import annotations

import pytest

from codewell.errors import UnknownNameError
from codewell.values import Code, Response, Status

pytestmark = pytest.mark.engines  # the same behaviour on SQLite and PostgreSQL


@pytest.fixture
def project(empty_project):
    empty_project.add_responses(
        [Response("r1", "first", 2), Response("r2", "second", 3), Response("r3", "", 4)], "test")
    return empty_project


def test_apply_remove_and_derived_state(project) -> None:
    project.record("ana", "r1", "anxiety", "apply", probability=0.8, from_suggestion=True, suggestions_on=True)
    project.record("ana", "r1", "privacy", "apply")
    project.record("ana", "r2", "understanding", "apply")
    project.record("ana", "r1", "privacy", "remove")
    assert project.codings("ana") == {"r1": frozenset({"anxiety"}), "r2": frozenset({"understanding"})}
    log = project.decisions("ana")
    assert [d.action for d in log] == ["apply", "apply", "apply", "remove"]
    first = log[0]
    assert (first.probability, first.from_suggestion, first.suggestions_on) == (0.8, True, True)
    assert first.codebook_version == 1
    assert project.codings("ben") == {}


def test_undo_appends_and_walks_back(project) -> None:
    project.record("ana", "r1", "anxiety", "apply")
    project.record("ana", "r1", "privacy", "apply")
    undo1 = project.undo("ana")
    assert (undo1.code, undo1.action, undo1.undoes) == ("privacy", "remove", 2)
    undo2 = project.undo("ana")
    assert (undo2.code, undo2.action, undo2.undoes) == ("anxiety", "remove", 1)
    assert project.undo("ana") is None
    assert project.codings("ana") == {}
    assert len(project.decisions("ana")) == 4  # nothing erased


def test_undo_is_per_coder(project) -> None:
    project.record("ana", "r1", "anxiety", "apply")
    project.record("ben", "r1", "privacy", "apply")
    assert project.undo("ana").code == "anxiety"
    assert project.codings("ben") == {"r1": frozenset({"privacy"})}
    assert project.undo("nobody") is None


def test_bad_decisions_are_refused_and_nothing_is_written(project) -> None:
    with pytest.raises(UnknownNameError, match="no code 'anxeity'") as caught:
        project.record("ana", "r1", "anxeity", "apply")
    assert caught.value.hint == "did you mean 'anxiety'?"
    with pytest.raises(UnknownNameError, match="no response with id 'r9'"):
        project.record_many("ana", [("r1", "anxiety", "apply", None, False), ("r9", "anxiety", "apply", None, False)])
    with pytest.raises(ValueError, match="probability"):
        project.record("ana", "r1", "anxiety", "apply", probability=1.5)
    with pytest.raises(UnknownNameError, match="usable coder name"):
        project.record("a,b", "r1", "anxiety", "apply")
    assert project.decisions() == ()


def test_record_many_is_one_transaction(project) -> None:
    decisions = project.record_many("ana", [("r1", "anxiety", "apply", 0.9, True),
                                            ("r2", "anxiety", "apply", 0.7, True)], suggestions_on=True)
    assert [d.response_id for d in decisions] == ["r1", "r2"]
    assert all(d.suggestions_on for d in decisions)


def test_status_and_memo(project) -> None:
    project.set_status("ana", "r1", Status.DONE)
    project.set_status("ana", "r2", Status.FLAGGED)
    project.set_status("ana", "r2", Status.SKIPPED)
    project.set_memo("ana", "r1", "ask ben about this one")
    assert project.statuses("ana") == {"r1": Status.DONE, "r2": Status.SKIPPED}
    project.set_status("ana", "r2", Status.UNCODED)
    project.set_memo("ana", "r1", "")
    assert project.statuses("ana") == {"r1": Status.DONE}
    assert project.memos("ana") == {}


def test_training_examples_are_done_non_empty_responses(project) -> None:
    project.record("ana", "r1", "anxiety", "apply")
    project.record("ana", "r2", "privacy", "apply")
    for rid in ("r1", "r3"):
        project.set_status("ana", rid, Status.DONE)
    assert project.training_examples("ana") == (["first"], [frozenset({"anxiety"})])


def test_adding_a_code_makes_a_new_version_and_keeps_history(project) -> None:
    project.record("ana", "r1", "anxiety", "apply")
    version = project.add_code(Code(id="cost", label="Cost", group="risk"))
    assert version == 2 and project.codebook.ids[-1] == "cost"
    decision = project.record("ana", "r1", "cost", "apply")
    assert decision.codebook_version == 2
    assert project.decisions("ana")[0].codebook_version == 1
    assert [v for v, *_ in project.codebook_history()] == [1, 2]
    with pytest.raises(Exception, match="already exists"):
        project.add_code(Code(id="cost", label="Cost again"))


def test_summary_counts(project) -> None:
    project.record("ana", "r1", "anxiety", "apply")
    project.set_status("ana", "r1", Status.DONE)
    project.set_status("ana", "r2", Status.FLAGGED)
    summary = project.summary()
    assert summary["responses"] == 3 and summary["empty"] == 1
    assert summary["codebook"]["version"] == 1 and "anxiety" in summary["codebook"]["codes"]
    assert summary["coders"]["ana"] == {"done": 1, "skipped": 0, "flagged": 1, "decisions": 1, "remaining": 2}
