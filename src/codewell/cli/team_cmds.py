"""codewell team: coders' own database roles on a PostgreSQL project, and blind mode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json, table

team_app = typer.Typer(help="Coders' own logins on a PostgreSQL project: blinding the server enforces.",
                       no_args_is_help=True)
UrlArg = Annotated[str, typer.Argument(help="The project's postgresql:// URL, as its owner.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@team_app.command("add")
def add(
    project: UrlArg,
    coder: Annotated[str, typer.Option("--coder", help="The coder's name in the project, e.g. ben.")],
    password_file: Annotated[Optional[Path], typer.Option(
        "--password-file", help="A file whose first line is the new role's password (never on the command line).")] = None,
    role: Annotated[Optional[str], typer.Option(
        "--role", help="Map an existing login role instead of creating one.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a coder a database login of their own: they read only what blinding lets them."""
    from codewell.project.team import add_member

    added = add_member(project, coder, password_file=password_file, role=role)
    if as_json:
        emit_json({"coder": added.coder, "role": added.role})
        return
    verb = "Created" if added.created else "Granted"
    typer.echo(f"{verb} role {added.role} for coder {added.coder}.")
    typer.echo(f"{added.coder} connects with: codewell code {added.connect} --coder {added.coder}")
    typer.echo("The password goes in PGPASSWORD, ~/.pgpass or a service file, never in the URL.")


@team_app.command("remove")
def remove(
    project: UrlArg,
    coder: Annotated[str, typer.Option("--coder", help="The coder whose login to take away, e.g. ben.")],
    as_json: JsonOpt = False,
) -> None:
    """Take away a coder's login (someone who left the team): their decisions stay in the project.

    The login role stays on the server without any right to this project; DROP ROLE removes it
    for good, and team add gives the coder access again."""
    from codewell.project.team import remove_member

    roles = remove_member(project, coder)
    if as_json:
        emit_json({"coder": coder, "roles": roles})
        return
    typer.echo(f"Took away {coder}'s access: role{'s' if len(roles) > 1 else ''} {', '.join(roles)} "
               "may no longer read or write this project. Their decisions stay.")
    typer.echo("The role stays on the server (DROP ROLE removes it); codewell team add gives access again.")


@team_app.command("list")
def list_(project: UrlArg, as_json: JsonOpt = False) -> None:
    """Who may log in to the project, and what each may read."""
    from codewell.project.team import members

    blind, found = members(project)
    if as_json:
        emit_json({"blind": blind, "members": [m.to_dict() for m in found]})
        return
    typer.echo(table(("role", "coder", "rights", "login"),
                     [(m.role, m.coder or "-", m.rights,
                       "yes" if m.can_login else "no" if m.role_exists else "role dropped on the server")
                      for m in found]))
    typer.echo(f"Blind mode: {'on' if blind else 'off'} (codewell team blind PROJECT_URL [--off])")


@team_app.command("blind")
def blind(project: UrlArg, off: Annotated[bool, typer.Option("--off", help="Turn blind mode off.")] = False) -> None:
    """Blind mode for the whole project: coders read only their own work, set or no set."""
    from codewell.project.team import set_blind

    set_blind(project, not off)
    typer.echo(f"Blind mode is {'off' if off else 'on'}: coder roles read "
               f"{'others’ work outside open reliability sets' if off else 'only their own work'}.")
