"""The responses a window at a time from the store: first and last rows, filters that empty the
list, a row far beyond the windows read so far, and the row of an id, on both engines."""

from __future__ import annotations

import pytest

from codewell.values import Response, Status

pytestmark = pytest.mark.engines  # the same behaviour on SQLite and PostgreSQL
N = 53
WINDOW = 5


@pytest.fixture
def project(empty_project):
    empty_project.add_responses([Response(f"P{i:03d}", f"answer number {i}", i + 2, {"n": str(i)})
                                 for i in range(N)], "pages.csv")
    return empty_project


def test_every_row_in_order_first_and_last(project) -> None:
    pages = project.response_pages("ana", window=WINDOW)
    assert len(pages) == N
    assert pages[0].id == "P000" and pages[0].attributes == {"n": "0"}
    assert pages[N - 1].id == pages[-1].id == "P052"
    assert [r.id for r in pages] == [f"P{i:03d}" for i in range(N)]
    with pytest.raises(IndexError):
        pages[N]


def test_a_row_far_beyond_the_windows_read(project) -> None:
    pages = project.response_pages("ana", window=WINDOW)
    assert pages[1].id == "P001"
    assert pages[47].id == "P047"  # read straight away, not by paging through what lies between
    assert pages[2].id == "P002" and pages[46].id == "P046"
    assert pages.row_of("P047") == 47
    assert pages.row_of("P999") is None


def test_paging_on_from_a_held_window_either_way(project) -> None:
    project.set_status("ana", "P007", Status.DONE)
    forward = project.response_pages("ana", "uncoded", window=WINDOW)
    backward = project.response_pages("ana", "uncoded", window=WINDOW)
    ids = [r.id for r in forward]  # each window after the first found from the one before
    assert [backward[row].id for row in reversed(range(len(backward)))] == ids[::-1]
    assert ids == [f"P{i:03d}" for i in range(N) if i != 7]


def test_filters_follow_the_coders_work(project) -> None:
    for rid in ("P003", "P010", "P050"):
        project.set_status("ana", rid, Status.DONE)
    project.set_flag("ana", "P010", True)
    project.set_memo("ana", "P051", "ask the team")
    project.set_status("ben", "P000", Status.DONE)  # another coder's work changes nothing for ana
    uncoded = project.response_pages("ana", "uncoded", window=WINDOW)
    assert len(uncoded) == N - 3
    assert [uncoded[i].id for i in (0, 2, 3, 47, 49)] == ["P000", "P002", "P004", "P049", "P052"]
    assert uncoded.row_of("P010") is None and uncoded.row_of("P011") == 9
    assert [r.id for r in project.response_pages("ana", "flagged")] == ["P010"]
    assert [r.id for r in project.response_pages("ana", "memo")] == ["P051"]
    project.set_status("ana", "P000", Status.SKIPPED)
    uncoded.refresh()
    assert len(uncoded) == N - 4 and uncoded[0].id == "P001"


def test_filters_that_empty_the_list(project) -> None:
    for name in ("flagged", "memo", "uncoded"):
        if name == "uncoded":
            for i in range(N):
                project.set_status("ana", f"P{i:03d}", Status.DONE)
        pages = project.response_pages("ana", name, window=WINDOW)
        assert len(pages) == 0 and list(pages) == []
        with pytest.raises(IndexError):
            pages[0]
        assert pages.row_of("P000") is None
    assert len(project.response_pages("nobody-yet", "uncoded")) == N  # a coder with no work


def test_an_unknown_filter_is_refused(project) -> None:
    with pytest.raises(ValueError, match="filter 'later' is not one of"):
        project.response_pages("ana", "later")


def test_positions_answer_by_id_without_a_dict_of_every_id(project) -> None:
    positions = project.response_pages("ana", window=WINDOW).positions()
    assert positions["P049"] == 49 and positions.get("P000") == 0
    assert "P052" in positions and "P053" not in positions and 7 not in positions
    assert positions.get("nope") is None and len(positions) == N
    with pytest.raises(KeyError):
        positions["nope"]


def test_the_coding_session_pages_the_whole_project(project) -> None:
    from codewell.project.browse import ResponsePages
    from codewell.tui.session import CodingSession

    session = CodingSession(project, "ana", suggestions_on=False)
    assert isinstance(session.responses, ResponsePages) and session.total == N
    assert session.response.id == "P000" and not session.move(-1)  # the first row
    session.go_to(session.index_of["P052"])  # far beyond the window read so far
    assert session.response.id == "P052" and not session.move(1)  # the last row
    assert session.move(-1) and session.response.id == "P051"
    session.mark(Status.DONE)
    assert session.done == 1
    session.set_filter("flagged")  # a filter that empties the list
    assert session.rows == [] and not session.move(1)
