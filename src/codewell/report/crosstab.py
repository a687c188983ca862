"""Codes by a respondent attribute (e.g. profession), with a test of association per code.

For each code the table is groups x (applied, not applied). Chi-square is the usual test; for a
2x2 table with an expected count under 5 its approximation is poor, so Fisher's exact test is
used instead. A bigger table with small expected counts keeps chi-square but says so.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from codewell.errors import UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import CodedDataset
from codewell.report.frequencies import coded_responses
from codewell.report.non_answers import NonAnswers

MISSING_VALUES = frozenset({"", "na", "n/a", "nan"})


@dataclass(frozen=True)
class AssociationTest:
    """The test for one code; ``method`` is None (with ``note``) when no test can be run."""

    method: str | None
    statistic: float | None = None
    p_value: float | None = None
    dof: int | None = None
    note: str = ""


@dataclass(frozen=True)
class CrosstabRow:
    """One code across the groups: ``counts[g]`` of ``group_totals[g]`` responses."""

    code: str
    label: str
    counts: tuple[int, ...]
    test: AssociationTest


@dataclass(frozen=True)
class Crosstab:
    coder: str
    attribute: str
    groups: tuple[str, ...]
    group_totals: tuple[int, ...]
    missing: int
    rows: tuple[CrosstabRow, ...]

    def percent(self, row: CrosstabRow, group: int) -> float:
        total = self.group_totals[group]
        return 100 * row.counts[group] / total if total else math.nan


def crosstab(ds: CodedDataset, coder: str, attribute: str,
             non_answer: NonAnswers | None = None) -> Crosstab:
    """Each code's count per value of ``attribute`` among the coder's finished answers.

    Responses whose value is blank or a missing-value marker ("NA", "N/A", "nan"; not "None",
    which can be a real answer) form no group; their number is reported as ``missing``. Groups
    are ordered largest first.
    """
    kept, _, _ = coded_responses(ds, coder, non_answer)
    names = sorted({key for response in ds.responses for key in response.attributes})
    if attribute not in names:
        raise UnknownNameError(
            f"no attribute named '{attribute}'"
            + (f" (attributes: {', '.join(names)})" if names else " (the responses have none)"),
            did_you_mean(attribute, names),
        )
    values = [r.attributes.get(attribute, "").strip() for r in kept]
    present = [(r, v) for r, v in zip(kept, values) if v.lower() not in MISSING_VALUES]
    sizes = Counter(value for _, value in present)
    groups = tuple(sorted(sizes, key=lambda g: (-sizes[g], g)))
    position = {group: i for i, group in enumerate(groups)}
    codings = ds.codings.get(coder, {})
    rows = []
    for code in ds.codebook.codes:
        counts = [0] * len(groups)
        for response, value in present:
            if code.id in codings.get(response.id, ()):
                counts[position[value]] += 1
        totals = [sizes[g] for g in groups]
        rows.append(CrosstabRow(code.id, code.label, tuple(counts), _association(counts, totals)))
    return Crosstab(coder, attribute, groups, tuple(sizes[g] for g in groups),
                    len(kept) - len(present), tuple(rows))


def _association(applied: list[int], totals: list[int]) -> AssociationTest:
    """Chi-square on the 2 x groups table, or Fisher's exact test for a small 2x2 one."""
    if len(totals) < 2:
        return AssociationTest(None, note="fewer than two groups")
    not_applied = [t - a for a, t in zip(applied, totals)]
    if sum(applied) == 0 or sum(not_applied) == 0:
        return AssociationTest(None, note="code applied to all or none of the responses")
    import numpy as np
    from scipy import stats

    table = np.array([applied, not_applied])
    expected = stats.contingency.expected_freq(table)
    small = int((expected < 5).sum())
    if table.shape == (2, 2) and small:
        result = stats.fisher_exact(table)
        return AssociationTest("Fisher's exact", float(result.statistic), float(result.pvalue),
                               note="")
    chi2, p, dof, _ = stats.chi2_contingency(table)
    note = f"{small} of {expected.size} expected counts under 5: approximate" if small else ""
    return AssociationTest("chi-square", float(chi2), float(p), int(dof), note)
