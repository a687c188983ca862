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
