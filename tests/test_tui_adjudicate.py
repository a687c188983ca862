"""The adjudication app driven by real key presses; every outcome is read back from the store."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest

from codewell.codebook import load_codebook
from codewell.errors import UnknownNameError
from codewell.values import Status
from codewell.project import Project
from codewell.tui.adjudicate_app import AdjudicateHelp, adjudicate_commands, make_adjudicate_app
from codewell.tui.screens.adjudicate import AdjudicateScreen
from codewell.tui.screens.agreement_view import AgreementScreen
from codewell.tui.widgets.consensus_list import ConsensusList, ConsensusRow

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
SAMPLE = ROOT / "samples" / "image-sharing"
SIZE = (100, 40)
CODERS = ["ana", "ben"]

TEXTS = {
    "r1": "Seeing the scan helps them understand the injury.",
    "r2": "Understanding improves, but the portal worries me for privacy reasons.",
    "r3": "Some will panic when they see a shadow they cannot read.",
    "r4": "They talk more openly with the team and keep up with their exercises.",
    "r5": "Anxious patients would read too much into it.",
    "r6": "We would be sued for every missed finding.",
}
# r1 and r6 identical; r2, r3, r4 disagree; r5 is not finished by ben, so it is not compared.
CODINGS = {
    "ana": {"r1": {"understanding"}, "r2": {"understanding", "privacy"}, "r3": set(),
            "r4": {"adherence", "communication"}, "r5": {"anxiety"}, "r6": {"medicolegal"}},
    "ben": {"r1": {"understanding"}, "r2": {"understanding"}, "r3": {"anxiety"},
            "r4": {"communication", "anxiety"}, "r6": {"medicolegal"}},
}


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A project where ana and ben finished five responses each, four of them the same ones."""
    source = tmp_path / "responses.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "setting", "response"])
        for rid, text in TEXTS.items():
            writer.writerow([rid, "Hospital" if rid in ("r1", "r2", "r3") else "Community", text])
    location = tmp_path / "p.cw"
    with Project.create(location, load_codebook(CODEBOOK)) as project:
        project.import_responses(source)
        for coder, by_response in CODINGS.items():
            for rid, codes in by_response.items():
                for code in sorted(codes):
                    project.record(coder, rid, code, "apply")
                project.set_status(coder, rid, Status.DONE)
        project.set_memo("ana", "r2", "the portal is a privacy worry")
        project.set_memo("ben", "r4", "no sign of anxiety to me")
    return location


def consensus(location: Path):
    """What a fresh connection sees for the coder consensus: codings, statuses, decisions."""
    with Project.open(location) as project:
        return project.codings("consensus"), project.statuses("consensus"), project.decisions("consensus")


def screen_of(app) -> AdjudicateScreen:
    assert isinstance(app.screen, AdjudicateScreen)
    return app.screen


def current_id(app) -> str | None:
    d = screen_of(app).walk.current
    return None if d is None else d.response.id


def progress(app) -> str:
    return str(screen_of(app).query_one("#adj-progress").render())


def checked(app) -> frozenset[str]:
    return screen_of(app).query_one(ConsensusList).selected


