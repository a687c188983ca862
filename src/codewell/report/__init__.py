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
from codewell.report.plot import plot_frequencies
from codewell.report.render import FORMATS, Report, render, report_dict


def build_report(ds: CodedDataset, coder: str, by: str | None = None) -> Report:
    """Frequencies and co-occurrence for ``coder``, plus a crosstab when ``by`` names an attribute."""
    return Report(frequency_table(ds, coder), cooccurrence(ds, coder),
                  crosstab(ds, coder, by) if by else None)


__all__ = [
    "FORMATS", "AssociationTest", "Cooccurrence", "Crosstab", "CrosstabRow", "FrequencyRow",
    "FrequencyTable", "Report", "build_report", "cooccurrence", "crosstab", "frequency_table",
    "plot_frequencies", "render", "report_dict", "wilson_interval",
]
