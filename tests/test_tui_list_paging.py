"""The response list at the coder's side: it keeps the current response in view, turning a page
(not a row) when the response leaves it, so an Enter at the foot of the list does not repaint it all."""

from __future__ import annotations

import pytest

from codewell.tui.app import make_app
from codewell.tui.widgets.response_list import CONTEXT, ResponseList
from tui_fixtures import make_project


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


def shown_rows(app) -> tuple[int, int, int]:
    """(first row in view, rows in view, the current response's row)."""
    listing = app.screen.query_one(ResponseList)
    return (int(listing.scroll_offset.y), listing.scrollable_content_region.height,
            app.session.row_of[app.session.current])


async def test_the_list_turns_a_page_each_way_keeping_the_current_row_in_view(study):
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        top, height, row = shown_rows(app)
        assert (top, row) == (0, 0) and height < 12
        for _ in range(height - 1):  # to the last row in view: no scrolling yet
            await pilot.press("n")
        assert shown_rows(app) == (0, height, height - 1)
        await pilot.press("n")  # past the foot: the current row comes in CONTEXT rows below the top
        assert shown_rows(app) == (height - CONTEXT, height, height)
        for _ in range(CONTEXT + 1):  # past the top again: CONTEXT rows kept below it
            await pilot.press("p")
        top, _, row = shown_rows(app)
        assert row == height - CONTEXT - 1 and row - top == height - 1 - CONTEXT
