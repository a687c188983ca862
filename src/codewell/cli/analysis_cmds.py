"""Commands that read a project (or labelled files) and produce results: suggest, evaluate,
report, export, pii."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from codewell.cli.project_cmds import JsonOpt, ProjectArg
from codewell.errors import CodewellError


def suggest(
    project: ProjectArg,
    coder: Annotated[Optional[str], typer.Option(
        help="Train on this coder's finished responses and suggest for the rest "
             "(default: consensus, or the only coder; the codebook alone if nobody has coded).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="At most N responses.")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write one row per response (id, each code's probability, the "
                               "suggested codes) to FILE.csv or FILE.parquet instead of printing.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print suggested codes, probabilities and evidence for responses not yet coded."""
    from codewell.cli.suggest_cmds import check_output, render_suggestions, write_suggestions
    from codewell.project import Project

    if limit is not None and limit < 1:  # 0 or -3 printed "No responses to suggest codes for."
        raise CodewellError(f"--limit must be at least 1, not {limit}")
    if output is not None:
        check_output(output)
    with Project.open(project) as opened:
        chosen = coder or opened.default_coder()
        if coder is None and chosen is None and opened.coders():
            raise CodewellError(f"several coders here ({', '.join(opened.coders())}): whose decisions "
                                "should the model learn from?", hint="choose one with --coder NAME")
        if output is not None:
            written = write_suggestions(opened, chosen, limit, output)
            typer.echo(f"Wrote suggestions for {written} responses to {output}.", err=True)
            return
        items = opened.suggest(chosen, limit=limit)
    typer.echo(render_suggestions(items, as_json))


