"""One place that turns a :class:`CodewellError` into one line on stderr and an exit code."""

from __future__ import annotations

from typing import Any

import click
import typer
from typer.core import TyperGroup

from codewell.errors import CodewellError


def error_line(exc: CodewellError) -> str:
    return f"Error: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")


class CodewellGroup(TyperGroup):
    """Runs subcommands and reports codewell's own errors without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CodewellError as exc:
            typer.echo(error_line(exc), err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted.", err=True)
            raise typer.Exit(130) from None
