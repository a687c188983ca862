"""The frequency table as a bar chart image for the paper (PNG or SVG, via matplotlib's Agg).

The chart is written like every other output: private (0600) and atomically (see
:mod:`codewell.io.atomic_file`). Matplotlib is imported here, inside the function, so that neither the CLI nor the TUI pays for
it at start-up; the Agg backend needs no display, so the chart also draws over SSH.

Every word drawn lies inside the image: a code's label longer than ``LABEL_CHARS`` wraps onto
more lines (its row grows to hold them), and the axis label is two lines, because matplotlib's
layout makes room beside the axes for the labels of the bars but not for an axis label wider
than the axes, which it centres under them and lets run off the page.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from codewell.errors import CodewellError
from codewell.io.atomic_file import atomic_output, check_writable
from codewell.report.frequencies import FrequencyTable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_SUFFIXES = (".png", ".svg")
DEFAULT_COLOUR = "#4E79A7"
LABEL_CHARS = 28  # at most this many characters a line in a code's label beside its bar
ROW_INCHES = 0.55  # a bar's row, for a one- or two-line label
LINE_INCHES = 0.18  # each further line of a label


def plot_frequencies(table: FrequencyTable, path: str | Path) -> Path:
    """Write :func:`frequency_chart` of ``table`` to ``path`` (.png or .svg)."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise CodewellError(f"{path}: a chart is written as .png or .svg",
                            hint=f"try '{path.with_suffix('.png')}'")
    check_writable(path)
    figure = frequency_chart(table)
    with atomic_output(path) as partial:
        figure.savefig(partial, format=path.suffix.lower().lstrip("."))
    return path


def frequency_chart(table: FrequencyTable) -> Figure:
    """Draw one horizontal bar per code, most frequent at the top, with its 95% interval.

    Each bar is labelled as published ("87.6% (n=106)"), just past its interval so the two never
    overlap; the denominator and the excluded non-answers are in the axis label.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = list(reversed(table.by_frequency()))
    labels = [textwrap.fill(r.label, LABEL_CHARS) for r in rows]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    row_inches = ROW_INCHES + LINE_INCHES * max(0, lines - 2)
    figure = Figure(figsize=(7.5, row_inches * len(rows) + 1.6), dpi=150, layout="tight")
    axes = figure.subplots()
    values = [0.0 if math.isnan(r.percent) else r.percent for r in rows]
    errors = [[max(0.0, v - (0 if math.isnan(r.ci_low) else r.ci_low)) for v, r in zip(values, rows)],
              [max(0.0, (0 if math.isnan(r.ci_high) else r.ci_high) - v) for v, r in zip(values, rows)]]
    axes.barh(range(len(rows)), values, color=[r.colour or DEFAULT_COLOUR for r in rows],
              xerr=errors, error_kw={"ecolor": "#555555", "capsize": 3, "linewidth": 1})
    axes.set_yticks(range(len(rows)), labels)
    for y, (value, row) in enumerate(zip(values, rows)):
        right = value if math.isnan(row.ci_high) else max(value, row.ci_high)
        axes.text(right + 2, y, row.bar_label(), va="center", ha="left", fontsize=9)
    axes.set_xlim(0, 128)
    axes.set_xticks(range(0, 101, 20))
    n = table.non_answers
    excluded = f"; {n} non-answer{'s' * (n != 1)} excluded" if n else ""
    axes.set_xlabel(f"% of {table.denominator} coded responses{excluded}\n"
                    "(whiskers: 95% Wilson interval)")
    axes.spines[["top", "right"]].set_visible(False)
    return figure
