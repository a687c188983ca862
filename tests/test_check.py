"""codewell check on projects damaged by hand (a DB browser, a script): each kind of damage is one
exact finding and exit 3, the file unchanged; --repair rebuilds the search index and nothing else;
a sound project exits 0; a file that is not a project is the usual error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.errors import DamagedProjectError
from codewell.project import Project
from faults import copy_project, corrupt_responses_page, damage, file_bytes, table_rows
from tui_fixtures import RESPONSES, code_as, make_project, write_responses

runner = CliRunner()
R003 = RESPONSES[2][2]  # the text of response R003


def check(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["check", *(str(a) for a in args)])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty responses, two coders' codings, a segment, a memo and a flag; built once."""
    path = make_project(tmp_path_factory.mktemp("template"))
    code_as(path, "ana", {"R001": ("understanding",), "R002": ("anxiety",)}, memos={"R002": "worried"})
    code_as(path, "ben", {"R001": ("understanding",)})
    with Project.open(path) as project:
        project.record_segment("ana", "R003", "interpretation_difficulty", 0, 20)
        project.set_flag("ana", "R004", True)
    return path


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    return copy_project(template, tmp_path / "study.cw")


def decision(number: int, *, coder: int = 1, response: int = 3, code: str = "anxiety",
             start: int | None = None, end: int | None = None) -> str:
    span = f"{'NULL' if start is None else start}, {'NULL' if end is None else end}"
    return ("INSERT INTO decisions (id, coder_id, response_pk, code_id, action, at, codebook_version, "
            "from_suggestion, suggestions_on, note, uid, seg_start, seg_end) VALUES "
            f"({number}, {coder}, {response}, '{code}', 'apply', '2026-11-30 09:00:00', 1, 0, 0, '', "
            f"'hand{number}', {span});")


# (damage, kind, the group's title line, the finding's line)
CASES = [
    ("DROP TABLE memos;", "missing_tables", "Tables missing from the file: 1", "  - no table memos"),
    ("UPDATE codebook_versions SET body = '{not json';", "codebook", "The stored codebook: 1",
     "  - the latest codebook version is not readable JSON"),
    (decision(1000, code="made_up"), "unknown_code",
     "Decisions naming a code that no codebook version ever held: 1",
     "  - response R003, coder ana, decision 1000, code made_up: names the code 'made_up', which no codebook "
     "version holds"),
    (decision(1000, code="anxeity"), "unknown_code",
     "Decisions naming a code that no codebook version ever held: 1",
     "  - response R003, coder ana, decision 1000, code anxeity: names the code 'anxeity', which no codebook "
     "version holds (did you mean 'anxiety'?)"),
    (decision(1000, coder=99), "unknown_coder", "Decisions by a coder who is not in the project: 1",
     "  - response R003, coder #99 (no such coder), decision 1000, code anxiety: made by coder #99, who is not "
     "in the project"),
    (decision(1000, response=999), "unknown_response", "Decisions on responses that are not in the project: 1",
     "  - response #999 (no such response), coder ana, decision 1000, code anxiety: codes response #999, which "
     "is not in the project"),
    (decision(1000, start=12, end=4), "bad_span", "Coded segments whose end is not after their start: 1",
     "  - response R003, coder ana, decision 1000, code anxiety: a segment of characters 12 to 4"),
    (decision(1000, start=5, end=5), "bad_span", "Coded segments whose end is not after their start: 1",
     "  - response R003, coder ana, decision 1000, code anxiety: a segment of characters 5 to 5"),
    (decision(1000, start=5), "bad_span", "Coded segments whose end is not after their start: 1",
     "  - response R003, coder ana, decision 1000, code anxiety: a segment of characters 5 to ?"),
    (decision(1000, start=10, end=len(R003) + 1), "span_past_text",
     "Coded segments running past the end of their response: 1",
     f"  - response R003, coder ana, decision 1000, code anxiety: a segment of characters 10 to {len(R003) + 1} "
     f"in a text of {len(R003)} characters"),
    ("PRAGMA ignore_check_constraints = 1; UPDATE statuses SET status = 'weird' WHERE response_pk = 2;",
     "bad_status", "Statuses codewell never writes: 1", "  - response R002, coder ana: the status 'weird'"),
    ("UPDATE decisions SET undoes = id WHERE id = 1;", "bad_undo",
     "Undos that do not reverse an earlier decision of the same coder on the same response: 1",
     "  - response R001, coder ana, decision 1, code understanding: undoes decision #1, which is "
     "itself, a later one, or another coder's or response's"),
    ("UPDATE decisions SET undoes = 1 WHERE id = 2;", "bad_undo",
     "Undos that do not reverse an earlier decision of the same coder on the same response: 1",
     "  - response R002, coder ana, decision 2, code anxiety: undoes decision #1, which is "
     "itself, a later one, or another coder's or response's"),
    ("UPDATE responses SET attributes = '{not json' WHERE pk = 5;", "bad_attributes",
     "Response attributes that are not a JSON object of text values: 1",
     "  - response R005: attributes '{not json'"),
    ("UPDATE responses SET attributes = '[1, 2]' WHERE pk = 6;", "bad_attributes",
     "Response attributes that are not a JSON object of text values: 1", "  - response R006: attributes '[1, 2]'"),
    ("INSERT INTO memos VALUES (55, 1, 'a memo by nobody', '2026-11-30 09:00:00');", "foreign_key",
     "Rows pointing at rows that are not there: 1", "  - memos row 2: points at a row of coders that is not there"),
    ("PRAGMA ignore_check_constraints = 1; UPDATE decisions SET action = 'erase' WHERE id = 1;", "constraint",
     "Rows breaking a rule of the project's tables (SQLite's integrity check): 1",
     "  - CHECK constraint failed in decisions"),
    ("DROP TABLE responses_fts;", "search_index_missing", "The search index is missing: 1",
     "  - no table responses_fts"),
    ("DROP INDEX decisions_by_coder;", "missing_index", "Indexes missing, which keep the project fast: 1",
     "  - no index decisions_by_coder"),
    ("DROP INDEX decisions_undoes;", "missing_rule_index",
     "Indexes missing that keep a decision from being stored or undone twice: 1", "  - no index decisions_undoes"),
    ("INSERT INTO responses (source_id, text, source_row, attributes, is_empty, source_file) "
     "VALUES ('R900', 'Typed in by hand, never indexed.', 900, '{}', 0, 'by hand');", "search_index_stale",
     "The search index is out of step with the responses: 1", "  - response R900: not in the search index"),
]


