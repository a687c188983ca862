"""The coding list over a whole project, a window at a time from the store (issue 15): first and
last rows, filters that empty the list, a row far beyond the windows read, the random order
(stable across reopen, the same as the in-memory one for seed 0), order by uncertainty as a
ranked head, and storage keys with gaps. Checked against the same list built in memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codewell.errors import DataFileError
from codewell.project import Project
from codewell.project.rows import WINDOW
from codewell.sampling import random_order
from codewell.tui.session import CodingSession
from codewell.values import Response, Status
from tui_fixtures import CODEBOOK

N = 1_000  # five windows


def ids(n: int = N) -> list[str]:
    return [f"S{i:04d}" for i in range(n)]


def make(path: Path, n: int = N) -> Path:
    with Project.create(path, CODEBOOK) as project:
        project.add_responses([Response(rid, f"answer {i} about the scan", i + 2, {"site": str(i % 3)})
                               for i, rid in enumerate(ids(n))], "big.csv")
    return path


@pytest.fixture
def location(tmp_path: Path) -> Path:
    return make(tmp_path / "big.cw")


def session(location: Path, **kwargs) -> CodingSession:
    return CodingSession(Project.open(location, viewer="ana"), "ana", suggestions_on=False, **kwargs)


def listed(s: CodingSession) -> list[str]:
    return [s.responses[p].id for p in s.rows]


def test_every_response_in_file_order_reads_nothing_until_asked(location) -> None:
    s = session(location)
    assert len(s.rows) == s.total == N and s.rows.identity
    assert s.rows[0] == 0 and s.rows[-1] == N - 1 and s.row_of.get(N - 1) == N - 1
    assert s.response.id == "S0000" and not s.move(-1)  # the first row
    s.go_to(s.index_of["S0999"])  # far beyond any window read
    assert s.response.id == "S0999" and not s.move(1)  # the last row
    assert s.move(-1) and s.response.id == "S0998"


def test_random_order_is_the_in_memory_order_for_seed_0_and_stable_across_reopen(location) -> None:
    first = session(location)
    first.set_order("random")
    assert listed(first) == [ids()[i] for i in random_order(ids(), 0)]
    seeded = session(location, seed=3)
    seeded.set_order("random")
    again = session(location, seed=3)  # another open of the file: the same order
    again.set_order("random")
    assert listed(seeded) == listed(again) != listed(first)
    start = listed(first).index(listed(seeded)[0])  # seed 3 enters the same cycle elsewhere
    assert listed(seeded) == listed(first)[start:] + listed(first)[:start]


def test_a_row_far_beyond_the_windows_read_and_its_neighbours(location) -> None:
    expected = [ids()[i] for i in random_order(ids(), 0)]
    s = session(location)
    s.set_order("random")
    far = len(expected) - 7  # in the last window, none read yet
    s.go_to(s.index_of[expected[far]])
    assert s.row_of.get(s.current) == far and s.response.id == expected[far]
    assert s.move(1) and s.response.id == expected[far + 1]
    for _ in range(5):
        assert s.move(1)
    assert s.response.id == expected[-1] and not s.move(1)  # the last row
    s.go_to(s.index_of[expected[WINDOW]])  # the first row of the second window, from the top
    assert s.move(-1) and s.response.id == expected[WINDOW - 1]


def test_uncoded_keeps_what_this_session_codes_until_the_filter_is_chosen_again(location) -> None:
    s = session(location)
    s.project.set_status("ana", "S0001", Status.DONE)  # before the session: not in the list
    s = session(location)
    s.set_filter("uncoded")
    assert len(s.rows) == N - 1 and listed(s)[:2] == ["S0000", "S0002"]
    s.mark(Status.DONE)  # S0000: stays where it is while the coder moves on
    s.go_to(s.index_of["S0450"])
    s.mark(Status.SKIPPED)
    assert len(s.rows) == N - 1 and "S0450" in listed(s) and listed(s)[0] == "S0000"
    s.set_filter("uncoded")
    assert len(s.rows) == N - 3 and listed(s)[:2] == ["S0002", "S0003"] and "S0450" not in listed(s)
    assert s.first_unfinished() == s.index_of["S0002"]


def test_filters_that_empty_the_list(location) -> None:
    s = session(location)
    for name in ("flagged", "memo", "coded", "code:anxiety"):
        s.set_filter(name)
        assert len(s.rows) == 0 and list(s.rows) == [] and not s.move(1) and not s.move(-1)
        assert s.row_of.get(s.current) is None and s.response.id == "S0000"
    small = make(location.with_name("small.cw"), 12)
    with Project.open(small) as project:
        for rid in ids(12):
            project.set_status("ana", rid, Status.DONE)
    s = session(small)
    s.set_filter("uncoded")
    assert len(s.rows) == 0 and not s.move(1)
    s.set_filter("all")
    assert s.first_unfinished() == s.rows[0]  # every one done: the first of the list


def test_filters_bounded_by_the_coders_work_follow_the_order(location) -> None:
    with Project.open(location) as project:
        for rid in ("S0900", "S0003", "S0500"):
            project.set_status("ana", rid, Status.DONE)
            project.record("ana", rid, "anxiety", "apply")
        project.record("ana", "S0004", "understanding", "apply")
        project.set_flag("ana", "S0700", True)
        project.set_memo("ana", "S0010", "ask")
        project.draw_set(40, name="irr", seed=2)
        members = project.reliability_set("irr").ids
    s = session(location)
    s.set_filter("coded")
    assert listed(s) == ["S0003", "S0500", "S0900"]
    s.set_filter("code:anxiety")
    assert listed(s) == ["S0003", "S0500", "S0900"]
    s.set_filter("code:understanding")
    assert listed(s) == ["S0004"]
    s.set_filter("flagged")
    assert listed(s) == ["S0700"]
    s.set_filter("memo")
    assert listed(s) == ["S0010"]
    s.set_filter("set:irr")
    assert listed(s) == sorted(members)
    s.set_order("random")
    assert listed(s) == [rid for rid in (ids()[i] for i in random_order(ids(), 0)) if rid in set(members)]
    s.set_filter("coded")
    assert listed(s) == [rid for rid in (ids()[i] for i in random_order(ids(), 0))
                         if rid in {"S0003", "S0500", "S0900"}]


def test_order_by_uncertainty_shows_the_ranked_head_then_the_rest_in_file_order(location) -> None:
    s = session(location)
    s.project.set_status("ana", "S0005", Status.DONE)
    s = session(location)
    candidates, texts = s.order_candidates()
    assert candidates == [p for p in range(N) if p != 5] and texts[0] == "answer 0 about the scan"
    head = s.ranked_head(candidates, [899, 449, 4])  # indices into the candidates
    assert head == [900, 450, 4]
    s.set_filter("uncoded")
    s.set_order("uncertain", [900, 5, 450, 4])  # 5 is done: the filter leaves it out
    rows = list(s.rows)
    assert rows[:3] == [900, 450, 4] and sorted(rows) == [p for p in range(N) if p != 5]
    assert rows[3:6] == [0, 1, 2] and len(s.rows) == N - 1
    assert s.row_of.get(450) == 1 and s.row_of.get(451) == 451 and s.row_of.get(5) is None
    s.go_to(451)
    assert s.move(-1) and s.current == 449


def test_storage_keys_with_gaps_still_number_rows_in_import_order(location) -> None:
    conn = sqlite3.connect(location)  # as a server's sequence leaves gaps after a rollback
    conn.execute("DELETE FROM responses WHERE source_id IN ('S0002', 'S0600')")
    conn.commit()
    conn.close()
    kept = [rid for rid in ids() if rid not in ("S0002", "S0600")]
    s = session(location)
    assert not s.rows.identity and listed(s) == kept
    assert s.index_of["S0700"] == 698 and s.responses[698].id == "S0700"
    s.set_order("random")
    assert listed(s) == [kept[i] for i in random_order(kept, 0)]
    s.set_filter("uncoded")
    s.set_order("uncertain", [698, 0])
    assert listed(s)[:3] == ["S0700", "S0000", "S0001"] and len(s.rows) == N - 2


def test_an_upgraded_project_has_the_random_order_of_a_new_one(tmp_path: Path) -> None:
    path = tmp_path / "old.cw"
    conn = sqlite3.connect(path)
    conn.executescript((Path(__file__).parent / "data" / "project_schema5.sql").read_text(encoding="utf-8"))
    conn.close()
    s = CodingSession(Project.open(path, viewer="ana"), "ana", suggestions_on=False)
    every = [s.responses[p].id for p in range(s.total)]
    s.set_order("random")
    assert listed(s) == [every[i] for i in random_order(every, 0)]


async def test_the_screen_pages_a_random_order_goes_to_a_far_id_and_filters_with_real_keys(location):
    from codewell.tui.app import make_app

    expected = [ids()[i] for i in random_order(ids(), 0)]
    app = make_app(str(location), "ana", suggestions=False, order="random")
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.session.response.id == expected[0]
        await pilot.press("enter", "n")  # done, then on
        assert app.session.response.id == expected[2]
        far = expected[N - 3]
        await pilot.press("g", *far, "enter")  # beyond every window read so far
        await pilot.pause()
        assert app.session.response.id == far
        await pilot.press("n", "n")
        assert app.session.response.id == expected[-1]
        await pilot.press("n")  # the last row: nothing beyond it
        assert app.session.response.id == expected[-1]
        await pilot.press("ctrl+p", *"uncoded o")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.filter == "uncoded" and len(app.session.rows) == N - 1
        assert expected[0] not in [app.session.responses[p].id for p in app.session.rows[:3]]
        await pilot.press("ctrl+p", *"done o")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert [app.session.responses[p].id for p in app.session.rows] == [expected[0]]
        await pilot.press("ctrl+p", *"flagged o")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.session.rows) == 0  # a filter that empties the list
        await pilot.press("n", "p")
        assert app.session.response.id == expected[0]  # still where the last filter left it
    with Project.open(location) as project:
        assert project.statuses("ana") == {expected[0]: Status.DONE}


@pytest.mark.engines  # the same rows on SQLite and PostgreSQL
def test_the_store_answers_filters_and_orders_alike_on_both_engines(empty_project) -> None:
    project, n = empty_project, 450
    project.add_responses([Response(rid, f"answer {i}", i + 2, {}) for i, rid in enumerate(ids(n))], "x.csv")
    for rid in ("S0007", "S0300"):
        project.set_status("ana", rid, Status.DONE)
    s = CodingSession(project, "ana", suggestions_on=False, seed=5)
    s.set_order("random")
    s.set_filter("uncoded")
    cycle = [ids(n)[i] for i in random_order(ids(n), 0) if ids(n)[i] not in ("S0007", "S0300")]
    start = cycle.index(listed(s)[0])
    assert listed(s) == cycle[start:] + cycle[:start] and len(s.rows) == n - 2
    assert s.row_of.get(s.index_of[cycle[3]]) == (3 - start) % len(cycle)
    s.set_order("uncertain", [440, 7, 2])
    assert listed(s)[:4] == ["S0440", "S0002", "S0000", "S0001"] and len(s.rows) == n - 2
    assert s.first_unfinished() == 440


def test_a_long_import_builds_the_order_index_once_and_a_failed_one_keeps_it(location, tmp_path) -> None:
    def indexes() -> set[str]:
        conn = sqlite3.connect(location)
        try:
            return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        finally:
            conn.close()

    data = tmp_path / "more.csv"
    data.write_text("id,response\n" + "".join(f"T{i},more text {i}\n" for i in range(50)), encoding="utf-8")
    with Project.open(location) as project:
        project.import_responses(data, chunk_rows=20)  # three blocks
        s = CodingSession(project, "ana", suggestions_on=False)
        s.set_order("random")
        every = [s.responses[p].id for p in range(s.total)]
        assert len(s.rows) == N + 50 and listed(s) == [every[i] for i in random_order(every, 0)]
    assert "responses_shuffle" in indexes()
    data.write_text("id,response\n" + "".join(f"U{i},new {i}\n" for i in range(45)) + "T3,changed\n",
                    encoding="utf-8")
    with Project.open(location) as project, pytest.raises(DataFileError, match="different text"):
        project.import_responses(data, chunk_rows=20)
    assert "responses_shuffle" in indexes()
    with Project.open(location) as project:
        assert project.response_count() == N + 50


def test_the_row_of_a_far_position_is_counted_in_the_store_as_the_list_reads_it(location) -> None:
    s = session(location)
    s.project.set_status("ana", "S0100", Status.DONE)
    s = session(location)
    s.set_filter("uncoded")
    s.set_order("uncertain", [800, 20, 100])
    s.go_to(s.index_of["S0050"])
    s.mark(Status.DONE)  # kept in the list, though it has a status now
    for position in (900, 700, 60, 30):  # none read yet: each counted in the store
        fresh = session(location)
        fresh.set_filter("uncoded")
        fresh.set_order("uncertain", [800, 20, 100])
        fresh.rows.keep_also("S0050")
        assert fresh.row_of.get(position) == list(s.rows).index(position)
    assert s.row_of.get(100) is None and s.row_of.get(20) == 1 and s.row_of.get(50) == 50 - 1 + 2
