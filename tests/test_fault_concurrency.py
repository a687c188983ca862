"""Several processes coding one project at once: nothing lost, nothing doubled, nobody dies.

Issue 9 cases 5-8: the same new coder from two processes, the same coder undoing in two
sessions, two sessions adding codes, and a coder cache surviving a rolled-back transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from faults import scale, start_python, table_rows

pytestmark = pytest.mark.engines  # the same races, the same outcome, on SQLite and PostgreSQL

CODER_SCRIPT = """
import json, random, sys
from codewell.project import Project
from codewell.project.coding import new_uid

path, coder, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
saved, undone = [], []
with Project.open(path) as project:
    ids = [r.id for r in project.responses()]
    codes = list(project.codebook.ids)
    for i in range(n):
        if i and rng.random() < 0.2:
            decision = project.undo(coder)
            if decision is not None:
                undone.append(decision.undoes)
            continue
        uid = new_uid()
        project.record(coder, rng.choice(ids), rng.choice(codes), rng.choice(["apply", "remove"]), uid=uid)
        if rng.random() < 0.1:  # a retry of the same keypress: must land once
            project.record(coder, ids[0], codes[0], "apply", uid=uid)
        saved.append(uid)
print(json.dumps({"saved": saved, "undone": undone}))
"""


def _replay(decisions) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    latest: dict[tuple[str, str], str] = {}
    for d in sorted(decisions, key=lambda d: d.id):
        latest[(d.response_id, d.code)] = d.action
    return latest


@pytest.mark.parametrize("processes", [4])  # four contend harder than two, which added nothing but time
def test_coders_recording_and_undoing_at_once_lose_and_double_nothing(sample_project, processes: int) -> None:
    path = sample_project.location
    sample_project.close()
    n = scale(60, 1000)
    # Half the processes share one coder name (same new coder, same coder undoing in two sessions).
    coders = ["ana" if i % 2 == 0 else "ben" for i in range(processes)]
    children = [start_python(CODER_SCRIPT, path, coder, str(n), str(seed))
                for seed, coder in enumerate(coders)]
    results = []
    for child in children:
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err
        results.append(json.loads(out))

    from codewell.project import Project

    with Project.open(path) as project:
        decisions = project.decisions()
        uids = Counter(d.uid for d in decisions)
        assert max(uids.values()) == 1, "an event was stored twice"
        for result in results:
            assert set(result["saved"]) <= set(uids), "a saved decision is missing"
        reversed_ = Counter(d.undoes for d in decisions if d.undoes is not None)
        assert not reversed_ or max(reversed_.values()) == 1, "an event was reversed twice"
        for coder in set(coders):
            mine = [d for d in decisions if d.coder == coder]
            expected = {key for key, action in _replay(mine).items() if action == "apply"}
            derived = {(rid, code) for rid, codes in project.codings(coder).items() for code in codes}
            assert derived == expected
    coder_rows = table_rows(path, "coders")
    assert sorted(row[1] for row in coder_rows) == sorted(set(coders))


def test_two_sessions_adding_codes_keep_both(sample_project) -> None:
    from codewell.project import Project
    from codewell.values import Code

    other = Project.open(sample_project.location)
    try:
        assert "cost" not in other.codebook.ids  # both sessions have read the codebook
        sample_project.add_code(Code(id="cost", label="Cost"))
        other.add_code(Code(id="privacy_breach", label="Privacy breach"))
        other.record("ben", sample_project.responses()[0].id, "cost", "apply")  # known without reopening
    finally:
        other.close()
    with Project.open(sample_project.location) as project:
        assert {"cost", "privacy_breach"} <= set(project.codebook.ids)
        assert project.codebook_version == 3


def test_a_code_added_elsewhere_is_usable_at_once(sample_project) -> None:
    from codewell.project import Project
    from codewell.values import Code

    with Project.open(sample_project.location) as other:
        other.add_code(Code(id="cost", label="Cost"))
    rid = sample_project.responses()[0].id
    decision = sample_project.record("ana", rid, "cost", "apply")
    assert decision.codebook_version == 2


def test_a_failed_import_of_codings_leaves_no_coder_behind(sample_project, tmp_path: Path) -> None:
    """Case 8: the coder created inside a rolled-back transaction must not be remembered."""
    from codewell.errors import CodewellError

    ids = [r.id for r in sample_project.responses()[:2]]
    with pytest.raises(CodewellError):
        sample_project.apply_codings({"zed": {ids[0]: frozenset({"anxiety"})},
                                      "yan": {ids[1]: frozenset({"no_such_code"})}}, source="t")
    assert sample_project.coders() == ()
    sample_project.record("ana", ids[0], "anxiety", "apply")
    sample_project.record("zed", ids[1], "anxiety", "apply")
    assert sample_project.codings("ana") == {ids[0]: frozenset({"anxiety"})}
    assert sample_project.codings("zed") == {ids[1]: frozenset({"anxiety"})}
    assert [d.coder for d in sample_project.decisions()] == ["ana", "zed"]


def test_same_new_coder_from_two_processes_at_the_same_moment(sample_project) -> None:
    path = sample_project.location
    sample_project.close()
    script = """
        import sys, time
        from codewell.project import Project
        with Project.open(sys.argv[1]) as project:
            rid = project.responses()[0].id
            start = float(sys.argv[2])
            while time.time() < start:
                pass
            project.record("newcomer", rid, "anxiety", "apply")
        print("ok")
    """
    import time

    start = str(time.time() + 1.5)
    children = [start_python(script, path, start) for _ in range(3)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0 and out.strip() == "ok", err
    assert [row[1] for row in table_rows(path, "coders")] == ["newcomer"]


def test_retrying_with_the_same_uid_lands_once(sample_project) -> None:
    rid = sample_project.responses()[0].id
    first = sample_project.record("ana", rid, "anxiety", "apply", uid="a" * 32)
    again = sample_project.record("ana", rid, "anxiety", "apply", uid="a" * 32)
    assert first.id == again.id
    assert len(sample_project.decisions("ana")) == 1


def test_undo_never_reverses_an_event_twice_across_sessions(sample_project) -> None:
    from codewell.project import Project

    rid = sample_project.responses()[0].id
    sample_project.record("ana", rid, "anxiety", "apply")
    sample_project.record("ana", rid, "understanding", "apply")
    with Project.open(sample_project.location) as other:
        first = other.undo("ana")
        second = sample_project.undo("ana")
        third = other.undo("ana")
    assert (first.code, second.code) == ("understanding", "anxiety")
    assert third is None
    assert sample_project.codings("ana") == {}


def test_many_retries_of_one_undo_reverse_once(sample_project) -> None:
    rid = sample_project.responses()[0].id
    sample_project.record("ana", rid, "anxiety", "apply")
    sample_project.record("ana", rid, "understanding", "apply")
    undos = [sample_project.undo("ana", uid="b" * 32) for _ in range(3)]
    assert len({u.id for u in undos}) == 1
    assert sample_project.codings("ana") == {rid: frozenset({"anxiety"})}


def test_two_imports_of_the_same_file_at_once(empty_project, tmp_path: Path) -> None:
    from conftest import SAMPLE

    path = empty_project.location
    empty_project.close()
    script = """
        import sys
        from codewell.project import Project
        with Project.open(sys.argv[1]) as project:
            report = project.import_responses(sys.argv[2])
        print(report.added, report.unchanged)
    """
    children = [start_python(script, path, str(SAMPLE / "responses.csv")) for _ in range(2)]
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        outputs.append(tuple(int(x) for x in out.split()))
    total = len(table_rows(path, "responses"))
    assert sorted(outputs) == sorted([(total, 0), (0, total)])

