"""codewell migrate: a project copied between a file and a PostgreSQL server, losslessly."""

from __future__ import annotations

from typing import Annotated

import typer

from codewell.cli.output import emit_json


def migrate(
    source: Annotated[str, typer.Argument(help="The project to copy: a file, or a postgresql:// URL with the owner's login.")],
    target: Annotated[str, typer.Argument(help="A new file, or an empty PostgreSQL database's URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Copy a project SQLite -> PostgreSQL or back: the decision log (ids and uids, segments),
    codebook versions, statuses, flags, memos, shown suggestions, reliability sets and the
    reference set, all or nothing. A server's coder logins and blind mode are not copied: add the
    coders again on a new server database (codewell team add)."""
    from codewell.project.team import migrate_project
    from codewell.project.team import mask

    counts = migrate_project(source, target)
    if as_json:
        emit_json({"source": mask(source), "target": mask(target), "rows": counts})
        return
    copied = ", ".join(_count(counts[key], noun) for key, noun in (
        ("responses", "response"), ("decisions", "decision"), ("codebook_versions", "codebook version"),
        ("memos", "memo"), ("reliability_sets", "reliability set")))
    typer.echo(f"Copied {mask(source)} to {mask(target)}: {copied}.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