@pytest.mark.parametrize(("sql", "kind", "title", "line"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_each_kind_of_damage_is_one_exact_finding_and_the_file_is_unchanged(
        study: Path, sql: str, kind: str, title: str, line: str) -> None:
    damage(study, sql)
    before = file_bytes(study)
    result = check(study)
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    assert title in lines and line in lines, result.output
    assert lines[-1].startswith(f"{study} is damaged: ")
    assert file_bytes(study) == before
    with Project.open_to_check(study) as project:
        report = project.check()
    assert [(group.kind, group.total) for group in report.groups] == [(kind, 1)]
    assert file_bytes(study) == before


def test_a_finding_says_where_what_was_expected_and_what_to_do(study: Path) -> None:
    damage(study, decision(1000, code="made_up"))
    with Project.open_to_check(study) as project:
        (group,) = project.check().groups
    (finding,) = group.findings
    assert (finding.kind, finding.response_id, finding.coder, finding.decision_id, finding.code) == (
        "unknown_code", "R003", "ana", 1000, "made_up")
    assert finding.expected == "a code of one of the codebook versions (codewell codebook show lists them)"
    assert finding.action.startswith("restore the project from your latest backup")
    assert not group.repairable


def test_a_sound_project_exits_0_and_says_its_size(study: Path) -> None:
    before = file_bytes(study)
    result = check(study)
    assert result.exit_code == 0, result.output
    assert result.output == f"No problems found in {study} (20 responses, 4 decisions).\n"
    assert file_bytes(study) == before


def test_many_findings_of_a_kind_show_twenty_and_count_the_rest(study: Path) -> None:
    damage(study, "".join(decision(1000 + n, code=f"invented_{n:02d}") for n in range(25)))
    result = check(study)
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert "Decisions naming a code that no codebook version ever held: 25" in lines
    assert sum(line.startswith("  - response R003, coder ana, decision 10") for line in lines) == 20
    assert "  and 5 more" in lines


def test_json_lists_the_problems_for_scripts(study: Path) -> None:
    damage(study, decision(1000, start=12, end=4) + "DROP TABLE responses_fts;")
    result = check(study, "--json")
    assert result.exit_code == 3
    found = json.loads(result.output)
    assert found["sound"] is False and found["responses"] == 20 and found["decisions"] == 5
    assert found["problems"]["bad_span"]["first"] == [{"response": "R003", "coder": "ana", "decision": 1000,
                                                       "code": "anxiety", "row": None,
                                                       "found": "a segment of characters 12 to 4"}]
    assert found["problems"]["search_index_missing"]["repairable"] is True


# -- repair -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sql", [
    "DROP TABLE responses_fts;",
    "DROP TABLE responses_fts_idx;",
    "INSERT INTO responses (source_id, text, source_row, attributes, is_empty, source_file) "
    "VALUES ('R900', 'A knee typed in by hand.', 900, '{}', 0, 'by hand');",
    "DROP TABLE responses_fts; DROP INDEX responses_core_length; DROP INDEX responses_shuffle;",
], ids=["dropped", "part-dropped", "stale", "with-other-indexes"])
def test_repair_rebuilds_the_search_index_and_the_project_is_sound(study: Path, sql: str) -> None:
    damage(study, sql)
    decided = {table: table_rows(study, table) for table in ("decisions", "statuses", "memos", "flags", "responses")}
    result = check(study, "--repair")
    assert result.exit_code == 0, result.output
    responses = len(decided["responses"])
    assert result.output.splitlines()[0] == f"Repair: rebuilt the search index from the {responses} responses."
    if "responses_shuffle" in sql:
        assert result.output.splitlines()[1:3] == ["Repair: rebuilt the index responses_core_length.",
                                                   "Repair: rebuilt the index responses_shuffle."]
    assert result.output.splitlines()[-1] == f"No problems found in {study} ({responses} responses, 4 decisions)."
    assert {table: table_rows(study, table) for table in decided} == decided
    with Project.open(study) as project:
        assert [r.id for r in project.search("knee")] == ["R001"] + (["R900"] if responses == 21 else [])
    assert check(study).exit_code == 0


