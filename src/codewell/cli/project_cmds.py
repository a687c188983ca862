"""Commands that create, fill and describe a project: init, import, status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json, table
from codewell.fuzzy import did_you_mean

ProjectArg = Annotated[str, typer.Argument(help="Project file (created by 'codewell init').")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def init(
    project: Annotated[str, typer.Argument(help="Project file to create, e.g. study.cw.")],
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: YAML, a REFI-QDA .qdc or a Taguette codebook .csv.")],
    lenient: Annotated[bool, typer.Option("--lenient", help="Read a .qdc or .csv that breaks the rules (e.g. Taguette's .qdc) anyway, listing what was wrong.")] = False,
) -> None:
    """Create a new project file from a codebook."""
    from codewell.codebook import load_codebook_report
    from codewell.project import Project

    cb, problems = load_codebook_report(codebook, lenient=lenient)
    with Project.create(project, cb) as created:
        for problem in problems:
            typer.echo(f"Read leniently: {problem}")
        typer.echo(f"Created {created.location} with codebook '{cb.title}' ({len(cb.codes)} codes).")
        typer.echo(f"Next: codewell import {created.location} RESPONSES.csv")  # a password in a URL stays masked


def import_(
    project: ProjectArg,
    data: Annotated[Path, typer.Argument(help="CSV/XLSX survey export, a codings CSV (with --codings) or a .qdpx.")],
    text_column: Annotated[Optional[str], typer.Option(help="Column holding the free text (guessed if omitted).")] = None,
    id_column: Annotated[Optional[str], typer.Option(help="Column holding the response id (row numbers if omitted).")] = None,
    sheet: Annotated[Optional[str], typer.Option(help="XLSX sheet name (first sheet if omitted).")] = None,
    codings: Annotated[bool, typer.Option("--codings", help="DATA is a long codings CSV: columns id, coder, code "
                                                              "(and start, end for a segment, in characters from 0).")] = False,
    keep_metadata: Annotated[bool, typer.Option("--keep-metadata", help="Also import survey platforms' identifying columns (IP address, location, recipient name/e-mail, external reference), left out by default.")] = False,
    columns: Annotated[Optional[str], typer.Option("--columns", help="Import exactly these other columns as attributes, comma-separated, e.g. 'Role,Site'.")] = None,
    update_attributes: Annotated[bool, typer.Option("--update-attributes", help="Responses already in the project take this file's attribute values (attributes the file does not name are kept).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add survey responses (other columns are kept as attributes), or coders' codings with --codings.

    Re-importing the same file adds nothing. Responses with empty text are kept and reported.
    Responses already in the project keep their attributes; the import names those the file gives
    other values, and --update-attributes takes the file's.
    """
    from codewell.errors import DataFileError
    from codewell.project import Project

    survey_only = {"--text-column": text_column is not None, "--id-column": id_column is not None,
                   "--sheet": sheet is not None, "--keep-metadata": keep_metadata,
                   "--columns": columns is not None}
    if codings:
        survey_only["--update-attributes"] = update_attributes
    given = [name for name, used in survey_only.items() if used]
    if given and (codings or data.suffix.lower() == ".qdpx"):
        what = "a codings CSV (--codings)" if codings else "a REFI-QDA project (.qdpx)"
        raise DataFileError(f"{', '.join(given)}: for a survey export, not {what}",
                            hint=f"leave {'it' if len(given) == 1 else 'them'} out: "
                                 + ("the codings CSV names its columns id, coder, code" if codings
                                    else "the .qdpx file carries its own sources and attributes"))
    with Project.open(project) as opened:
        chosen = None if columns is None else [name.strip() for name in columns.split(",")]
        report = opened.import_codings(data) if codings else opened.import_responses(
            data, text_column=text_column, id_column=id_column, sheet=sheet,
            keep_metadata=keep_metadata, columns=chosen, update_attributes=update_attributes)
    if as_json:
        emit_json({"source": report.source, "added": report.added, "unchanged": report.unchanged,
                   "empty_ids": list(report.empty_ids), "notes": list(report.notes), **report.details})
        return
    for note in report.notes:
        typer.echo(note)
    if codings:
        # per coder: a sum over coders read as responses, more than the project held
        done = ", ".join(f"{n} for {coder}" for coder, n in report.details["done_by_coder"].items())
        typer.echo(f"Recorded {report.added} decision(s); responses marked done: {done}.")
        return
    typer.echo(f"Imported {report.added} new responses from {data} ({report.unchanged} already present).")
    if report.empty_ids:
        shown = ", ".join(report.empty_ids[:8]) + (" ..." if len(report.empty_ids) > 8 else "")
        typer.echo(f"Empty responses: {shown}")


def status(project: ProjectArg, as_json: JsonOpt = False,
           coder: Annotated[Optional[str], typer.Option(
               "--coder", help="Show it as this coder sees it: others' progress on open sets hidden.")] = None) -> None:
    """Show responses, codebook version, each coder's progress and the reliability sets."""
    from codewell.project import Project

    with Project.open(project, viewer=coder) as opened:
        summary = opened.summary()
        coders = opened.coders()
    if coder is not None and coder not in coders and (hint := did_you_mean(coder, coders)):
        # a coder yet to start may look as themselves; a near miss of a coder who has is a typo
        typer.echo(f"Note: nobody named '{coder}' has coded here yet ({hint})", err=True)
    if as_json:
        emit_json(summary)
        return
    cb = summary["codebook"]
    typer.echo(f"{summary['project']}: {summary['responses']} responses ({summary['empty']} empty)")
    typer.echo(f"Codebook '{cb['title']}' version {cb['version']}: {', '.join(cb['codes'])}")
    if summary["reference"]:
        ref = summary["reference"]
        typer.echo(f"Reference: {ref['source']}, {ref['responses']} coded responses of another study "
                   f"(added {ref['added_at']}; codewell reference)")
    rows = [(name, c["done"], c["remaining"], c["skipped"], c["flagged"], c["decisions"])
            for name, c in summary["coders"].items()]
    if rows:
        typer.echo(table(("coder", "done", "remaining", "skipped", "flagged", "decisions"), rows))
    elif summary["responses"]:
        typer.echo(f"Nobody has coded yet: codewell code {project} --coder NAME")
    else:  # coding comes after the survey is in
        typer.echo(f"No responses yet: codewell import {project} SURVEY.csv (CSV, XLSX, Qualtrics, SurveyMonkey)")
    for name, item in summary.get("sets", {}).items():
        progress = ", ".join(f"{c} {v['done']}/{item['size']}" for c, v in item["coders"].items()) or "nobody yet"
        typer.echo(f"Set '{name}': {item['size']} responses, {'open' if item['open'] else 'closed'} ({progress})")

