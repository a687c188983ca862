"""Per-code frequencies with their denominator stated, and code co-occurrence.

The denominator is the set of responses a coder has finished (status ``done``) that actually
say something: a non-answer ("n/a", "-", an empty box; see :mod:`codewell.report.non_answers`)
cannot carry a code, so counting it would shrink every percentage. Non-answers are recognised
from the text, whoever coded them; of the rest, responses not finished yet are left out rather
than counted as "no code". Both exclusions are reported with the table, so a reader of the
paper knows what 100% means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from codewell.errors import CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset, Response, Status

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class FrequencyRow:
    """One code: ``n`` of ``denominator`` responses, as a percentage with a 95% Wilson interval."""

    code: str
    label: str
    n: int
    denominator: int
    percent: float
    ci_low: float
    ci_high: float
    colour: str | None = None

    def poster(self, decimals: int = 1) -> str:
        """The published format: ``Understanding 87.6% (n=106)``; ``–`` for the % of no response."""
        percent = "–" if math.isnan(self.percent) else f"{self.percent:.{decimals}f}%"
        return f"{self.label} {percent} (n={self.n})"

    def bar_label(self) -> str:
        """The chart's label for this bar: ``87.6% (n=106)``."""
        percent = "–" if math.isnan(self.percent) else f"{self.percent:.1f}%"
        return f"{percent} (n={self.n})"


@dataclass(frozen=True)
class FrequencyTable:
    """The frequency table of one coder, with what the denominator leaves out."""

    coder: str
    denominator: int
    non_answers: int
    not_done: int
    rows: tuple[FrequencyRow, ...]

    def by_frequency(self) -> tuple[FrequencyRow, ...]:
        """The rows most frequent first (codebook order among ties): the order of a chart."""
        return tuple(sorted(self.rows, key=lambda row: -row.n))


@dataclass(frozen=True)
class Cooccurrence:
    """``counts[i][j]``: responses carrying both ``codes[i]`` and ``codes[j]`` (diagonal: n)."""

    coder: str
    codes: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    denominator: int


def wilson_interval(n: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion, in percent; (nan, nan) when ``total`` is 0.

    Chosen over the normal (Wald) interval because it stays inside 0-100% and behaves at
    small counts and at proportions near 0 or 1, which codes often are.
    """
    if total <= 0:
        return math.nan, math.nan
    p = n / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    # at n = 0 (or n = total) the bound is exactly 0% (100%); rounding left 5.6e-15 in the JSON
    low = 0.0 if n == 0 else 100 * max(0.0, centre - half)
    high = 100.0 if n == total else 100 * min(1.0, centre + half)
    return low, high


def check_coder(ds: CodedDataset, coder: str) -> None:
    """Raise a clear error, with the closest name, when ``coder`` has no codings here."""
    if coder not in ds.coders:
        if not ds.coders:
            raise CodewellError("nothing has been coded yet, so there is nothing to report")
        raise UnknownNameError(f"no coder named '{coder}' (coders: {', '.join(ds.coders)})",
                               did_you_mean(coder, ds.coders))


@dataclass(frozen=True)
class CodedSlice(CodedDataset):
    """The part of a large project a report reads, so its cost follows the coded rows: in
    ``responses``, those a coder finished and every one short enough to be a non-answer (import
    order); ``total`` counts all the project's responses, for the unfinished ones' number."""

    total: int = 0


def coded_responses(ds: CodedDataset, coder: str, non_answer: NonAnswers | None = None
                    ) -> tuple[list[Response], int, int]:
    """The responses in the denominator, and how many non-answers and unfinished ones were left out."""
    check_coder(ds, coder)
    is_non_answer = non_answer or NonAnswers()
    statuses = ds.statuses.get(coder, {})
    kept: list[Response] = []
    non_answers = not_done = 0
    for response in ds.responses:
        if is_non_answer(response.text):
            non_answers += 1
        elif statuses.get(response.id) is not Status.DONE:
            not_done += 1
        else:
            kept.append(response)
    if isinstance(ds, CodedSlice):  # the unfinished responses were never read, only counted
        not_done = ds.total - non_answers - len(kept)
    return kept, non_answers, not_done


def frequency_table(ds: CodedDataset, coder: str,
                    non_answer: NonAnswers | None = None) -> FrequencyTable:
    """Per code (codebook order): responses coded with it among the coder's finished answers."""
    kept, non_answers, not_done = coded_responses(ds, coder, non_answer)
    codings = ds.codings.get(coder, {})
    total = len(kept)
    rows = []
    for code in ds.codebook.codes:
        n = sum(1 for response in kept if code.id in codings.get(response.id, ()))
        low, high = wilson_interval(n, total)
        percent = 100 * n / total if total else math.nan
        rows.append(FrequencyRow(code.id, code.label, n, total, percent, low, high, code.colour))
    return FrequencyTable(coder, total, non_answers, not_done, tuple(rows))


def cooccurrence(ds: CodedDataset, coder: str, non_answer: NonAnswers | None = None) -> Cooccurrence:
    """How often each pair of codes is applied to the same response, over the denominator."""
    kept, _, _ = coded_responses(ds, coder, non_answer)
    codings = ds.codings.get(coder, {})
    ids = ds.codebook.ids
    index = {code: i for i, code in enumerate(ids)}
    counts = [[0] * len(ids) for _ in ids]
    for response in kept:
        present = sorted(index[c] for c in codings.get(response.id, ()) if c in index)
        for i in present:
            for j in present:
                counts[i][j] += 1
    return Cooccurrence(coder, ids, tuple(tuple(row) for row in counts), len(kept))
