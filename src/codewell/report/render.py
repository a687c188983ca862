"""Render a report as aligned text (with a terminal bar chart), Markdown, CSV or JSON.

The text form prints each code in the published format ("Understanding 87.6% (n=106)"), most
frequent first, with a bar, and states the denominator and what it leaves out (non-answers,
responses not yet coded). The Markdown form is the table for a paper: codes by frequency,
n, %, 95% CI, and a note saying what 100% is and what was excluded. CSV is one tidy table (a
``section`` column tells frequencies, co-occurrence and crosstab rows apart) for R, SPSS or
pandas, its text cells neutralised like an export's (:mod:`codewell.io.safety`); JSON carries
everything, for scripts.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from codewell.io.safety import neutralise
from codewell.report.crosstab import Crosstab
from codewell.report.frequencies import Cooccurrence, FrequencyTable

ReportFormat = Literal["table", "md", "csv", "json"]
FORMATS: tuple[str, ...] = ("table", "md", "csv", "json")
BAR_WIDTH = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True)
class Report:
    frequencies: FrequencyTable
    cooccurrence: Cooccurrence
    crosstab: Crosstab | None = None


def render(report: Report, fmt: str = "table") -> str:
    """The report in one of :data:`FORMATS`."""
    renderers = {"table": _text, "md": _markdown, "csv": _csv, "json": _json}
    if fmt not in renderers:
        from codewell.errors import UnknownNameError
        from codewell.fuzzy import did_you_mean

        raise UnknownNameError(f"unknown report format '{fmt}' (use one of {', '.join(FORMATS)})",
                               did_you_mean(fmt, FORMATS))
    return renderers[fmt](report)


def bar(percent: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of unicode blocks, ``width`` cells for 100%, to the nearest eighth."""
    if math.isnan(percent):
        return ""
    eighths = round(max(0.0, min(100.0, percent)) / 100 * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def denominator_line(table: FrequencyTable) -> str:
    left_out = []
    if table.non_answers:
        left_out.append(f"{table.non_answers} non-answer{'s' * (table.non_answers != 1)}")
    if table.not_done:
        left_out.append(f"{table.not_done} not yet coded")
    tail = f"; excluded: {', '.join(left_out)}" if left_out else ""
    if not table.denominator:
        tail += f" (no percentages: {table.coder} has finished no response that says something)"
    return f"Coder {table.coder}: % of {table.denominator} coded responses{tail}"


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def _ci(low: float, high: float) -> str:
    return "–" if math.isnan(low) else f"{low:.1f}–{high:.1f}"


def _p(value: float | None) -> str:
    if value is None:
        return ""
    return "p<0.001" if value < 0.001 else f"p={value:.3f}"


def _aligned(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return [line(header), line(["-" * w for w in widths]), *map(line, rows)]


def _frequency_rows(table: FrequencyTable) -> list[list[str]]:
    return [[row.label, str(row.n), _pct(row.percent), _ci(row.ci_low, row.ci_high),
             row.poster()] for row in table.by_frequency()]


def _text(report: Report) -> str:
    table = report.frequencies
    lines = [denominator_line(table), ""]
    header = ["code", "n", "%", "95% CI", "as published", ""]
    rows = [[*cells, bar(row.percent)]
            for cells, row in zip(_frequency_rows(table), table.by_frequency())]
    lines += _aligned(header, rows, {1, 2, 3})
    lines += ["", "Co-occurrence (responses with both codes)", ""]
    header, rows = _cooccurrence_cells(report.cooccurrence)
    lines += _aligned(header, rows, set(range(1, len(header))))
    if report.crosstab is not None:
        lines += ["", *_crosstab_lines(report.crosstab, markdown=False)]
    return "\n".join(lines) + "\n"


def _cooccurrence_cells(co: Cooccurrence) -> tuple[list[str], list[list[str]]]:
    return ["", *co.codes], [[code, *map(str, counts)] for code, counts in zip(co.codes, co.counts)]


def _crosstab_cells(ct: Crosstab) -> tuple[list[str], list[list[str]]]:
    header = ["code", *[f"{g} (n={t})" for g, t in zip(ct.groups, ct.group_totals)], "test"]
    rows = []
    for row in ct.rows:
        cells = [f"{n} ({_pct(ct.percent(row, g))}%)" for g, n in enumerate(row.counts)]
        test = row.test
        verdict = f"{test.method} {_p(test.p_value)}" if test.method else f"no test: {test.note}"
        rows.append([row.label, *cells, verdict])
    return header, rows


def _crosstab_title(ct: Crosstab) -> str:
    missing = f"; {ct.missing} without a value excluded" if ct.missing else ""
    return f"By {ct.attribute}: n (% of the group){missing}"


def _crosstab_lines(ct: Crosstab, markdown: bool) -> list[str]:
    header, rows = _crosstab_cells(ct)
    body = _md_table(header, rows) if markdown else _aligned(header, rows, set())
    notes = [f"{row.label}: {row.test.note}" for row in ct.rows if row.test.method and row.test.note]
    return [_crosstab_title(ct), "", *body, *([""] + notes if notes else [])]


def _md_table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rule = "|" + "".join("---:|" if a == "r" else "---|" for a in align.ljust(len(header), "l"))
    return [line(header), rule, *map(line, rows)]


def paper_note(table: FrequencyTable) -> str:
    """The note under a paper's table: what 100% is, what was left out, which interval."""
    left_out = []
    if table.non_answers:
        left_out.append(f"{table.non_answers} non-answer{'s' * (table.non_answers != 1)} "
                        "(such as \"n/a\", \"-\" or an empty box)")
    if table.not_done:
        left_out.append(f"{table.not_done} response{'s' * (table.not_done != 1)} not yet coded")
    excluded = f" Excluded: {'; '.join(left_out)}." if left_out else ""
    return (f"Percentages of the {table.denominator} responses coded by {table.coder}; a response "
            f"may carry several codes.{excluded} 95% CI: Wilson score interval.")


def _markdown(report: Report) -> str:
    table = report.frequencies
    lines = [f"**Table.** Codes in {table.denominator} free-text responses (n, %).", ""]
    rows = [cells[:4] for cells in _frequency_rows(table)]
    lines += _md_table(["Code", "n", "%", "95% CI"], rows, align="lrrr")
    lines += ["", f"*{paper_note(table)}*", ""]
    lines += ["**Co-occurrence** (responses with both codes)", ""]
    lines += _md_table(*_cooccurrence_cells(report.cooccurrence))
    if report.crosstab is not None:
        lines += ["", *_crosstab_lines(report.crosstab, markdown=True)]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("section", "coder", "group", "code", "label", "n", "denominator", "percent",
               "ci_low", "ci_high", "test", "statistic", "p_value")


def _csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in _records(report):
        writer.writerow(["" if row.get(k) is None else _num(row.get(k)) for k in CSV_COLUMNS])
    return out.getvalue()


def _num(value: Any) -> Any:
    """A CSV cell: NaN empty, floats rounded, text that a spreadsheet would run neutralised."""
    if isinstance(value, float):
        return "" if math.isnan(value) else round(value, 4)
    return neutralise(value) if isinstance(value, str) else value


def _records(report: Report) -> list[dict[str, Any]]:
    table, co, ct = report.frequencies, report.cooccurrence, report.crosstab
    records: list[dict[str, Any]] = [
        {"section": "frequency", "coder": table.coder, "group": "all", "code": r.code,
         "label": r.label, "n": r.n, "denominator": r.denominator, "percent": r.percent,
         "ci_low": r.ci_low, "ci_high": r.ci_high}
        for r in table.rows
    ]
    for code, counts in zip(co.codes, co.counts):
        records += [{"section": "cooccurrence", "coder": co.coder, "group": other, "code": code,
                     "n": n, "denominator": co.denominator} for other, n in zip(co.codes, counts)]
    if ct is not None:
        for row in ct.rows:
            for g, group in enumerate(ct.groups):
                records.append({
                    "section": f"by {ct.attribute}", "coder": ct.coder, "group": group,
                    "code": row.code, "label": row.label, "n": row.counts[g],
                    "denominator": ct.group_totals[g], "percent": ct.percent(row, g),
                    "test": row.test.method, "statistic": row.test.statistic,
                    "p_value": row.test.p_value})
    return records


def report_dict(report: Report) -> dict[str, Any]:
    """A JSON-ready form of the whole report (NaN becomes null)."""
    table, co, ct = report.frequencies, report.cooccurrence, report.crosstab
    data: dict[str, Any] = {
        "coder": table.coder,
        "denominator": table.denominator,
        "excluded": {"non_answers": table.non_answers, "not_done": table.not_done},
        "frequencies": [
            {"code": r.code, "label": r.label, "n": r.n, "percent": _clean(r.percent),
             "ci95": [_clean(r.ci_low), _clean(r.ci_high)], "published": r.poster()}
            for r in table.rows
        ],
        "cooccurrence": {"codes": list(co.codes), "counts": [list(c) for c in co.counts]},
    }
    if ct is not None:
        data["crosstab"] = {
            "attribute": ct.attribute, "missing": ct.missing,
            "groups": [{"name": g, "n": t} for g, t in zip(ct.groups, ct.group_totals)],
            "codes": [{"code": r.code, "label": r.label, "counts": list(r.counts),
                       "test": {"method": r.test.method, "statistic": _clean(r.test.statistic),
                                "p_value": _clean(r.test.p_value), "dof": r.test.dof,
                                "note": r.test.note}}
                      for r in ct.rows],
        }
    return data


def _clean(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
