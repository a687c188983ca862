"""`codewell codebook ...`: look at a project's codebook and change it, one version per change."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json
from codewell.cli.project_cmds import JsonOpt, ProjectArg

codebook_app = typer.Typer(help="Look at a project's codebook, or change it (each change is a new version).",
                           no_args_is_help=True)
CodeArg = Annotated[str, typer.Argument(help="A code id (case does not matter when unambiguous).")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why: kept with the new codebook version.")]


@codebook_app.command("show")
def codebook_show(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Print the codebook a project codes with (its latest version) and its history."""
    from codewell.codebook import codebook_to_dict
    from codewell.project import Project

    with Project.open(project) as opened:
        cb, version, history = opened.codebook, opened.codebook_version, opened.codebook_history()
    if as_json:
        emit_json({"version": version, **codebook_to_dict(cb),
                   "history": [{"version": v, "created_at": at, "hash": h, "note": n} for v, at, h, n in history]})
        return
    typer.echo(f"{cb.title} (version {version}, {len(cb.codes)} codes)")
    if cb.description:
        typer.echo(cb.description)
    for n, code in enumerate(cb.codes, start=1):
        indent = "    " if code.parent else ""
        group = f" [{code.group}]" if code.group else ""
        typer.echo(f"\n{indent}{n}. {code.label} ({code.id}){group}")
        if code.definition:
            typer.echo(f"{indent}   {code.definition}")
        for title, notes in (("include", code.include), ("exclude", code.exclude),
                             ("example", code.examples)):
            for note in notes:
                typer.echo(f"{indent}   {title}: {note}")
        if code.keywords:
            typer.echo(f"{indent}   keywords: {', '.join(code.keywords)}")
    if len(history) > 1:
        typer.echo("\nHistory")
        for v, at, _, note in history:
            typer.echo(f"  v{v}  {at[:16].replace('T', ' ')}  {note}")


def _done(project: str, version: int) -> None:
    from codewell.project import Project

    with Project.open(project) as opened:
        note = opened.codebook_history()[-1][3]
    typer.echo(f"Codebook version {version}: {note}")


@codebook_app.command("rename")
def rename(project: ProjectArg, code: CodeArg,
           new_id: Annotated[Optional[str], typer.Argument(help="The new id (snake_case); omit to change only the label.")] = None,
           label: Annotated[Optional[str], typer.Option(help="A new label.")] = None,
           reason: ReasonOpt = "") -> None:
    """Rename a code's id and/or label; every coder's decisions follow a new id (as events)."""
    from codewell.project import Project

    with Project.open(project) as opened:
        version = opened.rename_code(code, new_id, label=label, reason=reason)
    _done(project, version)


def _split(value: Optional[str]) -> Optional[list[str]]:
    return None if value is None else [part for part in value.split(";")]


@codebook_app.command("edit")
def edit(project: ProjectArg, code: CodeArg,
         definition: Annotated[Optional[str], typer.Option(help="The definition.")] = None,
         include: Annotated[Optional[str], typer.Option(help="Inclusion notes, separated by ';' ('' clears).")] = None,
         exclude: Annotated[Optional[str], typer.Option(help="Exclusion notes, separated by ';' ('' clears).")] = None,
         keywords: Annotated[Optional[str], typer.Option(help="Keywords, separated by ';' ('' clears).")] = None,
         examples: Annotated[Optional[str], typer.Option(help="Example quotes, separated by ';' ('' clears).")] = None,
         group: Annotated[Optional[str], typer.Option(help="The code's group, e.g. risk.")] = None,
         append: Annotated[bool, typer.Option("--append", help="Add the notes, keywords or examples given "
                                                                 "to the code's own instead of replacing them.")] = False,
         reason: ReasonOpt = "") -> None:
    """Change a code's definition, inclusion/exclusion notes, keywords, examples or group."""
    from codewell.project import Project

    with Project.open(project) as opened:
        version = opened.edit_code(code, reason=reason, definition=definition, group=group,
                                   include=_split(include), exclude=_split(exclude),
                                   keywords=_split(keywords), examples=_split(examples), append=append)
    _done(project, version)


@codebook_app.command("merge")
def merge(project: ProjectArg,
          source: Annotated[str, typer.Argument(metavar="FROM", help="The code that goes away.")],
          into: Annotated[str, typer.Argument(metavar="INTO", help="The code it becomes.")],
          reason: ReasonOpt = "") -> None:
    """Merge code FROM into INTO: FROM's decisions become INTO's (events, undoable)."""
    from codewell.project import Project

    with Project.open(project) as opened:
        version = opened.merge_codes(source, into, reason=reason)
    _done(project, version)


@codebook_app.command("retire")
def retire(project: ProjectArg, code: CodeArg, reason: ReasonOpt = "") -> None:
    """Retire a code: gone from the coding screen and later versions, kept in earlier ones."""
    from codewell.project import Project

    with Project.open(project) as opened:
        version = opened.retire_code(code, reason=reason)
    _done(project, version)


@codebook_app.command("undo")
def undo(project: ProjectArg) -> None:
    """Undo the latest codebook change: the version before returns, moved decisions move back."""
    from codewell.project import Project

    with Project.open(project) as opened:
        version = opened.undo_codebook_change()
    _done(project, version)
