"""Commands for reliability: agree (a project or any long CSV) and adjudicate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json, table
from codewell.errors import DataFileError

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
MASI_VARIANTS = ("passonneau", "nltk", "dkpro")


def split_coders(value: str) -> list[str]:
    coders = [c.strip() for c in value.split(",") if c.strip()]
    twice = next((c for i, c in enumerate(coders) if c in coders[:i]), None)
    if twice is not None and len(set(coders)) >= 2:  # segment agreement would count them twice
        raise DataFileError(f"--coders names '{twice}' twice ('{value}')",
                            hint="name each coder once, e.g. --coders ana,ben")
    if len(coders) < 2:
        raise DataFileError(f"--coders needs at least two names separated by commas, not '{value}'",
                            hint="e.g. --coders ana,ben")
    return coders


def _refuse_other_form(target: str, is_table: bool, csv_only: dict[str, bool],
                       project_only: dict[str, bool]) -> None:
    """An option of the other form would be ignored, and the figures read as if it applied."""
    wrong = [name for name, given in (project_only if is_table else csv_only).items() if given]
    if wrong:
        form, other = ("a codings CSV", "a project") if is_table else ("a project", "a codings CSV")
        raise DataFileError(f"{target}: {', '.join(wrong)} {'applies' if len(wrong) == 1 else 'apply'} "
                            f"to {other}, not to {form}", hint="see codewell agree --help")


def agree(
    target: Annotated[str, typer.Argument(help="A project file or postgresql:// URL, or a long-format CSV of codings.")],
    coders: Annotated[Optional[str], typer.Option(help="Project: coders to compare, e.g. ana,ben.")] = None,
    model: Annotated[Optional[str], typer.Option(
        help="Project: agreement of the suggestions shown to this coder with their decisions.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="CSV: the column naming the unit (e.g. response id).")] = None,
    coder: Annotated[Optional[str], typer.Option(help="CSV: the column naming the coder.")] = None,
    value: Annotated[Optional[str], typer.Option(help="CSV: the column holding the value; empty = missing.")] = None,
    level: Annotated[str, typer.Option(help="CSV: nominal | ordinal | interval | ratio.")] = "nominal",
    percent: Annotated[str, typer.Option(
        help="CSV, >2 coders: 'pairwise' share of agreeing coder pairs per unit (Fleiss' P-bar, "
             "the default) or 'all' (units where every coder gave the same value).")] = "pairwise",
    categories: Annotated[Optional[int], typer.Option(
        min=1, help="CSV: number of possible categories for Brennan-Prediger (default: categories seen).")] = None,
    masi: Annotated[str, typer.Option(
        help="Project: distance between code sets for the MASI alpha: 'passonneau' (1 - Jaccard x "
             "monotonicity with exact thirds, the default), 'nltk' (NLTK's rounded 0.67/0.33) or "
             "'dkpro' (DKPro's (1 - J)(1 - M)).")] = "passonneau",
    ci: Annotated[bool, typer.Option("--ci", help="Add 95% bootstrap intervals (units resampled).")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the bootstrap.")] = 0,
    disagreements: Annotated[bool, typer.Option(
        "--disagreements", help="Project: list each response and code where the coders differ.")] = False,
    set_name: Annotated[Optional[str], typer.Option(
        "--set", help="Project: compare on this reliability set only (default: the set 'irr', or the "
                      "newest set, when there is one).")] = None,
    all_responses: Annotated[bool, typer.Option(
        "--all-responses", help="Project: compare every response all coders finished, even when a set exists.")] = False,
    segments: Annotated[bool, typer.Option(
        "--segments", help="Project: also segment agreement per code: character-level alpha and F1 of "
                           "segments matched at --overlap (a whole-response coding is a segment of all of it).")] = False,
    overlap: Annotated[float, typer.Option(
        help="Project, --segments: the Jaccard overlap at which two coders' segments match.")] = 0.5,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Inter-coder agreement: per code and overall, with readings and the n each rests on.

    Project form: codewell agree study.cw --coders ana,ben [--ci] [--disagreements] [--set irr].
    Compares the responses every coder marked done, on the reliability set when there is one, and
    warns when that overlap is thin (under 30 responses, a CI wider than ±0.15, a code with
    under 5 positive responses); per code the binary coefficients (percent agreement,
    Cohen's kappa — Fleiss' with 3+ coders —, Scott's pi, Krippendorff's alpha, Gwet's AC1,
    Brennan-Prediger) with the 2x2 table; overall Krippendorff's alpha over all response x code
    pairs, alpha with the MASI distance on the code sets (NLTK's definition: 1 - Jaccard x
    monotonicity), mean and pooled kappa.

    CSV form: codewell agree codings.csv --unit id --coder coder --value code [--level nominal].
    All values are proportions in [0, 1]; a coefficient that cannot apply is shown as n/a (null).
    """
    is_table = "://" not in target and Path(target).suffix.lower() in TABLE_SUFFIXES
    if segments and (is_table or model):
        raise DataFileError("--segments compares coders' passages in a project",
                            hint="use it with a project and --coders, e.g. codewell agree study.cw --coders ana,ben --segments")
    csv_only = {"--unit": unit is not None, "--coder": coder is not None, "--value": value is not None,
                "--level": level != "nominal", "--percent": percent != "pairwise",
                "--categories": categories is not None}
    project_only = {"--coders": coders is not None, "--model": model is not None,
                    "--masi": masi != "passonneau", "--disagreements": disagreements,
                    "--set": set_name is not None, "--all-responses": all_responses}
    _refuse_other_form(target, is_table, csv_only, project_only)
    if set_name is not None and all_responses:
        raise DataFileError(f"--set {set_name} and --all-responses contradict each other",
                            hint="--set compares the set only; --all-responses every response all coders finished")
    if is_table:
        from codewell.cli.agree_csv import agree_csv

        missing = [f"--{n}" for n, v in (("unit", unit), ("coder", coder), ("value", value)) if not v]
        if missing:
            raise DataFileError(f"{target}: a codings table needs {', '.join(missing)} to name its columns",
                                hint="e.g. --unit id --coder coder --value code")
        agree_csv(Path(target), unit or "", coder or "", value or "", level, ci, as_json, seed=seed,
                  percent=percent, n_categories=categories)
        return
    from codewell.cli.agree_render import render_multilabel_table
    from codewell.project import Project

    report = None
    with Project.open(target) as project:
        if model:
            result = project.model_agreement(model, ci=ci, seed=seed)
        else:
            if not coders:
                raise DataFileError("which coders? pass --coders, e.g. --coders ana,ben",
                                    hint=f"coders here: {', '.join(project.coders()) or 'none yet'}")
            if masi not in MASI_VARIANTS:
                from codewell.errors import UnknownNameError
                from codewell.fuzzy import did_you_mean

                raise UnknownNameError(f"no MASI variant '{masi}' ({', '.join(MASI_VARIANTS)})",
                                       did_you_mean(masi, MASI_VARIANTS))
            report = project.agreement_report(split_coders(coders), set_name=set_name,
                                              all_responses=all_responses, ci=ci, seed=seed, masi=masi)
            result = report.result
        on_segments = None
        if segments and report is not None:
            ids = project.reliability_set(report.set_name).ids if report.set_name else None
            on_segments = project.segment_agreement(split_coders(coders or ""), ids=ids, threshold=overlap)
        texts = ({rid: r.text for rid, r in project.responses_by_id(
            sorted({rid for rid, _, _ in result.disagreements()})).items()} if disagreements else {})
    if as_json:
        data = report.to_dict() if report is not None else result.to_dict()
        if disagreements:
            data["disagreements"] = [{"id": rid, "code": code, "applied": applied, "text": texts[rid]}
                                     for rid, code, applied in result.disagreements()]
        if on_segments is not None:
            data["segments"] = on_segments.to_dict()
        emit_json(data)
        return
    if report is not None:
        from codewell.cli.agree_render import render_report_context

        typer.echo(render_report_context(report))
    typer.echo(render_multilabel_table(result))
    if on_segments is not None:
        typer.echo(_segment_table(on_segments))
    if report is not None and report.warnings:
        typer.echo("\nWarnings\n" + "\n".join(f"  ! {warning}" for warning in report.warnings))
    if disagreements:
        rows = [(rid, code, ", ".join(c for c, on in applied.items() if on),
                 ", ".join(c for c, on in applied.items() if not on), _short(texts[rid]))
                for rid, code, applied in result.disagreements()]
        typer.echo("\nDisagreements\n" + table(("id", "code", "applied by", "not by", "response"), rows))


