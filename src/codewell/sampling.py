"""Reproducible subsets and orders of responses, for blind reliability samples and random order.

Each response id gets a rank from a hash of ``seed`` and the id, rather than from ``random``: the
same seed picks the same responses on any machine and Python version, whatever order the file
lists them in, and importing more responses later leaves an existing sample almost unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from codewell.errors import CodewellError


def _rank(seed: int, response_id: str) -> bytes:
    return hashlib.sha256(f"{seed}\x1f{response_id}".encode()).digest()


def random_order(ids: Sequence[str], seed: int = 0) -> list[int]:
    """Positions of ``ids`` in a seeded pseudo-random order (the same for the same seed)."""
    return sorted(range(len(ids)), key=lambda i: _rank(seed, ids[i]))


def sample_positions(ids: Sequence[str], n: int, seed: int = 0) -> list[int]:
    """Positions of a reproducible random subset of ``n`` ids, in file order.

    Asking for more than there are returns them all: a sample of 30 from 20 responses is all 20.
    """
    if n < 1:
        raise CodewellError(f"--sample must be at least 1, not {n}")
    return sorted(random_order(ids, seed)[:n])


def stratified_positions(ids: Sequence[str], strata: Sequence[str], n: int, seed: int = 0) -> list[int]:
    """Positions of ``n`` ids drawn so that each stratum keeps its share of the whole.

    Each stratum gets ``n`` times its share, rounded by largest remainder (ties go to the
    stratum whose first id ranks first), and within a stratum the ids that rank first are taken,
    so the draw is as reproducible as :func:`sample_positions`. Returned in file order.
    """
    if n < 1:
        raise CodewellError(f"--size must be at least 1, not {n}")
    if len(ids) != len(strata):
        raise ValueError("ids and strata must have the same length")
    groups: dict[str, list[int]] = {}
    for position, stratum in enumerate(strata):
        groups.setdefault(stratum, []).append(position)
    for members in groups.values():
        members.sort(key=lambda i: _rank(seed, ids[i]))
    n = min(n, len(ids))
    exact = {name: n * len(members) / len(ids) for name, members in groups.items()}
    taken = {name: int(share) for name, share in exact.items()}
    by_remainder = sorted(groups, key=lambda name: (-(exact[name] - taken[name]), _rank(seed, ids[groups[name][0]])))
    for name in by_remainder[:n - sum(taken.values())]:
        taken[name] += 1
    return sorted(p for name, members in groups.items() for p in members[:taken[name]])
