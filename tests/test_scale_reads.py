"""Commands that need a few responses read those, never the whole project (issue 15: a
million responses): opening the coding screen, drawing and coding a reliability set, a sample,
agreement and its disagreements, importing codings, and suggesting with --limit.

Each test forbids :meth:`Project.responses` (the one call that reads every response) and checks
what the command gives against what it gave when it read everything.
"""

from __future__ import annotations

import pytest

from codewell.errors import UnknownNameError
from codewell.project import Project
from codewell.sampling import random_order, sample_positions, stratified_positions


@pytest.fixture
def project(coded_sample: str, monkeypatch: pytest.MonkeyPatch):
    with Project.open(coded_sample) as opened:
        every = opened.responses()  # the reference: what reading everything gives
        opened._responses = None
        monkeypatch.setattr(Project, "responses", _forbidden)
        yield opened, every


def _forbidden(self: Project) -> None:
    raise AssertionError("read every response of the project")


def test_a_drawn_set_is_the_draw_over_every_non_empty_response(project) -> None:
    opened, every = project
    pool = [r for r in every if not r.is_empty]
    drawn = opened.draw_set(40, name="plain", seed=7)
    chosen = [pool[p].id for p in sample_positions([r.id for r in pool], 40, 7)]
    assert list(drawn.ids) == [chosen[i] for i in random_order(chosen, 7)]
    assert [r.id for r in opened.set_responses("plain")] == list(drawn.ids)


def test_a_stratified_set_keeps_each_responses_attribute(project) -> None:
    opened, every = project
    pool = [r for r in every if not r.is_empty]
    attribute = next(name for r in pool for name in r.attributes)
    drawn = opened.draw_set(30, name="strata", seed=3, stratify=attribute)
    positions = stratified_positions([r.id for r in pool], [r.attributes.get(attribute, "") for r in pool], 30, 3)
    assert sorted(drawn.ids) == sorted(pool[p].id for p in positions)


def test_an_unknown_attribute_is_refused_with_did_you_mean(project) -> None:
    opened, every = project
    attribute = next(name for r in every for name in r.attributes)
    with pytest.raises(UnknownNameError, match=f"no attribute '{attribute}x' to stratify by") as caught:
        opened.draw_set(10, stratify=attribute + "x")
    assert attribute in (caught.value.hint or "")
    assert opened.sets() == ()


def test_a_coding_sample_is_the_same_responses_as_before(project) -> None:
    opened, every = project
    sample = opened.sample_responses(25, seed=4)
    assert sample == tuple(every[p] for p in sample_positions([r.id for r in every], 25, 4))
    assert opened.sample_responses(10_000, seed=4) == every


def test_one_response_by_id_and_an_unknown_one(project) -> None:
    opened, every = project
    assert opened.response(every[17].id) == every[17]
    with pytest.raises(UnknownNameError, match=f"no response with id '{every[17].id}x'") as caught:
        opened.response(every[17].id + "x")
    assert every[17].id in (caught.value.hint or "")


def test_agreement_and_segment_agreement_in_import_order(project) -> None:
    opened, every = project
    result = opened.agreement(["ana", "ben"])
    both = opened.finished("ana") & opened.finished("ben")
    assert list(result.units) == [r.id for r in every if r.id in both]
    assert opened.segment_agreement(["ana", "ben"]).n_units == len(both)


def test_importing_codings_checks_the_files_ids_alone(project, tmp_path) -> None:
    opened, every = project
    good = tmp_path / "good.csv"
    good.write_text(f"id,coder,code\n{every[3].id},cara,anxiety\n", encoding="utf-8")
    assert opened.import_codings(good).added == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,coder,code\n{every[4].id},cara,anxiety\nNOPE,cara,anxiety\n", encoding="utf-8")
    with pytest.raises(Exception, match="1 response id\\(s\\) not in the project: 'NOPE'"):
        opened.import_codings(bad)
    assert opened.finished("cara") == {every[3].id}


def test_suggesting_with_a_limit_reads_a_page(project) -> None:
    opened, every = project
    finished = opened.finished("ana")
    suggested = opened.suggest("ana", limit=3)
    assert [r for r, _ in suggested] == [r for r in every if r.id not in finished and not r.is_empty][:3]
