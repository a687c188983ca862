"""Search is the database's full-text index: words, prefixes and phrases mean the same on SQLite
(FTS5) and PostgreSQL, hits come in import order, and a query that cannot be read says why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codewell.errors import SearchSyntaxError
from codewell.values import Response

pytestmark = pytest.mark.engines  # the same behaviour on SQLite and PostgreSQL
DATA = Path(__file__).parent / "data"

TEXTS = [
    "The portal password expired before I could read my scan report.",
    "My X-ray was explained by the radiographer, kindly.",
    "Reading the report at home frightened me; nobody explained it.",
    "Passwords, portals and letters: too many steps to see one image.",
    "The radiographer was kind and the scan was quick.",
    "Ultrasound images at home: lovely for the family.",
]


@pytest.fixture
def project(empty_project):
    empty_project.add_responses([Response(f"S{i}", text, i + 2, {}) for i, text in enumerate(TEXTS)], "search.csv")
    return empty_project


def ids(project, query: str, limit: int = 30) -> list[str]:
    return [r.id for r in project.search(query, limit=limit)]


def test_words_all_occur_in_any_order_case_folded(project) -> None:
    assert ids(project, "SCAN report") == ["S0"]
    assert ids(project, "report") == ["S0", "S2"]
    assert ids(project, "kind") == ["S4"]  # a word, not a prefix: "kindly" is another word


def test_prefix_and_phrase(project) -> None:
    assert ids(project, "kind*") == ["S1", "S4"]
    assert ids(project, "password*") == ["S0", "S3"]
    assert ids(project, '"at home"') == ["S2", "S5"]
    assert ids(project, '"home at"') == []  # a phrase keeps its order
    assert ids(project, '"the radiographer" kind*') == ["S1", "S4"]
    assert ids(project, "x-ray") == ["S1"]  # punctuation splits words: the phrase "x ray"
    assert ids(project, '"portal pass"*') == ["S0"]  # the last word of a phrase as a prefix


def test_hits_come_in_import_order_and_stop_at_the_limit(project) -> None:
    assert ids(project, "the", limit=2) == ["S0", "S1"]
    project.add_responses([Response("S9", "the last one", 20, {})], "more.csv")
    assert ids(project, "last") == ["S9"]  # a response added later is in the index at once


@pytest.mark.parametrize(("query", "message", "hint"), [
    ('"portal password', "search '\"portal password': a quote opens a phrase that is never closed",
     'close it ("like this") or leave the quote out'),
    ("", "search '': nothing to search for", 'type words, word* for a word\'s start, or "a phrase"'),
    ("  * ", "search '  * ': nothing to search for", 'type words, word* for a word\'s start, or "a phrase"'),
    ("scan ?!", "search 'scan ?!': '?!' holds no letters or digits", "search for words; punctuation is ignored"),
])
def test_a_query_that_cannot_be_read_says_why(project, query: str, message: str, hint: str) -> None:
    with pytest.raises(SearchSyntaxError) as error:
        project.search(query)
    assert (error.value.message, error.value.hint) == (message, hint)


def test_an_upgraded_schema_4_project_has_its_responses_in_the_index(tmp_path: Path) -> None:
    from codewell.project import Project

    path = tmp_path / "old.cw"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "project_schema4.sql").read_text(encoding="utf-8"))
    conn.close()
    with Project.open(path) as project:
        assert ids(project, "panic") == ["r2"]
        assert ids(project, "diagnos*") == ["r1"]


def test_a_copied_project_has_its_responses_in_the_index(project, tmp_path: Path) -> None:
    from codewell.project import Project
    from codewell.store.copy import migrate

    target = tmp_path / "copy.cw"
    migrate(project.location, target)
    with Project.open(target) as copy:
        assert ids(copy, "password*") == ["S0", "S3"]
