"""Plain-text tables of agreement results that a researcher can paste into a paper.

Values print with three decimals, intervals as [low, high], and a coefficient that does not
apply as "n/a"; one that is undefined for this data (0/0) prints "undefined" with the reason in
a note under the table, so no cell ever shows a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from codewell.cli.output import table

if TYPE_CHECKING:  # the agreement package loads numpy; the CLI imports it only when used
    from codewell.agreement import Coefficient, MultilabelAgreement, TableAgreement
    from codewell.project.sets import AgreementReport

LABELS = {
    "percent_agreement": "Percent agreement",
    "cohen_kappa": "Cohen's kappa",
    "cohen_kappa_linear": "Cohen's kappa, linear weights",
    "cohen_kappa_quadratic": "Cohen's kappa, quadratic weights",
    "scott_pi": "Scott's pi",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger",
    "masi_alpha": "Krippendorff's alpha, MASI on code sets",
    "mean_kappa": "Mean kappa over codes",
    "pooled_kappa": "Pooled kappa (De Vries et al. 2008)",
}
OVERALL_LABELS = {"krippendorff_alpha": "Krippendorff's alpha, all response x code pairs",
                  "percent_agreement": "Percent agreement, all response x code pairs"}


def value_text(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "undefined" if math.isnan(value) else f"{value:.3f}"


def interval_text(interval: tuple[float, float] | None) -> str:
    if interval is None:
        return ""
    if any(math.isnan(v) for v in interval):
        return "undefined"
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _notes(values: Mapping[str, Coefficient | None], prefix: str = "") -> list[str]:
    """One line per reason: "<prefix>Cohen's kappa, Scott's pi undefined: <reason>."."""
    by_reason: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is not None and value.reason:
            by_reason.setdefault(value.reason, []).append(LABELS.get(name, name))
    return [f"{prefix}{', '.join(names)} undefined: {reason}."
            for reason, names in by_reason.items()]


def render_table_agreement(result: TableAgreement, source: str = "") -> str:
    """The CSV form: one row per coefficient (value, interval, reading, units)."""
    from codewell.agreement.reading import reading

    with_ci = bool(result.intervals)
    headers = ["coefficient", "value"] + ([f"{result.confidence:.0%} CI"] if with_ci else []) + [
        "reading", "n units"]
    rows = []
    for name, value in result.coefficients.items():
        row = [LABELS.get(name, name), value_text(value)]
        if with_ci:
            row.append(interval_text(result.intervals.get(name)))
        row += ["two coders only" if value is None else reading(name, value),
                "" if value is None else value.n_units]
        rows.append(row)
    head = (f"{source + ': ' if source else ''}{len(result.coders)} coders, "
            f"{result.n_units_total} units ({result.n_units} coded by two or more), "
            f"level: {result.level}")
    agreement = ("share of agreeing coder pairs per unit, averaged (Fleiss's P-bar)"
                 if result.percent_method == "pairwise" else "share of units where all agree")
    notes = [f"Percent agreement: {agreement}. AC1 and Brennan-Prediger: q = "
             f"{result.n_categories} categories.", *_notes(result.coefficients)]
    if with_ci:
        notes.append(f"Intervals: {result.confidence:.0%} percentile bootstrap over units.")
    return "\n".join([head, "", table(headers, rows), "", *notes])


def render_multilabel_table(result: MultilabelAgreement) -> str:
    """The project form: a per-code table, then the overall figures."""
    from codewell.agreement.reading import reading

    two = len(result.coders) == 2
    kappa = "cohen_kappa" if two else "fleiss_kappa"
    with_ci = any(code.intervals for code in result.per_code.values())
    headers = ["code", "n", "prevalence", "agreement", "kappa"]
    headers += ["kappa CI"] if with_ci else []
    headers += ["alpha"] + (["alpha CI"] if with_ci else []) + ["AC1"]
    if two:
        a, b = result.coders
        headers += ["both", f"{a} only", f"{b} only", "neither"]
    rows = []
    for code in result.codes:
        item = result.per_code[code]
        values = item.coefficients
        row = [code, item.n, f"{item.prevalence:.3f}", value_text(values["percent_agreement"]),
               value_text(values[kappa])]
        row += [interval_text(item.intervals.get(kappa))] if with_ci else []
        row += [value_text(values["krippendorff_alpha"])]
        row += [interval_text(item.intervals.get("krippendorff_alpha"))] if with_ci else []
        row += [value_text(values["gwet_ac1"])]
        if two and item.table is not None:
            (both, a_only), (b_only, neither) = item.table
            row += [both, a_only, b_only, neither]
        rows.append(row)
    kappa_name = "Cohen's kappa" if two else "Fleiss' kappa"
    head = (f"Agreement of {', '.join(result.coders)} on {result.n_units} responses "
            f"that all of them marked done (kappa = {kappa_name})")
    overall_rows = []
    for name, value in result.overall.items():
        row = [OVERALL_LABELS.get(name, LABELS.get(name, name)), value_text(value)]
        if with_ci:
            row.append(interval_text(result.overall_intervals.get(name)))
        row.append(reading(name, value))
        overall_rows.append(row)
    overall_headers = ["overall", "value"] + (["CI"] if with_ci else []) + ["reading"]
    notes = [note for code in result.codes
             for note in _notes(result.per_code[code].coefficients, f"{code}: ")]
    notes += _notes(result.overall)
    lines = [head, "", table(headers, rows), "", table(overall_headers, overall_rows)]
    if with_ci:
        lines += ["", f"Intervals: {result.confidence:.0%} percentile bootstrap over responses."]
    return "\n".join(lines + ([""] + notes if notes else []))


def render_report_context(report: AgreementReport) -> str:
    """One line above the table: the set (or not), the overlap and the codebook version."""
    where = f"set '{report.set_name}'" if report.set_name else "every response all coders finished"
    lines = [f"On {where}: overlap {report.overlap} responses; codebook version {report.codebook_version}"]
    lines += [f"  ({note})" for note in report.notes]
    return "\n".join(lines) + "\n"
