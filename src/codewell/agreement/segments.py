"""Agreement on segments: do coders mark the same passages, not only the same responses?

Two figures per code, over the responses every coder finished (a whole-response coding counts as
the segment ``[0, len(text))``):

**Character-level alpha.** Every character (Unicode code point) of every compared response is a
unit; a coder's value for it is 1 when any of their segments of the code covers it, else 0; the
figure is Krippendorff's alpha for nominal data over those units (no unit is missing: every coder
finished every compared response). With ``m`` coders, ``k_u`` of whom cover unit ``u``, and
``n = m x units``::

    o_01 = sum_u k_u (m - k_u) / (m - 1)      n_1 = sum_u k_u      n_0 = n - n_1
    alpha = 1 - (n - 1) o_01 / (n_0 n_1)

It is computed from runs between segment boundaries, never character by character. This is not
Krippendorff's unitizing alpha (which weighs the lengths of disagreeing stretches); it treats a
response as a row of characters, so agreeing that a passage is *not* coded counts as agreement too.
Undefined (None) when nobody or everybody covers every character.

**Matched-segment F1.** Two coders' segments of a code in the same response match when their
overlap is at least ``threshold`` of their union (Jaccard, default 0.5); segments are paired one
to one so that as many as possible match (a maximum matching), and ``F1 = 2 matched / (n_a +
n_b)``. With three or more coders, the mean over pairs. None when neither coder has a segment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations

from codewell.errors import AgreementError

#: (start, end) in code points, end exclusive
Span = tuple[int, int]
#: coder -> response id -> spans of one code
Marks = Mapping[str, Mapping[str, Sequence[Span]]]
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class SegmentRow:
    """One code's segment agreement."""

    code: str
    alpha: float | None  # character-level nominal alpha
    f1: float | None  # matched-segment F1 at ``threshold`` (mean over coder pairs)
    matched: int  # matched pairs (summed over coder pairs)
    segments: dict[str, int]  # per coder, how many segments (whole codings included)
    characters: int  # characters compared (the same for every code)
    covered: dict[str, int]  # per coder, how many of them their segments cover


@dataclass(frozen=True)
class SegmentAgreement:
    coders: tuple[str, ...]
    n_units: int  # responses compared
    threshold: float
    rows: tuple[SegmentRow, ...]

    def to_dict(self) -> dict[str, object]:
        return {"coders": list(self.coders), "n_units": self.n_units, "threshold": self.threshold,
                "measure": {"alpha": "character-level Krippendorff's alpha (nominal; each code point a unit)",
                            "f1": f"F1 of segments matched one to one at Jaccard overlap >= {self.threshold}"},
                "per_code": [asdict(row) for row in self.rows]}


def character_alpha(marks: Marks, lengths: Mapping[str, int]) -> tuple[float | None, dict[str, int]]:
    """Nominal alpha over every character of the responses in ``lengths``; also each coder's
    count of covered characters. Spans outside ``[0, length)`` are clipped to it."""
    coders = list(marks)
    m = len(coders)
    if m < 2:
        raise AgreementError("segment agreement needs at least two coders")
    disagreement = 0.0  # sum_u k_u (m - k_u), before dividing by m - 1
    ones = 0
    covered = dict.fromkeys(coders, 0)
    for rid, length in lengths.items():
        runs: list[tuple[int, int]] = []  # (position, +1/-1) boundaries of each coder's union
        for coder in coders:
            union = _union(marks[coder].get(rid, ()), length)
            covered[coder] += sum(end - start for start, end in union)
            runs += [(start, 1) for start, _ in union] + [(end, -1) for _, end in union]
        if not runs:
            continue
        runs.sort()
        k, last = 0, 0
        for position, step in runs:
            span = position - last
            if span and k:
                ones += k * span
                disagreement += k * (m - k) * span
            k, last = k + step, position
    n = m * sum(lengths.values())
    n_one, n_zero = ones, n - ones
    if n_one == 0 or n_zero == 0:
        return None, covered
    return 1.0 - (n - 1) * (disagreement / (m - 1)) / (n_zero * n_one), covered


def matched_f1(first: Mapping[str, Sequence[Span]], second: Mapping[str, Sequence[Span]],
               threshold: float = DEFAULT_THRESHOLD) -> tuple[float | None, int]:
    """F1 of two coders' segments matched one to one at Jaccard >= ``threshold``; and how many matched."""
    if not 0.0 < threshold <= 1.0:
        raise AgreementError(f"the overlap threshold must be in (0, 1], not {threshold}")
    total = sum(len(v) for v in first.values()) + sum(len(v) for v in second.values())
    if total == 0:
        return None, 0
    matched = 0
    for rid in set(first) & set(second):
        a, b = list(first[rid]), list(second[rid])
        edges = {i: [j for j, other in enumerate(b) if jaccard(span, other) >= threshold]
                 for i, span in enumerate(a)}
        matched += _maximum_matching(edges)
    return 2 * matched / total, matched


def jaccard(a: Span, b: Span) -> float:
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    if overlap <= 0:
        return 0.0
    return overlap / (max(a[1], b[1]) - min(a[0], b[0]))


def segment_agreement(marks_by_code: Mapping[str, Marks], lengths: Mapping[str, int], coders: Sequence[str],
                      threshold: float = DEFAULT_THRESHOLD) -> SegmentAgreement:
    """Both figures for every code in ``marks_by_code`` (code -> coder -> response -> spans)."""
    rows = []
    for code, marks in marks_by_code.items():
        full = {coder: marks.get(coder, {}) for coder in coders}
        alpha, covered = character_alpha(full, lengths)
        pairs = [matched_f1(full[a], full[b], threshold) for a, b in combinations(coders, 2)]
        scores = [f1 for f1, _ in pairs if f1 is not None]
        rows.append(SegmentRow(code, alpha, sum(scores) / len(scores) if scores else None,
                               sum(n for _, n in pairs),
                               {c: sum(len(v) for v in full[c].values()) for c in coders},
                               sum(lengths.values()), covered))
    return SegmentAgreement(tuple(coders), len(lengths), threshold, tuple(rows))


def _union(spans: Sequence[Span], length: int) -> list[Span]:
    """Spans clipped to the text and merged where they overlap or touch, in order."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _maximum_matching(edges: Mapping[int, Sequence[int]]) -> int:
    """Size of a maximum bipartite matching (augmenting paths; a response holds few segments)."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    return sum(augment(i, set()) for i in edges)
