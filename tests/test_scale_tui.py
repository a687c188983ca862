"""`/` on the coding screen asks the project's full-text index: a phrase or prefix finds the
response, an id typed exactly comes first, and a query that cannot be read says why."""

from __future__ import annotations

import sqlite3

import pytest

from codewell.tui.app import make_app
from tui_fixtures import make_project

SIZE = (100, 40)


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


async def search(app, pilot, query: str) -> list[str]:
    """The results shown for ``query``: typed, its search worker run, and shown (the field's
    change is a message, so under load the worker may not exist yet when first waited for)."""
    app.screen.query_one("#search-query").value = query
    for _ in range(100):
        await pilot.pause()
        await app.workers.wait_for_complete()
        if app.screen._shown_for == query:
            break
    await pilot.pause()
    options = app.screen.query_one("#search-results")
    return [str(options.get_option_at_index(i).prompt).split()[0] for i in range(options.option_count)]


async def test_phrases_prefixes_and_ids_find_responses_and_enter_opens_one(study):
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert await search(app, pilot, '"fracture healing"') == ["R005"]
        assert await search(app, pilot, "healing fracture") == ["R005"]
        assert await search(app, pilot, '"healing fracture"') == []
        assert await search(app, pilot, "understand*") == ["R001", "R007", "R019"]  # understanding too
        assert (await search(app, pilot, "R014"))[0] == "R014"
        await search(app, pilot, "portal")
        await pilot.press("enter")
        assert app.session.response.id == "R014"


async def test_a_query_that_cannot_be_read_says_why_in_place_of_results(study):
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert await search(app, pilot, '"real anxiety') == []
        error = app.screen.query_one("#search-error").render().plain
        assert error == ("search '\"real anxiety': a quote opens a phrase that is never closed "
                         '(close it ("like this") or leave the quote out)')
        assert await search(app, pilot, '"real anxiety"') == ["R002"]
        assert app.screen.query_one("#search-error").render().plain == ""


async def test_a_project_without_its_search_index_says_so_and_how_to_repair_it(study):
    with sqlite3.connect(study) as conn:  # damaged by hand: the full-text index dropped
        conn.execute("DROP TABLE responses_fts")
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert await search(app, pilot, "portal") == []
        error = app.screen.query_one("#search-error").render().plain
        assert "search index is missing" in error and f"codewell check {study} --repair" in error
