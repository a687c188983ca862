"""`codewell sample`: draw a reliability set both coders code blind, or plan how big it must be."""

from __future__ import annotations

import shlex
from typing import Annotated, Optional

import typer

from codewell.cli.output import emit_json, table
from codewell.cli.project_cmds import JsonOpt, ProjectArg


def sample(
    project: ProjectArg,
    size: Annotated[Optional[int], typer.Option(help="How many responses (default: the --plan recommendation).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the draw and of the coding order.")] = 1,
    name: Annotated[str, typer.Option(help="The set's name; coders open it with code --set NAME.")] = "irr",
    stratify: Annotated[Optional[str], typer.Option(help="An attribute (column) whose shares the set keeps, e.g. profession.")] = None,
    allow_suggestions: Annotated[bool, typer.Option(
        "--allow-suggestions", help="Let coders turn suggestions on in this set (off by default: they can leak "
                                    "earlier decisions).")] = False,
    plan: Annotated[bool, typer.Option("--plan", help="Only recommend a size per code; draw nothing.")] = False,
    alpha_min: Annotated[float, typer.Option(help="Smallest alpha you would accept (plan).")] = 0.8,
    level: Annotated[float, typer.Option(help="Significance level of the plan (one-tailed).")] = 0.05,
    expected: Annotated[float, typer.Option(help="Prevalence assumed for a code nobody has applied yet (plan).")] = 0.1,
    as_json: JsonOpt = False,
) -> None:
    """Draw a named reliability set (default 'irr') that every coder codes in the same order.

    The draw is reproducible from --seed; --stratify keeps an attribute's shares. Coders code it
    with 'codewell code PROJECT --coder NAME --set irr'; while it is open nobody sees anyone
    else's work on it. --plan recommends a size per code after Krippendorff (the rarest category
    drives the number of units), and that size is the default --size.
    """
    from codewell.project import Project

    with Project.open(project) as opened:
        plans = opened.plan_sample(alpha_min=alpha_min, level=level, expected=expected) if plan or size is None else []
        counts = opened.summary()
        if plan:
            _print_plan(plans, alpha_min, level, as_json, counts["responses"])
            return
        n_responses = counts["responses"] - counts["empty"]
        # an empty project gets draw_set's own error, not one about a --size nobody gave
        chosen = size if size is not None else max(1, min(plans[0].units, n_responses))
        drawn = opened.draw_set(chosen, name=name, seed=seed, stratify=stratify,
                                allow_suggestions=allow_suggestions)
    if as_json:
        emit_json({"name": drawn.name, **drawn.to_dict()})
        return
    if size is None:
        typer.echo(f"Size from the plan: {plans[0].units} for '{plans[0].code}' ({plans[0].reason})"
                   + (f"; the project has {_responses(n_responses)}, so all of them" if plans[0].units > n_responses else ""))
    elif size > drawn.size:
        typer.echo(f"Asked for {size}; the project has {_responses(drawn.size)} with text, so all of them")
    by = f", stratified by {stratify}" if stratify else ""
    typer.echo(f"Drew set '{drawn.name}': {_responses(drawn.size)} (seed {seed}{by}), in this coding order:")
    typer.echo(" ".join(drawn.ids))
    typer.echo(f"Next, each coder: codewell code {shlex.quote(str(project))} --coder NAME "
               f"--set {shlex.quote(drawn.name)}")


def _responses(n: int) -> str:
    return f"{n} response{'s' * (n != 1)}"


def _print_plan(plans, alpha_min: float, level: float, as_json: bool, n_responses: int) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        emit_json({"alpha_min": alpha_min, "level": level, "recommended": plans[0].units if plans else 0,
                   "responses": n_responses,
                   "codes": {p.code: {"prevalence": p.prevalence, "units": p.units, "reason": p.reason}
                             for p in plans}})
        return
    typer.echo(f"Sample size for alpha >= {alpha_min:g} at p < {level:g} (Krippendorff; two coders), largest first")
    typer.echo(table(("code", "prevalence", "units", "why"),
                     [(p.code, f"{p.prevalence:.3f}", p.units, p.reason) for p in plans]))
    if plans:
        typer.echo(f"\nRecommended --size: {plans[0].units} (for '{plans[0].code}')"
                   + (f"; the project has {_responses(n_responses)}" if plans[0].units > n_responses else ""))
