"""Projects damaged by hand, found by the s24 damage probe: a journal from another project beside
the file, a codebook that is JSON but breaks the codebook's rules, a table rebuilt without its keys,
and ids or texts that are not text. Each is one exact ``Error:`` line or one exact ``check``
finding, and no command makes the damage worse."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from faults import damage, file_bytes
from codewell.project import Project
from test_probe_damage import cw, error_line, study, template  # noqa: F401 - fixtures shared with it
from tui_fixtures import CODEBOOK

BACKUP = "(restore your latest backup (codewell restore BACKUP PROJECT), or copy the file and ask for help)"


def check_lines(study: Path) -> list[str]:
    result = cw("check", study)
    assert result.exit_code == 3, result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.stdout.splitlines()


# -- a journal from another project --------------------------------------------------------------
def other_projects_journal(folder: Path) -> Path:
    """The ``-wal`` of another project, new and empty, with one transaction in it, as a sync tool
    leaves it."""
    other = folder / "other.cw"
    Project.create(other, CODEBOOK).close()
    held = sqlite3.connect(other, isolation_level=None)  # keeps the journal from being checkpointed
    held.execute("PRAGMA wal_autocheckpoint=0")
    held.execute("INSERT INTO coders (name, created_at) VALUES ('other', '2026-01-01 00:00:00')")
    wal = folder / "other.wal"
    shutil.copyfile(f"{other}-wal", wal)
    held.close()
    return wal


def test_a_journal_from_another_project_is_refused_and_never_replayed(study: Path, template: Path,
                                                                      tmp_path: Path) -> None:
    """Every command replayed it: the first `status` wrote the other project's pages into the file
    and cut it to their size, then said "database disk image is malformed"; renaming the journal
    aside would have left the project whole."""
    damage(study, "INSERT INTO coders (name, created_at) VALUES ('zed', '2026-01-01 00:00:00'); "
                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
                  "INSERT INTO responses (source_id, text, source_row, attributes, is_empty, source_file) "
                  "SELECT 'X' || i, printf('%.300c', 'a'), i, '{}', 0, 'more.csv' FROM n;")
    (tmp_path / "other").mkdir()
    shutil.copyfile(other_projects_journal(tmp_path / "other"), f"{study}-wal")
    before = file_bytes(study)
    expected = (f"Error: {study}: the journal study.cw-wal beside it does not belong to it: with the journal "
                "the file reads as damaged, without it as sound; nothing was changed (rename "
                f"{study}-wal aside (mv {study}-wal {study}-wal.aside) if it was copied there, then run "
                f"codewell check {study}; or restore your latest backup (codewell restore BACKUP {study}))")
    for command in (("status", study), ("check", study), ("agree", study, "--coders", "ana,ben"),
                    ("export", study, "--coder", "ana", "-o", tmp_path / "x.csv")):
        result = cw(*command)
        assert result.exit_code == 3
        assert error_line(result) == expected
    assert file_bytes(study) == before
    assert sorted(p.name for p in study.parent.iterdir()) == ["other", "study.cw", "study.cw-wal"]  # no -shm left
    Path(f"{study}-wal").rename(tmp_path / "aside.wal")
    result = cw("status", study)  # the project whole again, its own rows all there
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{study}: 320 responses (1 empty)"


def test_a_project_copied_with_its_own_journal_still_opens(study: Path, tmp_path: Path) -> None:
    """A journal that belongs to the project (copied with it, no -shm) is replayed as before."""
    held = sqlite3.connect(study, isolation_level=None)
    held.execute("PRAGMA wal_autocheckpoint=0")
    held.execute("INSERT INTO coders (name, created_at) VALUES ('zed', '2026-01-01 00:00:00')")
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copyfile(study, copy / "study.cw")
    shutil.copyfile(f"{study}-wal", copy / "study.cw-wal")
    held.close()
    result = cw("status", copy / "study.cw")
    assert result.exit_code == 0, result.stderr
    assert "zed" in result.stdout


# -- a codebook that is JSON but not one codewell writes --------------------------------------------
def edit_codebook(study: Path, edit) -> None:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(study)
    body = json.loads(conn.execute("SELECT body FROM codebook_versions ORDER BY version DESC").fetchone()[0])
    edit(body["codes"])
    conn.execute("UPDATE codebook_versions SET body = ?", (json.dumps(body),))
    conn.commit()
    conn.close()


def _twice(codes: list) -> None:  # type: ignore[type-arg]
    codes[1]["id"] = codes[0]["id"]


def _empty(codes: list) -> None:  # type: ignore[type-arg]
    codes[1]["id"] = ""


def _loop(codes: list) -> None:  # type: ignore[type-arg]
    codes[0]["parent"], codes[1]["parent"] = codes[1]["id"], codes[0]["id"]


def _orphan(codes: list) -> None:  # type: ignore[type-arg]
    codes[0]["parent"] = "nowhere"


@pytest.mark.parametrize(("edit", "found"), [
    (_twice, "two codes have the id 'understanding'"),
    (_empty, "a code has the id '', not a name"),
    (_loop, "the code 'understanding' is its own ancestor"),
    (_orphan, "the code 'understanding' has the parent 'nowhere', which is not a code"),
])
def test_a_codebook_breaking_its_own_rules_is_found_and_refused_for_writing(study: Path, tmp_path: Path,
                                                                           edit, found: str) -> None:  # type: ignore[no-untyped-def]
    """Two codes with one id exported the second as `understanding_2` and dropped the first's
    codings without a word; check called each of these projects sound."""
    edit_codebook(study, edit)
    more = tmp_path / "more.csv"
    more.write_text("id,response\nN1,Seeing the scan helped me.\n")
    before = file_bytes(study)
    assert check_lines(study)[:3] == ["", "The stored codebook: 1", f"  - the latest codebook version is not a codebook ({found})"]
    result = cw("import", study, more)
    assert result.exit_code == 3
    assert error_line(result) == (f"Error: {study}: the project file is damaged (the stored codebook cannot be "
                                  f"read); it is refused for writing {BACKUP}")
    for reading in (("export", study, "-o", tmp_path / "out.csv", "--coder", "all"), ("report", study, "--coder", "ana"),
                    ("agree", study, "--coders", "ana,ben")):  # they ran on, and export dropped a code
        result = cw(*reading)
        assert result.exit_code == 3, result.output
        assert error_line(result).startswith(f"Error: the stored codebook is not a codebook ({found})")
    assert not (tmp_path / "out.csv").exists()
    assert file_bytes(study) == before


# -- a table rebuilt without its keys ----------------------------------------------------------------
def test_a_table_rebuilt_without_its_keys_is_found_not_a_database_error(study: Path, tmp_path: Path) -> None:
    """`check` stopped on "database error: foreign key mismatch - "set_members" referencing
    "responses"", and `import` added responses with no key (pk NULL), which no decision can name."""
    damage(study, "CREATE TABLE copied AS SELECT * FROM responses; DROP TABLE responses; "
                  "ALTER TABLE copied RENAME TO responses;")
    before = file_bytes(study)
    lines = check_lines(study)
    at = lines.index("Keys missing from the file's tables (a table rebuilt by hand without its rules): 2")
    assert lines[at + 1:at + 3] == ["  - no primary key responses(pk)", "  - no unique rule responses(source_id)"]
    assert not any("database error" in line for line in lines)
    result = cw("check", study, "--repair")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0] == "Not repaired: the file itself is damaged, so nothing was written to it."
    more = tmp_path / "more.csv"
    more.write_text("id,response\nN1,Seeing the scan helped me.\n")
    result = cw("import", study, more)
    assert result.exit_code == 3
    assert error_line(result) == (f"Error: {study}: the project file is damaged (missing keys: primary key "
                                  f"responses(pk), unique rule responses(source_id)); it is refused for writing {BACKUP}")
    assert file_bytes(study) == before


