"""Commands that open the terminal UI: code, demo."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from codewell.cli.output import table
from codewell.cli.project_cmds import ProjectArg

if TYPE_CHECKING:
    from textual.app import App


def code(
    project: ProjectArg,
    coder: Annotated[str, typer.Option("--coder", help="Your coder name, e.g. ana.")],
    blind: Annotated[bool, typer.Option("--blind", help="Hide other coders' codes and memos; suggestions off.")] = False,
    suggestions: Annotated[Optional[bool], typer.Option(
        "--suggestions/--no-suggestions", help="Force suggestions on or off (default: on, off when --blind).")] = None,
    sample: Annotated[Optional[int], typer.Option(help="Code a reproducible random subset of N responses.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for --sample and random order.")] = 1,
    order: Annotated[str, typer.Option(help="file | uncertain | random")] = "file",
    set_name: Annotated[Optional[str], typer.Option(
        "--set", help="Code exactly this reliability set (see 'codewell sample'), in its own order.")] = None,
) -> None:
    """Open the coding screen for one coder (keys: 1-9 toggle, a accept, enter done, ? help).

    With --set NAME the coder codes that reliability set, in the order every coder gets; while
    the set is open nobody sees anyone else's work on it, whether or not --blind is given.
    """
    from codewell.project import Project
    from codewell.project.coding import check_coder_name

    check_coder_name(coder)  # before the screen: a blank name failed only at the first key

    if order not in ("file", "uncertain", "random"):
        from codewell.errors import UnknownNameError
        from codewell.fuzzy import did_you_mean

        raise UnknownNameError(f"no order '{order}' (file, uncertain, random)",
                               did_you_mean(order, ("file", "uncertain", "random")))
    with Project.open(project) as opened:  # fail here, before the screen, on a bad file
        opened.refuse_if_damaged()
        opened.refuse_another_login(coder)
        if not opened.response_count():
            from codewell.errors import DataFileError

            raise DataFileError(f"{project}: has no responses yet", hint=f"codewell import {project} DATA.csv")
        if set_name is not None:
            chosen = opened.reliability_set(set_name)
            if suggestions and not chosen.allow_suggestions:
                from codewell.errors import CodewellError

                raise CodewellError(f"suggestions are off in set '{set_name}': they could carry earlier "
                                    "decisions into the second coding",
                                    hint="leave out --suggestions; a drawn set never changes, so only a "
                                         "new set allows them: codewell sample "
                                         f"{project} --name NEW_NAME --allow-suggestions")
            if order != "file":
                from codewell.errors import CodewellError

                raise CodewellError(f"set '{set_name}' is coded in its own order, the same for every coder",
                                    hint="leave out --order")
    _run_app(project, coder, blind=blind, suggestions=suggestions, sample=sample, seed=seed, order=order,
             set_name=set_name)


def user_keymap() -> dict[str, str]:
    """The keymap of the settings file, checked against every binding id of both apps."""
    from codewell.settings import load_settings
    from codewell.tui.screens.adjudicate import ADJUDICATE_BINDINGS
    from codewell.tui.screens.coding import CODING_BINDINGS
    from codewell.tui.widgets.consensus_list import ConsensusList

    bindings = [*CODING_BINDINGS, *ADJUDICATE_BINDINGS, *ConsensusList.BINDINGS]
    return load_settings(binding_ids={b.id for b in bindings if b.id}).keymap  # type: ignore[union-attr]


def _run_app(location: str, coder: str, **options: object) -> None:
    from codewell.tui.app import make_app

    run_screen(make_app(location, coder, keymap=user_keymap(), **options))  # type: ignore[arg-type]


def run_screen(app: App[object]) -> None:
    """Run a screen; if it ended on an error (Textual has printed it), exit with a non-zero
    code, so a script or a wrapper never reads a crash as a clean finish."""
    app.run()
    code = exit_code_of(app)
    if code:
        raise typer.Exit(code)


def exit_code_of(app: App[object]) -> int:
    """The code a finished screen exits with: codewell's own code for a CodewellError that
    stopped it (3 for a damaged project, as the command line gives), else Textual's (1 for any
    other error). Textual keeps the error that ended the app in ``_exception``."""
    from codewell.errors import CodewellError

    error = getattr(app, "_exception", None)
    if isinstance(error, CodewellError):
        return error.exit_code
    return app.return_code or 0


def demo(
    coder: Annotated[str, typer.Option("--coder", help="Coder name to use in the demo.")] = "demo",
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Only build the demo project and print its summary.")] = False,
) -> None:
    """Open the coding screen on a fresh copy of the bundled sample study.

    The copy holds the image-sharing codebook, its responses and two coders' (ana, ben) codings, so
    'codewell agree', 'report' and 'export' work on it too. Without a terminal it prints a summary.
    """
    from codewell.locations import data_dir, sample_study
    from codewell.codebook import load_codebook
    from codewell.project import Project
    from codewell.project.coding import check_coder_name

    check_coder_name(coder)
    codebook_file, folder = sample_study()
    folder_out = data_dir() / "demo"
    folder_out.mkdir(exist_ok=True)
    location = folder_out / f"image-sharing-{datetime.now():%Y%m%d-%H%M%S-%f}.cw"
    with Project.create(location, load_codebook(codebook_file)) as project:
        report = project.import_responses(folder / "responses.csv")
        project.import_codings(folder / "codings.csv")
        summary = project.summary()
    typer.echo(f"Demo project: {location}")
    typer.echo(f"{report.added} responses, codebook '{summary['codebook']['title']}' "
               f"({len(summary['codebook']['codes'])} codes).")
    if no_tui or not (sys.stdin.isatty() and sys.stdout.isatty()):
        rows = [(name, c["done"], c["decisions"]) for name, c in summary["coders"].items()]
        typer.echo(table(("coder", "done", "decisions"), rows))
        typer.echo(f"Try: codewell code {location} --coder you   |   codewell agree {location} --coders ana,ben")
        return
    _run_app(str(location), coder, blind=False, suggestions=None, sample=None, seed=1, order="file",
             set_name=None)
