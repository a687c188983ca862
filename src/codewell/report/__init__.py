"""The table for the paper: per-code frequencies, co-occurrence, codes by attribute, a chart.

Pure functions over a :class:`~codewell.values.CodedDataset`; nothing here touches a store or
imports a UI, and matplotlib and scipy load only when a chart or a test is asked for.
"""

from __future__ import annotations

from codewell.values import CodedDataset
from codewell.report.crosstab import AssociationTest, Crosstab, CrosstabRow, crosstab
from codewell.report.frequencies import (
    Cooccurrence,
    FrequencyRow,
    FrequencyTable,
    cooccurrence,
    frequency_table,
    wilson_interval,
)
from codewell.report.non_answers import DEFAULT_NON_ANSWERS, NonAnswers
from codewell.report.plot import plot_frequencies
from codewell.report.render import FORMATS, Report, render, report_dict


def build_report(ds: CodedDataset, coder: str, by: str | None = None,
                 non_answer: NonAnswers | None = None) -> Report:
    """Frequencies and co-occurrence for ``coder``, plus a crosstab when ``by`` names an attribute."""
    return Report(frequency_table(ds, coder, non_answer), cooccurrence(ds, coder, non_answer),
                  crosstab(ds, coder, by, non_answer) if by else None)


__all__ = [
    "DEFAULT_NON_ANSWERS", "FORMATS", "AssociationTest", "NonAnswers", "Cooccurrence", "Crosstab", "CrosstabRow", "FrequencyRow",
    "FrequencyTable", "Report", "build_report", "cooccurrence", "crosstab", "frequency_table",
    "plot_frequencies", "render", "report_dict", "wilson_interval",
]