def test_repair_changes_nothing_a_coder_decided(study: Path) -> None:
    damage(study, decision(1000, code="made_up") + decision(1001, start=12, end=4) + "DROP TABLE responses_fts;")
    decisions = table_rows(study, "decisions")
    result = check(study, "--repair")
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[0] == "Repair: rebuilt the search index from the 20 responses."
    assert "Decisions naming a code that no codebook version ever held: 1" in lines
    assert "Coded segments whose end is not after their start: 1" in lines
    assert "The search index is missing: 1" not in lines
    assert table_rows(study, "decisions") == decisions


def test_repair_with_nothing_to_rebuild_writes_nothing(study: Path) -> None:
    damage(study, decision(1000, code="made_up"))
    before = file_bytes(study)
    result = check(study, "--repair")
    assert result.exit_code == 3
    assert ("Not repaired: --repair rebuilds only the search index and the indexes that keep the project fast, "
            "and nothing listed below is one of them.") in result.output.splitlines()
    assert file_bytes(study) == before


def test_a_damaged_file_is_reported_and_never_repaired(study: Path) -> None:
    damage(study, "DROP TABLE responses_fts;")
    corrupt_responses_page(study)
    before = file_bytes(study)
    for args in ((), ("--repair",)):
        result = check(study, *args)
        assert result.exit_code == 3, result.output
        lines = result.output.splitlines()
        assert any(line.startswith("Damage to the file itself (SQLite's integrity check): ")
                   for line in lines), result.output  # one run in six once: SQLite's check stopped
        assert file_bytes(study) == before
    assert "Not repaired: the file itself is damaged, so nothing was written to it." in lines