def _segment_table(result) -> str:  # type: ignore[no-untyped-def]
    """Segment agreement per code (a SegmentAgreement), under the response-level table."""
    from codewell.cli.agree_render import value_text

    rows = [(row.code, value_text(row.alpha), value_text(row.f1), row.matched,
             *(row.segments[c] for c in result.coders)) for row in result.rows]
    return (f"\nSegments ({result.n_units} responses, {result.rows[0].characters if result.rows else 0} "
            f"characters; alpha: each character a unit; F1: segments matched at overlap >= {result.threshold})\n"
            + table(("code", "char alpha", "F1", "matched", *(f"n {c}" for c in result.coders)), rows))


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def adjudicate(
    project: Annotated[str, typer.Argument(help="Project file.")],
    coders: Annotated[str, typer.Option(help="Coders whose disagreements to settle, e.g. ana,ben.")],
) -> None:
    """Settle disagreements into the coder 'consensus' (a screen that walks through them only).

    Codes both coders applied are carried into consensus without asking; only responses every
    coder finished are compared. Keys: 1/2 take a coder's set, u union, i agreed only, e edit,
    enter save, v the agreement table, ? all keys.
    """
    from codewell.adjudication import CONSENSUS
    from codewell.project import Project

    names = split_coders(coders)
    if CONSENSUS in names:
        # the screen would settle 'consensus' against a coder and write the choice back into it
        raise DataFileError(f"--coders names '{CONSENSUS}', the coder adjudication writes into",
                            hint="name the coders whose disagreements to settle, e.g. --coders ana,ben")
    with Project.open(project) as opened:
        opened.refuse_if_damaged()
        opened.adjudication(names)  # fail here, before the screen, on unknown coders or nothing to compare
    from codewell.cli.coding_cmds import run_screen, user_keymap
    from codewell.tui.adjudicate_app import make_adjudicate_app

    run_screen(make_adjudicate_app(project, names, keymap=user_keymap()))