def evaluate(
    train: Annotated[Path, typer.Argument(help="Labelled CSV to train on: id, response, one 0/1 column per code.")],
    codebook: Annotated[Path, typer.Option(help="The codebook the labels follow (YAML or .qdc).")],
    test: Annotated[Optional[Path], typer.Argument(help="Labelled CSV to score on (omit with --cv).")] = None,
    codes: Annotated[Optional[str], typer.Option(help="Only these codes, e.g. understanding,anxiety.")] = None,
    cv: Annotated[Optional[int], typer.Option(help="K-fold cross-validation on TRAIN instead of a TEST file.")] = None,
    simulate: Annotated[bool, typer.Option(
        "--simulate", help="Replay the gold labels as a coder would, from the codebook alone, and report "
                           "the learning curve of the suggestions shown before each decision.")] = False,
    order: Annotated[str, typer.Option(
        help="Order of the simulated coder: file (the coding screen's default) | uncertain | random.")] = "file",
    reference: Annotated[bool, typer.Option(
        "--reference", help="With --simulate: the simulated study of TEST has TRAIN as its reference "
                            "set (see `codewell reference`), as a new study would.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for folds, ordering and the model.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Train on one labelled file, score on another: per code precision, recall, F1, kappa; macro and
    micro F1; the same for the codebook-only cold start."""
    from codewell.cli.suggest_cmds import run_evaluate

    chosen = [c.strip() for c in codes.split(",") if c.strip()] if codes else None
    typer.echo(run_evaluate(train, test, codebook, chosen, cv, simulate, order, seed, as_json, reference))


def _report_slice(project: str, coder: str | None, non_answers: str | None):  # type: ignore[no-untyped-def]
    """Only what the report reads (its cost follows the coded responses, not the project)."""
    from codewell.project import Project
    from codewell.report import NonAnswers

    with Project.open(project) as opened:
        chosen = [coder] if coder not in (None, "all") else None
        return opened.report_slice(chosen, longest=NonAnswers.parse(non_answers).longest)


def _dataset(project: str, coder: str | None, with_log: bool = True):  # type: ignore[no-untyped-def]
    from codewell.project import Project

    with Project.open(project) as opened:
        if coder not in (None, "all"):
            opened.require_coder(coder)
            return opened.dataset([coder], with_log=with_log)
        return opened.dataset(with_log=with_log)


def report(
    project: ProjectArg,
    coder: Annotated[Optional[str], typer.Option(help="Whose codes (default: consensus, or the only coder).")] = None,
    by: Annotated[Optional[str], typer.Option(help="Crosstab by an attribute, e.g. profession.")] = None,
    format: Annotated[Optional[str], typer.Option(
        "--format", help="table | md (for a paper) | csv | json (default: as -o's suffix .md, .csv or "
                         ".json says, else table)")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Also write a bar chart (FILE.png or FILE.svg).")] = None,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the report to this file instead of printing it.")] = None,
    non_answers: Annotated[Optional[str], typer.Option(
        "--non-answers", help="Comma-separated answers that say nothing, replacing the default list "
                              "(n/a, na, n.a, none, nil, nothing, nothing to add, no comment(s), -, --, ---, "
                              "?, x).")] = None,
    quotes: Annotated[Optional[str], typer.Option(
        "--quotes", metavar="CODE", help="Instead of the table: every passage coded CODE (the segment, or "
                                         "the whole response), with the respondent id and attributes, "
                                         "ready to paste into a paper.")] = None,
) -> None:
    """Frequency table per code — n and % of coded responses (non-answers excluded and counted) with
    95% Wilson intervals — plus code co-occurrence and, with --by, a crosstab with a chi-square or
    Fisher test. With --quotes CODE, the quotes for that code instead."""
    from codewell.cli.export_cmds import run_quotes, run_report

    format = format or _format_of(out)
    if quotes is not None:
        typer.echo(run_quotes(_dataset(project, coder, with_log=False), coder, quotes, format, out), nl=False)
        return
    typer.echo(run_report(_report_slice(project, coder, non_answers), coder, by, format, plot, out,
                          non_answers), nl=False)


def _format_of(out: Optional[Path]) -> str:
    """The report format a file's suffix names: ``-o table.json`` wrote a text table into a .json."""
    suffix = out.suffix.lower() if out is not None else ""
    return {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json"}.get(suffix, "table")


def export(
    project: ProjectArg,
    out: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    format: Annotated[Optional[str], typer.Option(
        "--format", help="csv | xlsx | parquet | sav | dta | qdc | qdpx | taguette-csv "
                         "(default: from the file suffix).")] = None,
    layout: Annotated[str, typer.Option(help="wide: one row per response; long: one row per finished response, coder, code; "
                                                "segments: one row per coded passage (id, coder, code, start, end, text, memo).")] = "wide",
    coder: Annotated[Optional[str], typer.Option(help="NAME, consensus, or all (prefixed columns per coder).")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="CSV: write every cell as it is (by default a cell a spreadsheet would run as a formula gets a leading apostrophe).")] = False,
    redact: Annotated[bool, typer.Option("--redact", help="Mask emails, phone and NHS numbers, postcodes (and --names).")] = False,
    names: Annotated[Optional[Path], typer.Option(help="File of names to mask, one per line (implies --redact).")] = None,
    include_uncoded: Annotated[bool, typer.Option(
        "--include-uncoded", help="Long layout: also rows for responses a coder has not finished (applied empty).")] = False,
    non_answers: Annotated[Optional[str], typer.Option(
        "--non-answers", help="Comma-separated answers that say nothing (the non_answer column), "
                              "replacing the default list.")] = None,
) -> None:
    """Write the coded dataset (CSV, XLSX, Parquet, SPSS .sav, Stata .dta), REFI-QDA for NVivo,
    ATLAS.ti, MAXQDA and QualCoder (.qdc codebook, .qdpx project), or a Taguette codebook CSV."""
    from codewell.cli.export_cmds import export_format, refuse_unused, run_export
    from codewell.io.export_stream import STREAMED

    fmt = export_format(out, format)
    refuse_unused(fmt, layout, raw, redact, names, include_uncoded, non_answers)
    if (layout, fmt) in STREAMED:
        typer.echo(_export_streamed(project, out, fmt, layout, coder, raw, redact,
                                    names, include_uncoded, non_answers))
        return
    typer.echo(run_export(_dataset(project, coder), out, format, layout, coder, raw, redact, names,
                          include_uncoded, non_answers))


def _export_streamed(project: str, out: Path, fmt: str, layout: str, coder: str | None, raw: bool,
                     redact: bool, names_file: Path | None, include_uncoded: bool, non_answers: str | None) -> str:
    """Wide or long CSV, Parquet or XLSX, a block of responses at a time (the same file as the
    in-memory export)."""
    from codewell.cli.export_cmds import read_names
    from codewell.io.export_stream import export_blocks
    from codewell.project import Project
    from codewell.report.non_answers import NonAnswers

    names = read_names(names_file)
    with Project.open(project) as opened:
        chosen = [coder] if coder not in (None, "all") else None
        return opened.export_stream(chosen, lambda attributes, blocks: export_blocks(
            blocks, attributes, out, format=fmt, layout=layout, coder=coder, raw=raw,
            redact=redact or bool(names), redact_names=names, include_uncoded=include_uncoded,
            non_answer=NonAnswers.parse(non_answers)), with_log=layout == "long").summary()


def pii(
    project: ProjectArg,
    names: Annotated[Optional[Path], typer.Option(help="File of names to look for, one per line.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List responses holding personal identifiers (emails, phone and NHS numbers, postcodes, names)."""
    from codewell.cli.export_cmds import run_pii

    typer.echo(run_pii(_dataset(project, None, with_log=False), names, as_json), nl=False)
