"""Reliability sets through the facade and the CLI: drawn once, the same for every coder, and
nobody's work on an open set reaches anyone else, whichever door they ask through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.project import Project
from codewell.values import Response, Status
from tui_fixtures import CODEBOOK, RESPONSES

runner = CliRunner()


def make_study(folder: Path, n: int = 60) -> Path:
    """``n`` responses (the TUI study's twenty, repeated with new ids) with a profession each."""
    location = folder / "study.cw"
    rows = [RESPONSES[i % len(RESPONSES)] for i in range(n)]
    with Project.create(location, CODEBOOK) as project:
        project.add_responses([Response(f"R{i:03d}", text or "", i, {"profession": prof, "setting": where})
                               for i, (prof, where, text) in enumerate(rows, 1)], "made.csv")
    return location


def finish(location: Path, coder: str, codes: dict[str, tuple[str, ...]], memo: str | None = None) -> None:
    with Project.open(location) as project:
        for rid, applied in codes.items():
            for code in applied:
                project.record(coder, rid, code, "apply")
            project.set_status(coder, rid, Status.DONE)
            if memo:
                project.set_memo(coder, rid, memo)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return make_study(tmp_path)


def test_a_set_is_reproducible_and_the_same_for_every_coder(tmp_path: Path, study: Path) -> None:
    (tmp_path / "again").mkdir()
    other = make_study(tmp_path / "again")
    with Project.open(study) as a, Project.open(other) as b:
        first, second = a.draw_set(12, seed=3), b.draw_set(12, seed=3)
        assert first.ids == second.ids and len(set(first.ids)) == 12
        assert not any(a.response(rid).is_empty for rid in first.ids)
        assert [r.id for r in a.set_responses("irr")] == list(first.ids)
        # the coding order is seeded, not file order, and fixed once drawn
        assert list(first.ids) != sorted(first.ids)
        a.join_set("irr", "ana")
        a.join_set("irr", "ben")
        assert a.reliability_set("irr").ids == first.ids
        assert a.reliability_set("irr").participants == ("ana", "ben")


def test_stratified_sets_keep_each_group_s_share(study: Path) -> None:
    with Project.open(study) as project:
        drawn = project.draw_set(20, seed=1, stratify="profession")
        shares: dict[str, int] = {}
        for rid in drawn.ids:
            prof = project.response(rid).attributes["profession"]
            shares[prof] = shares.get(prof, 0) + 1
        everyone = [r.attributes["profession"] for r in project.responses() if not r.is_empty]
    for prof, n in shares.items():
        expected = 20 * everyone.count(prof) / len(everyone)
        assert abs(n - expected) < 1, (prof, n, expected)


def test_the_cli_draws_prints_and_reports_the_set_in_status(study: Path) -> None:
    result = run("sample", study, "--size", "10", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "Drew set 'irr': 10 responses (seed 2)" in result.stdout
    data = json.loads(run("status", study, "--json").stdout)
    item = data["sets"]["irr"]
    assert item["size"] == 10 and len(item["ids"]) == 10 and item["open"] is True
    assert item["ids"] == result.stdout.splitlines()[1].split()
    again = run("sample", study, "--size", "10")
    assert again.exit_code == 2
    assert again.stderr.strip() == ("Error: there is already a set 'irr' "
                                    "(pick another --name; a drawn set never changes)")


def test_a_set_name_differing_only_in_case_is_refused(study: Path) -> None:
    """'IRR' beside 'irr' would be two sets that read alike in every report and hint."""
    assert run("sample", study, "--size", "10").exit_code == 0
    before = study.read_bytes()
    again = run("sample", study, "--size", "10", "--name", "IRR")
    assert again.exit_code == 2
    assert again.stderr.strip() == (
        "Error: there is already a set 'irr', which differs from 'IRR' only in case (to use it, name "
        "'irr'; a new set needs a name that differs by more than upper and lower case)")
    assert study.read_bytes() == before
    assert run("sample", study, "--size", "10", "--name", "IRR-2").exit_code == 0


def test_bad_stratify_is_one_line_and_draws_nothing(study: Path) -> None:
    before = study.read_bytes()
    result = run("sample", study, "--size", "5", "--stratify", "profesion")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no attribute 'profesion' to stratify by (did you mean 'profession'?)"
    assert study.read_bytes() == before


def test_an_open_set_hides_each_coder_s_work_from_the_other(study: Path) -> None:
    with Project.open(study) as project:
        ids = project.draw_set(6, seed=1).ids
        project.join_set("irr", "ana")
        project.join_set("irr", "ben")
    outside = "R001" if "R001" not in ids else "R003"
    finish(study, "ana", {rid: ("anxiety",) for rid in ids}, memo="ana-private-note")
    finish(study, "ana", {outside: ("understanding",)})
    with Project.open(study, viewer="ben") as ben:
        assert ben.codings("ana") == {outside: frozenset({"understanding"})}
        assert ben.memos("ana") == {}
        assert set(ben.statuses("ana")) == {outside}
        assert {d.response_id for d in ben.decisions("ana")} == {outside}
        assert {d.response_id for d in ben.decisions()} == {outside}
        assert set(ben.dataset(["ana"]).codings["ana"]) == {outside}
        summary = ben.summary()
        assert summary["coders"]["ana"]["done"] == 1
        assert set(summary["sets"]["irr"]["coders"]) <= {"ben"}
    with Project.open(study, viewer="ana") as ana:  # her own work is hers
        assert set(ana.codings("ana")) == {*ids, outside}
    with Project.open(study) as owner:             # no viewer: the project's owner view
        assert owner.summary()["sets"]["irr"]["coders"]["ana"]["done"] == 6
    status = run("status", study, "--coder", "ben", "--json")
    assert json.loads(status.stdout)["coders"]["ana"]["done"] == 1


def test_the_set_closes_when_every_coder_who_opened_it_has_finished(study: Path) -> None:
    with Project.open(study) as project:
        ids = project.draw_set(4, seed=1).ids
        project.join_set("irr", "ana")
    finish(study, "ana", {rid: ("anxiety",) for rid in ids})
    with Project.open(study) as project:
        assert project.reliability_set("irr").is_open  # one coder is not a reliability check
        project.join_set("irr", "ben")
    finish(study, "ben", {rid: ("anxiety",) for rid in ids[:3]})
    with Project.open(study, viewer="ben") as ben:
        assert ben.codings("ana") == {}
    finish(study, "ben", {ids[3]: ()})
    with Project.open(study, viewer="ben") as ben:
        assert not ben.reliability_set("irr").is_open
        assert set(ben.codings("ana")) == set(ids)


def test_agree_uses_the_set_says_so_and_warns_on_a_small_overlap(study: Path) -> None:
    with Project.open(study) as project:
        ids = project.draw_set(4, seed=1).ids
        for coder in ("ana", "ben"):
            project.join_set("irr", coder)
    finish(study, "ana", {rid: ("anxiety",) if i % 2 else ("understanding",) for i, rid in enumerate(ids)})
    finish(study, "ben", {rid: ("anxiety",) for rid in ids})
    finish(study, "ana", {"R050": ("anxiety",)})
    finish(study, "ben", {"R050": ("anxiety",)})
    result = run("agree", study, "--coders", "ana,ben")
    assert result.exit_code == 0, result.output
    assert "On set 'irr': overlap 4 responses; codebook version 1" in result.stdout
    assert "! agreement rests on 4 responses" in result.stdout
    data = json.loads(run("agree", study, "--coders", "ana,ben", "--json").stdout)
    assert data["overlap"] == 4 and data["set"] == "irr" and data["codebook_version"] == 1
    assert any("rests on 4 responses" in w for w in data["warnings"])
    assert any(w.startswith("alpha for anxiety rests on 4 positive responses") for w in data["warnings"])
    everything = json.loads(run("agree", study, "--coders", "ana,ben", "--all-responses", "--json").stdout)
    assert everything["overlap"] == 5 and everything["set"] is None


def test_agree_on_sixty_responses_does_not_warn_about_the_overlap(study: Path) -> None:
    codes = ("understanding", "anxiety", "communication", "adherence", "interpretation_difficulty")
    with Project.open(study) as project:
        ids = project.draw_set(60, seed=1).ids
    work = {rid: (codes[i % 5], codes[(i + 1) % 5]) for i, rid in enumerate(ids)}
    finish(study, "ana", work)
    finish(study, "ben", work)
    data = json.loads(run("agree", study, "--coders", "ana,ben", "--set", "irr", "--json").stdout)
    assert data["overlap"] == len(ids) >= 55
    assert data["warnings"] == []


def test_agree_on_an_unknown_set_is_one_line(study: Path) -> None:
    finish(study, "ana", {"R001": ()})
    finish(study, "ben", {"R001": ()})
    with Project.open(study) as project:
        project.draw_set(4)
    result = run("agree", study, "--coders", "ana,ben", "--set", "ir")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no set 'ir' in this project (did you mean 'irr'?)"


def test_plan_recommends_the_rarest_code_s_need_as_the_default_size(study: Path) -> None:
    finish(study, "ana", {f"R{i:03d}": ("understanding",) * (i % 2) + ("anxiety",) * (i % 4 == 0)
                          for i in range(1, 21)})
    result = run("sample", study, "--plan", "--json")
    plan = json.loads(result.stdout)
    # half the responses: p = 0.5 -> 103; a quarter: Krippendorff's own 139
    assert plan["codes"]["understanding"]["units"] == 103 and plan["codes"]["anxiety"]["units"] == 139
    assert plan["recommended"] == max(c["units"] for c in plan["codes"].values())
    drawn = run("sample", study)
    assert "Size from the plan" in drawn.stdout
    with Project.open(study) as project:  # more than the study holds: all of its non-empty responses
        assert project.reliability_set("irr").size == sum(1 for r in project.responses() if not r.is_empty)


def test_a_schema_2_project_gains_sets_on_upgrade(tmp_path: Path) -> None:
    """The 0003 step adds the set tables to a project made before them, after the backup."""
    import sqlite3

    location = make_study(tmp_path, n=5)
    with Project.open(location) as project:
        project.set_status("ana", "R002", Status.FLAGGED)   # how schema 2 kept a flag
    conn = sqlite3.connect(location)
    conn.executescript("DROP TABLE set_coders; DROP TABLE set_members; DROP TABLE reliability_sets;"
                       "DROP TABLE flags; UPDATE meta SET value = '2' WHERE key = 'schema_version';")
    conn.close()
    with Project.open(location) as project:
        assert any("schema 2 to" in note for note in project.notes)
        assert project.draw_set(3).size == 3
        assert project.flags("ana") == {"R002"} and project.statuses("ana") == {}


@pytest.mark.parametrize(("args", "line"), [
    (("--set", "ir"), "Error: no set 'ir' in this project (did you mean 'irr'?)"),
    (("--set", "irr", "--suggestions"),
     "Error: suggestions are off in set 'irr': they could carry earlier decisions into the second coding "
     "(leave out --suggestions; a drawn set never changes, so only a new set allows them: "
     "codewell sample {study} --name NEW_NAME --allow-suggestions)"),
    (("--set", "irr", "--order", "random"),
     "Error: set 'irr' is coded in its own order, the same for every coder (leave out --order)"),
])
def test_code_on_a_set_refuses_what_would_break_it_before_the_screen(study: Path, args, line: str) -> None:
    with Project.open(study) as project:
        project.draw_set(4)
    result = run("code", study, "--coder", "ben", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == line.format(study=study)
