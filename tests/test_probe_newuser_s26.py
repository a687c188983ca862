"""A new user following the README literally (session 26): each case was found by hand, and each
test asserts what the user reads (the exact line, or that a command a message gives works) and
that a refused command leaves the project as it was."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from codewell.cli.app import app
from faults import codewell_refusing_a_screen, file_bytes

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three responses coded by ana and ben, one already settled by consensus."""
    folder = tmp_path_factory.mktemp("s26")
    project, data, codings = folder / "study.cw", folder / "data.csv", folder / "codings.csv"
    data.write_text("id,response\nr1,Worried about what they see\nr2,Helps them understand\n"
                    "r3,They ask better questions\n", encoding="utf-8")
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr2,ana,understanding\nr3,ana,\n"
                       "r1,ben,anxiety\nr2,ben,communication\nr3,ben,\nr1,consensus,anxiety\n", encoding="utf-8")
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data),
                 ("import", project, codings, "--codings")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    from conftest import copy_project

    return copy_project(template, tmp_path / "study.cw")


def _damage(study: Path, sql: str) -> None:
    conn = sqlite3.connect(study)
    conn.executescript(sql)
    conn.close()


def test_check_points_a_damaged_project_at_restore_not_at_backup(study: Path) -> None:
    """It said 'restore it from a backup (codewell backup)': backup writes one, restore puts it back."""
    _damage(study, "UPDATE decisions SET code_id = 'made_up' WHERE id = 1;")
    before = file_bytes(study)
    result = run("check", study)
    assert result.exit_code == 3
    assert result.output.splitlines()[-1] == (
        f"{study} is damaged: restore your latest backup (codewell restore BACKUP {study}), or undo the "
        "hand edits that made the rows above.")
    assert file_bytes(study) == before


def test_check_on_damage_repair_can_rebuild_leads_with_the_repair_that_loses_nothing(study: Path) -> None:
    """An index missing was answered 'restore it from a backup' first, losing the work done since."""
    _damage(study, "DROP INDEX decisions_by_coder;")
    result = run("check", study)
    assert result.exit_code == 3
    last = result.output.splitlines()[-1]
    assert last == (f"{study} is damaged: codewell check {study} --repair rebuilds what is listed above "
                    "from the project's own rows, changing nothing any coder decided")
    again = run(*last.split(": ", 1)[1].split(" rebuilds")[0].split()[1:])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1].startswith(f"No problems found in {study}")


def test_the_command_a_refused_suggestions_on_a_set_gives_works(study: Path) -> None:
    """The hint was 'codewell sample study.cw --allow-suggestions', which is refused: the set
    'irr' exists and a drawn set never changes."""
    assert run("sample", study, "--size", "2").exit_code == 0
    before = file_bytes(study)
    result = run("code", study, "--coder", "ana", "--set", "irr", "--suggestions")
    assert result.exit_code == 2
    assert file_bytes(study) == before
    hinted = re.search(r"codewell (sample .*)\)$", result.stderr.strip())
    assert hinted, result.stderr
    drawn = run(*hinted.group(1).replace("NEW_NAME", "irr2").split())
    assert drawn.exit_code == 0, drawn.output
    assert "allow" in result.stderr and "leave out --suggestions" in result.stderr


def test_adjudicate_refuses_consensus_as_one_of_the_coders(study: Path) -> None:
    """'--coders ana,consensus' opened the screen and settled consensus against ana, writing the
    choices back into consensus itself. A real process: the screen must never open."""
    before = file_bytes(study)
    result = codewell_refusing_a_screen("adjudicate", str(study), "--coders", "ana,consensus")
    stdout, stderr = result.stdout, result.stderr
    assert result.returncode == 2
    assert stderr.strip() == ("Error: --coders names 'consensus', the coder adjudication writes into "
                              "(name the coders whose disagreements to settle, e.g. --coders ana,ben)")
    assert stdout == ""
    assert file_bytes(study) == before


def test_migrate_counts_in_plain_words(study: Path, tmp_path: Path) -> None:
    """'1 codebook versions'."""
    result = run("migrate", study, tmp_path / "copy.cw")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        ": 3 responses, 5 decisions, 1 codebook version, 0 memos, 0 reliability sets.")


def test_reference_says_when_it_was_added_as_a_person_writes_it(study: Path, tmp_path: Path) -> None:
    """It printed the stored ISO form, '2026-12-01T05:39:26+00:00'; --json keeps that."""
    labelled = tmp_path / "other-study.csv"
    labelled.write_text("id,response,anxiety,understanding\nx1,Scared of the pictures,1,0\n"
                        "x2,Now I get what the doctor meant,0,1\nx3,Fine either way,0,0\n", encoding="utf-8")
    assert run("reference", study, labelled).exit_code == 0
    shown = run("reference", study)
    assert shown.exit_code == 0, shown.output
    assert re.search(r"\(added \d{4}-\d\d-\d\d \d\d:\d\d UTC\), codes applied:$", shown.output.splitlines()[0]), \
        shown.output


