"""One place that turns errors into one line on stderr and an exit code, never a traceback.

codewell's own errors carry their message and hint. Errors from outside codewell that reach this
far (the operating system refusing a file, memory running out) are translated here, at the
boundary, so a user always reads one line that says what happened. Warnings the core logs (a
project upgraded, a wait for another process's lock) are shown on stderr as they happen.
"""

from __future__ import annotations

import errno
import logging
import sys
from typing import Any

import click
import typer
from typer.core import TyperGroup

from codewell.errors import CodewellError


def error_line(exc: CodewellError) -> str:
    return f"Error: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")


def os_error_line(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"Error: {where}{exc.strerror or exc} (check that the path exists and that you may read and write it)"


class _StderrNotices(logging.Handler):
    """The core's warnings ("waiting for the project…") as plain lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"codewell: {record.getMessage()}", file=sys.stderr, flush=True)


def show_core_warnings() -> None:
    logger = logging.getLogger("codewell")
    if not any(isinstance(handler, _StderrNotices) for handler in logger.handlers):
        logger.addHandler(_StderrNotices(level=logging.WARNING))
        logger.propagate = False


class CodewellGroup(TyperGroup):
    """Runs subcommands and reports errors without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        show_core_warnings()
        try:
            return super().invoke(ctx)
        except CodewellError as exc:
            typer.echo(error_line(exc), err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                # The reader of our output went away (``codewell agree ... | head -1``): not a
                # file problem to report. Typer ends quietly, its streams made safe to flush.
                raise
            typer.echo(os_error_line(exc), err=True)
            raise typer.Exit(2) from None
        except MemoryError:
            typer.echo("Error: out of memory (the input is too large for this machine)", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted.", err=True)
            raise typer.Exit(130) from None