def test_a_sound_project_has_every_key(study: Path) -> None:
    result = cw("check", study)
    assert result.exit_code == 0, result.stdout


# -- ids, texts and names that are not text ----------------------------------------------------------
def test_ids_texts_and_names_that_are_not_text_are_found_by_check(study: Path) -> None:
    """A blob as a response's text or id, an empty coder name: export, report and agree ended in
    tracebacks (TypeError) and check called the project sound."""
    damage(study, "UPDATE responses SET text = X'00FF' WHERE source_id = 'R003'; "
                  "UPDATE responses SET source_id = X'0102' WHERE source_id = 'R004'; "
                  "UPDATE coders SET name = '' WHERE name = 'ben';")
    before = file_bytes(study)
    assert check_lines(study)[:5] == [
        "", "Ids, texts and names that are not text, or are empty: 3", "  - coders row 2: name is empty",
        "  - responses row 3: text is a blob, not text", "  - responses row 4: source_id is a blob, not text"]
    assert file_bytes(study) == before


@pytest.mark.parametrize(("sql", "said"), [
    ("UPDATE responses SET text = X'00FF' WHERE source_id = 'R003'",
     "the text of response 'R003' is binary data, not text"),
    ("UPDATE responses SET source_id = X'0102' WHERE source_id = 'R004'",
     "the id of the response stored as row 4 is binary data, not text"),
])
def test_commands_reading_a_response_that_is_not_text_say_which_one(study: Path, tmp_path: Path,
                                                                    sql: str, said: str) -> None:
    """They ended in a TypeError traceback ("expected str instance, bytes found"). (A number
    stored there becomes text: the column's affinity converts it.)"""
    damage(study, sql + ";")
    before = file_bytes(study)
    for command in (("export", study, "-o", tmp_path / "out.csv", "--coder", "all"), ("pii", study)):
        result = cw(*command)
        assert result.exit_code == 3, result.output
        assert error_line(result) == (f"Error: the project file is damaged ({said}) (codewell check PROJECT lists "
                                      "every such row; restore your latest backup (codewell restore BACKUP PROJECT))")
    assert not (tmp_path / "out.csv").exists()
    assert file_bytes(study) == before


async def test_the_coding_screen_stopped_by_damage_ends_with_one_error_line(study: Path) -> None:
    """A response read as the screen pages its list, found damaged there (a blob for text), ended
    the screen in a full traceback; Textual prints an error that renders itself as that, so
    it ends with the command line's one "Error: ..." line. Rich markup in it stays literal."""
    from rich.console import Console

    from codewell.cli.coding_cmds import exit_code_of
    from codewell.errors import DamagedProjectError
    from codewell.tui.app import make_app

    damage(study, "UPDATE responses SET text = X'00FF' WHERE source_id = 'R003';")
    app = make_app(str(study), "ana", suggestions=False)
    with pytest.raises(DamagedProjectError) as raised:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
    assert exit_code_of(app) == 3  # a damaged project, as on the command line (Textual's own: 1)
    console = Console(record=True, width=300)
    console.print(raised.value)
    assert console.export_text().strip() == (
        "Error: the project file is damaged (the text of response 'R003' is binary data, not text) (codewell "
        "check PROJECT lists every such row; restore your latest backup (codewell restore BACKUP PROJECT))")
    console = Console(record=True, width=300)
    console.print(DamagedProjectError("a code named [bold]x[/bold]"))
    assert console.export_text().strip() == "Error: a code named [bold]x[/bold]"