async def test_start_carries_agreements_and_opens_the_first_disagreement(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(n.message == "carried 4 agreed codings into consensus" for n in app._notifications)
        assert current_id(app) == "r2"
        assert "disagreement 1 of 3, 0 settled" in progress(app)
        assert checked(app) == {"understanding"}  # the agreed code is already in consensus
        columns = ["\n".join(line.plain for line in w.content.renderables)
                   for w in app.screen.query(".coder-codes")]
        assert "+ Privacy" in columns[0] and "memo: the portal is a privacy worry" in columns[0]
        assert "= Understanding" in columns[1] and "- Privacy" in columns[1]
        rows = {row.code.id: row for row in app.screen.query(ConsensusRow)}
        assert rows["privacy"].has_class("-disputed") and "ana only" in str(rows["privacy"].render())
        assert "agreed" in str(rows["understanding"].render())
        text = str(app.screen.query_one("#adj-text").render())
        assert text.startswith("Understanding improves")
    codings, statuses, decisions = consensus(study)
    assert codings == {"r1": {"understanding"}, "r2": {"understanding"}, "r4": {"communication"},
                       "r6": {"medicolegal"}}
    assert statuses == {"r1": Status.DONE, "r6": Status.DONE}
    assert {d.note for d in decisions} == {"agreed"}


async def test_take_each_coder_union_and_agreed_then_all_settled(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1")  # r2: ana's set
        assert checked(app) == {"understanding", "privacy"}
        await pilot.press("enter")
        assert consensus(study)[0]["r2"] == {"understanding", "privacy"}  # committed before moving on
        assert any(n.message.startswith("saved r2: Understanding, Privacy") for n in app._notifications)
        assert current_id(app) == "r3" and "disagreement 2 of 3, 1 settled" in progress(app)
        await pilot.press("2", "enter")  # r3: ben's set
        assert current_id(app) == "r4"
        await pilot.press("u")  # r4: the union...
        assert checked(app) == {"adherence", "communication", "anxiety"}
        await pilot.press("i")  # ...then changed mind: agreed only
        assert checked(app) == {"communication"}
        await pilot.press("enter")
        assert current_id(app) is None
        assert app.screen.has_class("-finished")
        assert "all 3 disagreements settled" in progress(app)
        finished = str(app.screen.query_one("#adj-finished").render())
        assert "All disagreements settled" in finished and "3 disagreements, 3 settled" in finished
        await pilot.press("1")  # nothing to take any more: the key does nothing
        await pilot.press("q")
    codings, statuses, decisions = consensus(study)
    assert codings == {"r1": {"understanding"}, "r2": {"understanding", "privacy"}, "r3": {"anxiety"},
                       "r4": {"communication"}, "r6": {"medicolegal"}}
    assert statuses == {rid: Status.DONE for rid in ("r1", "r2", "r3", "r4", "r6")}
    adjudicated = [(d.response_id, d.code, d.action) for d in decisions if d.note == "adjudicated"]
    assert adjudicated == [("r2", "privacy", "apply"), ("r3", "anxiety", "apply")]


async def test_edit_with_number_keys_cursor_and_space(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        assert app.focused is app.screen.query_one(ConsensusList)
        await pilot.press("3")  # toggles code 3 (adherence), not ben's set
        await pilot.press("down", "space")  # the next code: interpretation_difficulty
        await pilot.press("1")  # and code 1 off again
        assert checked(app) == {"adherence", "interpretation_difficulty"}
        assert "unsaved" in str(app.screen.query_one("#consensus-title").render())
        assert consensus(study)[0]["r2"] == {"understanding"}  # nothing stored before enter
        await pilot.press("escape")
        assert app.focused is not app.screen.query_one(ConsensusList)
        await pilot.press("enter")
        assert current_id(app) == "r3"
        await pilot.click(ConsensusRow, offset=(10, 0))  # a click on the first row toggles it
        assert checked(app) == {"understanding"}
    assert consensus(study)[0]["r2"] == {"adherence", "interpretation_difficulty"}


async def test_navigation_keeps_unsaved_choices_and_stops_at_the_ends(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "n")
        assert current_id(app) == "r3"
        await pilot.press("n", "n")
        assert current_id(app) == "r4"  # the last one: n stays put
        assert "disagreement 3 of 3, 0 settled" in progress(app)
        await pilot.press("p", "p")
        assert current_id(app) == "r2" and checked(app) == {"understanding", "privacy"}
        await pilot.press("p")
        assert current_id(app) == "r2"
        await pilot.press("n", "n", "2", "enter")  # saving the last one goes back to the first left
        assert current_id(app) == "r2" and "disagreement 1 of 3, 1 settled" in progress(app)
    assert "r2" not in consensus(study)[1]  # moving is not saving
    assert consensus(study)[0]["r4"] == {"communication", "anxiety"}


async def test_resume_skips_settled_and_revisit_shows_them(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(n.message == "carried 0 agreed codings into consensus" for n in app._notifications)
        assert current_id(app) == "r3" and "disagreement 2 of 3, 1 settled" in progress(app)
        await pilot.press("p")
        assert current_id(app) == "r3"  # r2 is settled: skipped
        await pilot.press("a", "p")
        assert current_id(app) == "r2" and checked(app) == {"understanding", "privacy"}
        assert "settled" in str(app.screen.query_one("#adj-meta").render())
        await pilot.press("2", "enter")  # settle it again, differently
        assert current_id(app) == "r3"
        await pilot.press("a")  # back to unsettled only
        assert current_id(app) == "r3"
    codings, _, decisions = consensus(study)
    assert codings["r2"] == {"understanding"}
    assert [(d.code, d.action, d.note) for d in decisions][-1] == ("privacy", "remove", "adjudicated")


async def test_opens_finished_when_everything_was_settled_before(study: Path) -> None:
    with Project.open(study) as project:
        project.carry_agreements(CODERS)
        for rid in ("r2", "r3", "r4"):
            project.settle(rid, frozenset({"anxiety"}))
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-finished") and "all 3 disagreements settled" in progress(app)
        await pilot.press("n")  # n from the finished state revisits, from the first
        assert current_id(app) == "r2" and checked(app) == {"anxiety"}


async def test_agreement_view_shows_the_project_figures_with_readings(study: Path) -> None:
    with Project.open(study) as project:
        expected = project.agreement(CODERS).to_dict()
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen
        assert isinstance(view, AgreementScreen)
        table = view.query_one("#agreement-table")
        assert table.row_count == 9
        for code, figures in expected["codes"].items():
            row = [str(cell) for cell in table.get_row(code)]
            assert row[0] == code and row[1] == str(figures["n"]) == "5"
            for column, name in ((2, "percent_agreement"), (3, "cohen_kappa"), (4, "krippendorff_alpha"),
                                 (5, "gwet_ac1"), (6, "prevalence")):
                value = figures[name]
                assert row[column] == ("undefined" if value is None or math.isnan(value) else f"{value:.3f}")
        privacy = [str(cell) for cell in table.get_row("privacy")]
        assert privacy[7] == "unreliable / slight"  # kappa 0.000: words carry the band without colour
        overall = str(view.query_one("#agreement-overall").render())
        assert f"{expected['overall']['krippendorff_alpha']:.3f}" in overall
        await pilot.press("escape")
        assert isinstance(app.screen, AdjudicateScreen)


async def test_agreement_view_reports_what_cannot_be_computed(study: Path) -> None:
    with Project.open(study) as project:  # leave a single response both finished
        for rid in ("r1", "r2", "r3", "r4"):
            project.set_status("ben", rid, Status.UNCODED)
        project.record("ana", "r6", "anxiety", "apply")
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Agreement cannot be computed" in str(app.screen.query_one("#agreement-title").render())


async def test_help_lists_the_keys_and_the_palette_offers_each_coder(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, AdjudicateHelp)
        ids = {row[2] for row in app.screen.rows}
        assert {"adjudicate.take_1..9", "adjudicate.union", "adjudicate.agreed", "adjudicate.edit",
                "adjudicate.save", "nav.next", "nav.previous", "agreement.view", "consensus.toggle"} <= ids
        assert any("1 = ana, 2 = ben" in row[1] for row in app.screen.rows)
        await pilot.press("escape")
        commands = {title: callback for title, _, callback in adjudicate_commands(app, app.screen)}
        commands["Take ana's codes"]()
        await pilot.pause()
        assert checked(app) == {"understanding", "privacy"}
        assert "Walk through all disagreements, settled ones too (press again: unsettled only)" in commands


async def test_small_terminal_80x24(study: Path) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = list(app.screen.query(ConsensusRow))
        footer_top = app.screen.query_one("Footer").region.y
        assert all(row.region.height == 1 and row.region.bottom <= footer_top for row in rows)
        assert app.screen.query_one("#adj-text").region.height >= 1
        await pilot.press("1", "enter", "2", "enter", "u", "enter")
        assert app.screen.has_class("-finished")
    assert consensus(study)[0]["r4"] == {"adherence", "communication", "anxiety"}


async def test_three_coders_each_get_a_column_and_a_key(study: Path) -> None:
    with Project.open(study) as project:
        for rid, codes in (("r2", ("understanding", "anxiety")), ("r3", ())):
            for code in codes:
                project.record("cy", rid, code, "apply")
            project.set_status("cy", rid, Status.DONE)
    app = make_adjudicate_app(str(study), [*CODERS, "cy"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.screen.query(".coder-column")) == 3
        assert "disagreement 1 of 2, 0 settled" in progress(app)  # only r2 and r3 all three finished
        row = next(r for r in app.screen.query(ConsensusRow) if r.code.id == "privacy")
        assert "ana only" in str(row.render())
        await pilot.press("3", "enter")
    assert consensus(study)[0]["r2"] == {"understanding", "anxiety"}


def test_unknown_coder_fails_before_the_screen(study: Path) -> None:
    with pytest.raises(UnknownNameError, match="no coder 'bne'"):
        make_adjudicate_app(str(study), ["ana", "bne"])


async def test_sample_study(tmp_path: Path) -> None:
    location = tmp_path / "sample.cw"
    with Project.create(location, load_codebook(CODEBOOK)) as project:
        project.import_responses(SAMPLE / "responses.csv")
        project.import_codings(SAMPLE / "codings.csv")
        plan = project.adjudication(CODERS)
    app = make_adjudicate_app(str(location), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert f"disagreement 1 of {len(plan.disagreements)}, 0 settled" in progress(app)
        assert current_id(app) == plan.disagreements[0].response.id
        await pilot.press("u", "enter")
        assert current_id(app) == plan.disagreements[1].response.id
    first = plan.disagreements[0]
    assert consensus(location)[0][first.response.id] == first.agreed | first.disputed


def test_startup_loads_no_heavy_library() -> None:
    """Opening the app must not pay for numpy, pandas, spaCy or scikit-learn."""
    code = ("import sys, codewell.tui.adjudicate_app; "
            "print(sorted(m for m in ('numpy', 'pandas', 'spacy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_snapshot_adjudicate_screen(study: Path, snap_compare) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    assert snap_compare(app, terminal_size=(100, 32), press=["e", "3"], run_before=_quiet_after_start)


def test_snapshot_adjudicate_80x24(study: Path, snap_compare) -> None:
    app = make_adjudicate_app(str(study), CODERS)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_quiet_after_start)


def test_snapshot_agreement_view(study: Path, snap_compare) -> None:
    async def open_view(pilot) -> None:
        await _quiet_after_start(pilot)
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = make_adjudicate_app(str(study), CODERS)
    assert snap_compare(app, terminal_size=(100, 32), run_before=open_view)


async def _quiet_after_start(pilot) -> None:
    """No toast in a snapshot: it would cover the layout the snapshot is about."""
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


async def test_saving_while_another_process_holds_the_lock_keeps_the_choice(study: Path) -> None:
    from faults import HeldLock

    app = make_adjudicate_app(str(study), CODERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1")  # r2: ana's set
        with HeldLock(study, seconds=6.0):
            await pilot.press("enter")
            await pilot.pause()
            assert any(n.message.startswith("The project is busy") for n in app._notifications)
            assert current_id(app) == "r2" and checked(app) == {"understanding", "privacy"}
        await pilot.press("enter")
        await pilot.pause()
        assert current_id(app) == "r3"
    assert consensus(study)[0]["r2"] == {"understanding", "privacy"}
