"""codewell reference: give a project another study's coded responses to learn from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json


def reference(
    project: Annotated[str, typer.Argument(help="Project file (or PostgreSQL URL).")],
    file: Annotated[Optional[Path], typer.Argument(
        help="Labelled CSV of another study: id, response and one 0/1 column per code "
             "(the layout `codewell evaluate` reads). Omit to see the project's reference.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Drop the project's reference.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Learn from another study's coded responses as well as from your own decisions.

    Suggestions then start from many coded answers instead of the codebook alone, and your own
    decisions join them as you code. The reference speaks only for the codes it has a column
    for. It must come from another study: answers that are also responses of this project are
    left out (a second coder must never be shown the first coder's codes). Adding a reference
    replaces the earlier one; only the project's owner can change it on a server.
    """
    from codewell.project import Project

    if clear and file is not None:
        raise typer.BadParameter("give a FILE to add or --clear to drop, not both")
    with Project.open(project) as opened:
        warnings: tuple[str, ...] = ()
        if clear:
            had = opened.clear_reference()
            if as_json:
                emit_json({"project": project, "cleared": had})
            else:
                typer.echo("Reference dropped." if had else "The project had no reference.")
            return
        if file is not None:
            found, warnings = opened.set_reference(file)
        else:
            found = opened.reference()
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if found is None:
        if as_json:
            emit_json({"project": project, "reference": None})
        else:
            typer.echo("No reference: suggestions learn from the codebook and your decisions. "
                       "Add one with `codewell reference PROJECT FILE.csv`.")
        return
    counts = Counter(code for labels in found.labels for code in labels)
    if as_json:
        emit_json({"project": project, "reference": {
            "source": found.source, "added_at": found.added_at, "responses": len(found),
            "codes": {code: counts.get(code, 0) for code in found.codes}}})
        return
    verb = "Added" if file is not None else "Reference:"
    typer.echo(f"{verb} {found.source}: {len(found)} coded responses"
               + (f" (added {_when(found.added_at)})" if file is None else "") + ", codes applied:")
    width = max(len(code) for code in found.codes)
    for code in found.codes:
        typer.echo(f"  {code:<{width}}  {counts.get(code, 0):>6}")


def _when(stamp: str) -> str:
    """A stored ISO time as a person writes it ("2026-12-01 05:39 UTC"); --json keeps the ISO form."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M %Z").rstrip()
