"""A coding screen open while another session changes the codebook (the owner at the command line,
a second coder's screen): found by the probe of a team on PostgreSQL, the same on one SQLite file.

The screen kept the codebook it opened with: after a rename its key said "Not saved: no code
'anxiety'", Enter then finished the response without it, and a code added elsewhere never
appeared. Now the screen reads the newest version when a change is refused and as it moves on.
"""

from __future__ import annotations

from codewell.project import Project
from codewell.tui.app import make_app
from codewell.values import Code
from tui_fixtures import make_project, stored

SIZE = (100, 40)


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_a_key_refused_for_a_code_renamed_elsewhere_shows_the_new_codebook(tmp_path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        with Project.open(study) as owner:
            owner.rename_code("anxiety", "worry", label="Worry", reason="broader")
        await pilot.press("5")
        await pilot.pause()
        assert notes(app) == [
            "Not saved: no code 'anxiety' in the codebook",
            "The codebook changed in another session: renamed 'anxiety' to 'worry', label 'Anxiety' to "
            "'Worry': broader. The codes shown are now version 2's."]
        assert [code.id for code in app.session.codebook.codes][-1] == "worry"
        await pilot.press("5")  # the same key, now the renamed code
        await pilot.pause()
    assert stored(study)[3]["R001"] == frozenset({"worry"})


async def test_moving_on_shows_a_code_added_elsewhere_and_codings_moved_by_a_merge(tmp_path, monkeypatch) -> None:
    """Moving on looks every LOOK_EVERY seconds at most, so a fast coder's keys pay for
    no read; the look then finds what changed."""
    from codewell.tui import session_elsewhere as session

    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(session, "LOOK_EVERY", 3600.0)
        await pilot.press("4")  # interpretation_difficulty on R001
        await pilot.pause()
        with Project.open(study) as owner:
            owner.add_code(Code("cost", "Cost", "risk", "Money spent on sharing images."))
            owner.merge_codes("interpretation_difficulty", "understanding", reason="one theme")
        await pilot.press("n", "p")
        await pilot.pause()
        assert app.session.codebook_version == 1  # not looked yet
        monkeypatch.setattr(session, "LOOK_EVERY", 0.0)
        await pilot.press("n")
        await pilot.pause()
        ids = [code.id for code in app.session.codebook.codes]
        assert "cost" in ids and "interpretation_difficulty" not in ids
        assert app.session.codebook_version == 3
        assert any("added" in note and "merged" in note for note in notes(app))
        await pilot.press("p")
        await pilot.pause()
        assert app.session.codes_of("R001") == frozenset({"understanding"})  # the merge moved it
        await pilot.press(str(ids.index("cost") + 1))
        await pilot.pause()
    assert stored(study)[3]["R001"] == frozenset({"understanding", "cost"})


async def test_nothing_changed_elsewhere_says_nothing(tmp_path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "n", "2", "p")
        await pilot.pause()
        assert not any("codebook" in note.lower() for note in notes(app))
        assert app.session.codebook_version == 1