def _help(*command: str) -> str:
    result = run(*command, "--help")
    assert result.exit_code == 0
    return " ".join(result.output.split())


def test_report_help_lists_the_non_answers_report_leaves_out() -> None:
    """'n.a', '--' and '---' are non-answers, but the help's list left them out."""
    from codewell.report.non_answers import DEFAULT_NON_ANSWERS

    listed = re.search(r"default list \((.*?)\)\.", _help("report")).group(1)  # type: ignore[union-attr]
    entries = {e.strip() for e in listed.split(", ")}
    expanded = entries - {"no comment(s)"} | ({"no comment", "no comments"} if "no comment(s)" in entries else set())
    assert expanded == set(DEFAULT_NON_ANSWERS)


def test_help_names_what_the_readme_and_the_screen_name() -> None:
    """merge's help spoke of FROM and INTO under arguments named source and into; adjudicate's
    left out e (edit) and v (the agreement table), which the README lists."""
    assert "{FROM} {INTO}" in _help("codebook", "merge")
    adjudicate = _help("adjudicate")
    assert "e edit" in adjudicate and "v the agreement table" in adjudicate


def _leaf_commands() -> list[tuple[tuple[str, ...], object]]:
    found = []

    def walk(group: object, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            if hasattr(command, "commands"):
                walk(command, (*prefix, name))
            else:
                found.append(((*prefix, name), command))

    walk(typer.main.get_command(app), ())
    return found


OWN_ROWS = _leaf_commands()


@pytest.mark.parametrize(("path", "command"), OWN_ROWS, ids=[" ".join(p) for p, _ in OWN_ROWS])
def test_every_option_of_a_command_is_in_its_readme_row(path: tuple[str, ...], command: object) -> None:
    """codebook edit --group, evaluate --order/--seed, agree --percent/--categories/--seed were
    in --help but in no row of the README's Commands table."""
    table = README.split("\n## Commands", 1)[1].split("\n## ", 1)[0]
    name = " ".join(path)
    rows = [line.split("` |")[0] for line in table.splitlines()
            if re.match(rf"\| `codewell {re.escape(name)}[ `]", line)]
    assert rows, f"no README row for codewell {name}"
    text = " ".join(rows)

    def named(opt: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text) is not None

    missing = [opt for param in command.params if param.param_type_name == "option"  # type: ignore[attr-defined]
               for opt in (*param.opts, *param.secondary_opts)
               if opt.startswith("--") and opt != "--help" and not named(opt)
               and not any(named(short) for short in param.opts if not short.startswith("--"))]
    assert not missing, f"codewell {name}: {missing} not in its README row"


def test_importing_codings_counts_done_per_coder_not_a_sum_over_coders(tmp_path: Path) -> None:
    """Three responses coded by ana and ben and one by consensus said "7 responses marked done"
    in a project of three."""
    project, data, codings = tmp_path / "s.cw", tmp_path / "data.csv", tmp_path / "codings.csv"
    data.write_text("id,response\nr1,Worried\nr2,Understand\nr3,Questions\n", encoding="utf-8")
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr2,ana,understanding\nr3,ana,\n"
                       "r1,ben,anxiety\nr2,ben,communication\nr3,ben,\nr1,consensus,anxiety\n", encoding="utf-8")
    assert run("init", project, "--codebook", CODEBOOK).exit_code == 0
    assert run("import", project, data).exit_code == 0
    result = run("import", project, codings, "--codings")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Recorded 5 decision(s); responses marked done: 3 for ana, 3 for ben, "
                                     "1 for consensus.")


def test_team_add_on_a_project_file_says_team_needs_a_server_before_asking_for_a_password(study: Path) -> None:
    result = run("team", "add", study, "--coder", "ben")
    assert result.exit_code != 0
    assert "team works on a PostgreSQL project" in result.output
    assert "needs a password" not in result.output


def test_an_empty_project_is_sent_to_import_before_coding(tmp_path: Path) -> None:
    """status and report on a project without responses said to code, which cannot start yet."""
    project = tmp_path / "s.cw"
    assert run("init", project, "--codebook", CODEBOOK).exit_code == 0
    status = run("status", project)
    assert status.output.splitlines()[-1] == (
        f"No responses yet: codewell import {project} SURVEY.csv (CSV, XLSX, Qualtrics, SurveyMonkey)")
    report = run("report", project)
    assert report.exit_code != 0
    assert "import the survey first, then code it: codewell import PROJECT SURVEY.csv" in report.output
    data = tmp_path / "data.csv"
    data.write_text("id,response\nr1,Worried\n", encoding="utf-8")
    assert run("import", project, data).exit_code == 0
    assert run("status", project).output.splitlines()[-1] == f"Nobody has coded yet: codewell code {project} --coder NAME"
    assert "code some responses first: codewell code PROJECT --coder NAME" in run("report", project).output