# -- what check refuses -----------------------------------------------------------------------------
def test_a_file_that_is_not_a_project_is_the_usual_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.cw"
    text.write_text("not a database at all\n", encoding="utf-8")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.close()
    for path in (text, other):
        before = path.read_bytes()
        result, usual = check(path), runner.invoke(app, ["status", str(path)])
        assert result.exit_code == usual.exit_code == 3
        assert result.output == usual.output
        assert result.output.startswith(f"Error: {path}: not a codewell project")
        assert path.read_bytes() == before
    assert check(tmp_path / "missing.cw").output.startswith(f"Error: {tmp_path / 'missing.cw'}: no such project")


def test_an_older_project_is_not_upgraded_by_a_check(study: Path) -> None:
    damage(study, "UPDATE meta SET value = '5' WHERE key = 'schema_version';")
    before = file_bytes(study)
    result = check(study)
    assert result.exit_code == 3
    assert result.output == (f"Error: {study}: written by an older codewell (project schema 5), which this "
                             "command does not upgrade (any other command (codewell status, say) upgrades it "
                             "after keeping a copy)\n")
    assert file_bytes(study) == before
    assert not list(study.parent.glob("*.bak"))


# -- searching without the index --------------------------------------------------------------------
def test_searching_or_importing_without_the_index_names_the_repair(study: Path, tmp_path: Path) -> None:
    damage(study, "DROP TABLE responses_fts;")
    before = file_bytes(study)
    with Project.open(study) as project:
        with pytest.raises(DamagedProjectError) as raised:
            project.search("knee")
        assert raised.value.message == f"{study}: the project file is damaged (its search index is missing)"
        assert raised.value.hint == f"rebuild it with: codewell check {study} --repair"
        more = tmp_path / "more.csv"
        more.write_text("id,response\nR100,A new answer typed later.\n", encoding="utf-8")
        with pytest.raises(DamagedProjectError, match="its search index is missing"):
            project.import_responses(more)
    assert file_bytes(study) == before


# -- on a PostgreSQL server -------------------------------------------------------------------------
@pytest.mark.postgresql  # with the server tests: some of them restart it
def test_check_and_repair_on_a_postgresql_project(tmp_path: Path) -> None:
    from pg_support import admin_sql, project_database
    from tui_fixtures import CODEBOOK

    url = project_database(CODEBOOK)
    with Project.open(url) as project:
        project.import_responses(write_responses(tmp_path / "responses.csv"))
        project.record("ana", "R001", "understanding", "apply")
    assert check(url).output == f"No problems found in {url} (20 responses, 1 decisions).\n"
    database = url.rsplit("/", 1)[1]
    admin_sql("SET session_replication_role = replica",  # foreign keys unenforced, as by hand
              "INSERT INTO decisions (coder_id, response_pk, code_id, action, at, codebook_version, "
              "from_suggestion, suggestions_on, note, uid) "
              "VALUES (99, 3, 'made_up', 'apply', now(), 1, false, false, '', 'hand1')",
              "UPDATE responses SET attributes = '{not json' WHERE source_id = 'R005'",
              "DROP INDEX responses_text_search", database=database)
    result = check(url)
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    for expected in ("Decisions by a coder who is not in the project: 1",
                     "Decisions naming a code that no codebook version ever held: 1",
                     "Response attributes that are not a JSON object of text values: 1",
                     "  - response R005: attributes '{not json'",
                     "The search index is missing: 1", "  - no index responses_text_search on the response texts"):
        assert expected in lines, result.output
    repaired = check(url, "--repair")
    assert repaired.exit_code == 3
    assert repaired.output.splitlines()[0] == "Repair: rebuilt the search index from the 20 responses."
    assert "The search index is missing: 1" not in repaired.output.splitlines()
    assert admin_sql("SELECT count(*) FROM decisions", database=database) == [(2,)]


def test_undos_as_codewell_writes_them_are_sound(tmp_path: Path) -> None:
    """The undo rule flags only what a hand edit makes: coders' undos as the coding screen
    writes them (after what they reverse, by their coder, on their response) are sound."""
    path = make_project(tmp_path)
    code_as(path, "ana", {"R001": ("understanding", "anxiety")})
    with Project.open(path) as project:
        project.undo("ana")
        project.record("ben", "R002", "anxiety", "apply")
        project.undo("ben")
        project.record("ben", "R002", "anxiety", "apply")
    result = check(path)
    assert result.exit_code == 0, result.output
