"""codewell backup: an online copy of a project, safe while others code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json


def backup(
    project: Annotated[str, typer.Argument(help="Project file to copy.")],
    out: Annotated[Optional[Path], typer.Argument(
        help="Where to write the copy (must not exist). Default: PROJECT-backup-DATE-TIME.cw beside it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Copy a project while others may be coding in it (the copy is consistent and owner-only).

    Every schema upgrade also takes one of these first, automatically.
    """
    from codewell.project import Project

    with Project.open(project) as opened:
        written = opened.backup(out)
        damage = opened.damage
    if as_json:
        emit_json({"project": project, "backup": str(written), "damaged": damage})
        return
    typer.echo(f"Backed up {project} to {written}.")
    if damage:
        typer.echo(f"Note: the project failed its integrity check ({damage}); the copy holds what could be read.")


def restore(
    backup: Annotated[str, typer.Argument(help="A copy written by 'codewell backup'.")],
    project: Annotated[str, typer.Argument(help="Project file to put it back in place of (need not exist).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Put a backup back in place of a project, keeping the project as it was beside it.

    Use this, not a file copy: copying over study.cw leaves its journal (study.cw-wal) beside it,
    which SQLite then replays into the copy. The backup is checked first (a codewell project, not
    damaged); the restore is refused while a coding screen or a command has the project open.
    """
    from codewell.project.restore import restore as restore_backup

    report = restore_backup(backup, project)
    if as_json:
        emit_json({"project": report.project, "backup": report.backup, "kept": report.kept,
                   "set_aside": list(report.set_aside), "responses": report.responses,
                   "decisions": report.coders, "upgraded": report.upgraded,
                   "other_project": report.other_project is not None})
        return
    coders = ", ".join(f"{name} {n}" for name, n in report.coders.items()) or "none yet"
    typer.echo(f"Restored {report.project} from {report.backup}: {report.responses} responses; "
               f"decisions by coder: {coders}.")
    if report.upgraded:
        typer.echo("The backup was written by an older codewell; the restored project is upgraded to this one.")
    if report.other_project:
        restored, replaced = (when[:16].replace("T", " ") for when in report.other_project)
        typer.echo(f"Note: the backup is of another project (created {restored}) than the one it replaced "
                   f"(created {replaced}).")
    if report.kept:
        typer.echo(f"The project as it was is kept in {report.kept} (restore that to undo this).")
    for path in report.set_aside:
        typer.echo(f"Set aside (renamed, not deleted): {path}")
