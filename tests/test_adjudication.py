"""Consensus: agreements carried without asking, disagreements settled one by one."""

from __future__ import annotations

import pytest

from codewell.errors import AgreementError, UnknownNameError
from codewell.values import Response, Status


@pytest.fixture
def project(empty_project):
    empty_project.add_responses([Response(f"r{i}", f"text {i}", i + 1) for i in range(1, 6)], "t")
    codes = {"ana": {"r1": {"anxiety"}, "r2": {"understanding", "privacy"}, "r3": set(), "r4": {"adherence"}},
             "ben": {"r1": {"anxiety"}, "r2": {"understanding"}, "r3": {"anxiety"}, "r5": {"anxiety"}}}
    for coder, by_response in codes.items():
        for rid, applied in by_response.items():
            for code in applied:
                empty_project.record(coder, rid, code, "apply")
            empty_project.set_status(coder, rid, Status.DONE)
    empty_project.set_memo("ana", "r2", "privacy? they mention the portal")
    return empty_project


def test_plan_compares_only_responses_both_finished(project) -> None:
    plan = project.adjudication(["ana", "ben"])
    assert plan.compared == ("r1", "r2", "r3")
    assert plan.unanimous == ("r1",)
    r2, r3 = plan.disagreements
    assert (r2.agreed, r2.disputed) == (frozenset({"understanding"}), frozenset({"privacy"}))
    assert r2.memos == {"ana": "privacy? they mention the portal", "ben": ""}
    assert (r3.agreed, r3.disputed) == (frozenset(), frozenset({"anxiety"}))
    assert all(d.settled is None for d in plan.disagreements)


def test_carry_then_settle(project) -> None:
    written = project.carry_agreements(["ana", "ben"])
    assert written == 2  # r1 anxiety (unanimous) and r2 understanding (agreed part)
    assert project.codings("consensus") == {"r1": frozenset({"anxiety"}), "r2": frozenset({"understanding"})}
    assert project.statuses("consensus") == {"r1": Status.DONE}
    assert {d.note for d in project.decisions("consensus")} == {"agreed"}
    assert project.carry_agreements(["ana", "ben"]) == 0  # idempotent

    project.settle("r2", frozenset({"understanding", "privacy"}))
    project.settle("r3", frozenset())
    assert project.codings("consensus")["r2"] == {"understanding", "privacy"}
    assert project.statuses("consensus") == {"r1": Status.DONE, "r2": Status.DONE, "r3": Status.DONE}
    plan = project.adjudication(["ana", "ben"])
    assert plan.remaining == ()
    assert [d.note for d in project.decisions("consensus")][-1] == "adjudicated"


def test_bad_requests(project) -> None:
    with pytest.raises(UnknownNameError, match="no coder 'bne'") as caught:
        project.adjudication(["ana", "bne"])
    assert caught.value.hint == "did you mean 'ben'?"
    with pytest.raises(AgreementError, match="at least two different coders"):
        project.adjudication(["ana", "ana"])
    project.record("cy", "r1", "anxiety", "apply")
    with pytest.raises(AgreementError, match="coder 'cy' has no finished"):
        project.adjudication(["ana", "cy"])
    with pytest.raises(UnknownNameError, match="no code 'anxeity'"):
        project.settle("r2", frozenset({"anxeity"}))


def test_project_agreement_uses_responses_both_finished(project) -> None:
    result = project.agreement(["ana", "ben"]).to_dict()
    assert result["coders"] == ["ana", "ben"] and result["n_units"] == 3
    assert result["codes"]["anxiety"]["table"] == [[1, 0], [1, 1]]
    with pytest.raises(AgreementError, match="no finished"):
        project.record("cy", "r1", "anxiety", "apply")
        project.agreement(["ana", "cy"])


def test_model_as_pseudo_coder(project) -> None:
    project.record_shown("ana", "r1", [("anxiety", 0.9, True), ("privacy", 0.2, False)])
    project.record_shown("ana", "r2", [("understanding", 0.8, True), ("privacy", 0.3, False)])
    result = project.model_agreement("ana").to_dict()
    assert result["coders"] == ["model", "ana"] and result["n_units"] == 2
    assert result["codes"]["privacy"]["table"] == [[0, 0], [1, 1]]
    with pytest.raises(AgreementError, match="suggestions shown"):
        project.model_agreement("ben")


def test_carrying_leaves_the_plan_as_it_was(project) -> None:
    before = project.adjudication(["ana", "ben"])
    project.carry_agreements(["ana", "ben"], before)
    after = project.adjudication(["ana", "ben"])
    assert [(d.response.id, d.settled) for d in after.disagreements] == \
        [(d.response.id, d.settled) for d in before.disagreements]
    assert after.unanimous == before.unanimous
