"""The Typer application: registers each command module's commands, nothing more."""

from __future__ import annotations

import signal

import typer

from codewell import __version__
from codewell.cli import (agree_cmds, analysis_cmds, backup_cmds, check_cmds, codebook_cmds, coding_cmds,
                          migrate_cmds, project_cmds, reference_cmds, sample_cmds, team_cmds)
from codewell.cli.errors import CodewellGroup

app = typer.Typer(
    cls=CodewellGroup,
    name="codewell",
    help="Code free-text survey responses against a codebook, with suggestions that learn from you.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, and usage errors as one "Error: ..." line like ours
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"codewell {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Code free-text survey responses against a codebook, with suggestions that learn from you."""


app.command()(project_cmds.init)
app.command("import")(project_cmds.import_)
app.command()(project_cmds.status)
app.add_typer(codebook_cmds.codebook_app, name="codebook")
app.command()(sample_cmds.sample)
app.command()(coding_cmds.code)
app.command()(coding_cmds.demo)
app.command()(agree_cmds.agree)
app.command()(agree_cmds.adjudicate)
app.command()(analysis_cmds.suggest)
app.command()(analysis_cmds.evaluate)
app.command()(reference_cmds.reference)
app.command()(analysis_cmds.report)
app.command()(analysis_cmds.export)
app.command()(analysis_cmds.pii)
app.command()(backup_cmds.backup)
app.command()(backup_cmds.restore)
app.command()(check_cmds.check)
app.command()(migrate_cmds.migrate)
app.add_typer(team_cmds.team_app, name="team")


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    app()


def _terminated(signum: int, frame: object) -> None:
    """A polite kill (``kill PID``, a scheduler's timeout, a closed session) unwinds like Ctrl-C:
    a half-written output is removed and an open transaction rolls back, where the default
    ended the process on the spot and left the hidden ``.partial`` file beside the output."""
    raise SystemExit(128 + signum)
