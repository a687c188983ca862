"""`report` reads only the coded responses and the short texts that may be non-answers, and says
exactly what the report over every response says."""

from __future__ import annotations

import random

import pytest

from codewell.report import NonAnswers, build_report, report_dict
from codewell.values import Response, Status

ODD = [  # non-answers only Python's str.strip() sees as such, and near misses
    Response("Z1", "\u00a0\u3000 N/A !!\u2029", 901, {"profession": "Radiologist"}),
    Response("Z2", "...   ", 902, {"profession": "Radiologist"}),
    Response("Z3", ".n/a", 903, {"profession": "Sonographer"}),
    Response("Z4", "Nothing to add, really", 904, {"profession": "Sonographer"}),
    Response("Z5", "STRASSE", 905, {}),
]


_built: dict[str, str] = {}  # engine -> the coded study's location, in this test process


@pytest.fixture
def coded(engine: str, tmp_path_factory: pytest.TempPathFactory, codebook):
    """The sample study coded by two coders, built once per engine (each build is ~1 s of
    imports and commits, 15 tests use it) and opened afresh for each test: every test here
    only reads it."""
    from conftest import SAMPLE
    from codewell.project import Project

    location = _built.get(engine)
    if location is None:
        if engine == "sqlite":
            location = str(tmp_path_factory.mktemp("coded") / "study.cw")
            Project.create(location, codebook).close()
        else:
            from pg_support import project_database

            location = project_database(codebook)
        with Project.open(location) as project:
            project.import_responses(SAMPLE / "responses.csv")
            project.add_responses(ODD, "odd.csv")
            rng = random.Random(5)
            ids = [r.id for r in project.responses()]
            codes = project.codebook.ids
            for coder in ("ana", "ben"):
                chosen = rng.sample(ids, 60) + ["Z1", "Z3", "Z4"]
                project.apply_codings(
                    {coder: {rid: frozenset(rng.sample(codes, rng.randint(0, 3))) for rid in chosen}}, "test")
                project.set_status(coder, chosen[0], Status.SKIPPED)  # unfinished again
        _built[engine] = location
    with Project.open(location) as project:
        yield project


@pytest.mark.engines  # the same behaviour on SQLite and PostgreSQL
@pytest.mark.parametrize("entries", [None, "n/a,-", "nothing to add really,straße"])
@pytest.mark.parametrize("by", [None, "profession"])
def test_the_slice_reports_what_every_response_reports(coded, entries: str | None, by: str | None) -> None:
    non_answer = NonAnswers.parse(entries)
    whole = coded.dataset(["ana"], with_log=False)
    part = coded.report_slice(["ana"], longest=non_answer.longest)
    assert report_dict(build_report(part, "ana", by, non_answer)) == report_dict(
        build_report(whole, "ana", by, non_answer))


@pytest.mark.engines
def test_the_slice_holds_the_coded_and_the_short_texts_only(coded) -> None:
    part = coded.report_slice(longest=NonAnswers().longest)
    done = {rid for coder in ("ana", "ben") for rid, s in coded.statuses(coder).items() if s is Status.DONE}
    trimmed = "".join(c for c in map(chr, range(0x110000)) if c.isspace()) + ".!"
    short = {r.id for r in coded.responses() if len(r.text.strip(trimmed)) <= len("nothing to add")}
    assert {r.id for r in part.responses} == done | short
    assert len(part.responses) < len(coded.responses()) / 3
    assert part.total == len(coded.responses())
    order = {r.id: i for i, r in enumerate(coded.responses())}
    assert [order[r.id] for r in part.responses] == sorted(order[r.id] for r in part.responses)


def test_cli_report_is_unchanged(coded, tmp_path) -> None:
    from typer.testing import CliRunner

    from codewell.cli.app import app
    from codewell.cli.export_cmds import run_report

    expected = run_report(coded.dataset(["ben"], with_log=False), "ben", "profession", "md")
    result = CliRunner().invoke(app, ["report", coded.location, "--coder", "ben", "--by", "profession",
                                      "--format", "md"])
    assert result.exit_code == 0, result.output
    assert result.output == expected


def test_the_index_trims_exactly_what_python_strips() -> None:
    from codewell.store.search import WHITESPACE

    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())
