"""The batch CSV (``suggest -o FILE.csv``) is formatted without the csv module where it can be:
its bytes must be exactly what the csv module writes, whatever the ids, codes and values."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from codewell.cli.suggest_cmds import write_scored
from codewell.suggest.batch import ScoredChunk


@dataclass(frozen=True)
class Row:
    id: str


CODES = ("worry", "trust", "cost")


def reference(path: Path, chunks: list[ScoredChunk]) -> None:
    """What the csv module writes for the same rows: the file the fast path must reproduce."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *(f"p_{c}" for c in CODES), "suggested"])
        for chunk in chunks:
            for response, row, on in zip(chunk.responses, chunk.probabilities.round(4).tolist(),
                                         chunk.suggested.tolist(), strict=True):
                writer.writerow([response.id, *row,
                                 ";".join(c for c, flag in zip(CODES, on, strict=True) if flag)])


def chunk(ids: list[str], probabilities: list[list[float]]) -> ScoredChunk:
    values = np.array(probabilities, dtype=float)
    return ScoredChunk([Row(i) for i in ids], values, values >= 0.5)


@pytest.mark.parametrize("chunks", [
    # every kind of value on the 4-place grid: 0, 1, tiny ones str() writes as 5e-05, halves
    [chunk(["a1", "a2", "a3"], [[0.0, 1.0, 0.00005], [0.123449, 0.99996, 0.5],
                                [0.00004999, 0.3, 0.70001]])],
    # ids the csv module quotes (comma, quote, line break), in one chunk of two
    [chunk(["plain", "with,comma"], [[0.1, 0.2, 0.9], [0.6, 0.0, 0.4]]),
     chunk(['say "hi"', "two\nlines"], [[0.5, 0.5, 0.5], [0.2, 0.8, 0.1]])],
    # values off the grid the lookup cannot read: NaN, -0.0, above 1
    [chunk(["n1", "n2"], [[float("nan"), -0.0, 0.2], [1.5, 0.3, 0.0]])],
    # an empty chunk between two others
    [chunk(["b1"], [[0.7, 0.1, 0.2]]), chunk([], np.zeros((0, 3)).tolist()),
     chunk(["b2"], [[0.1, 0.7, 0.9]])],
])
def test_the_csv_is_byte_for_byte_what_the_csv_module_writes(tmp_path: Path,
                                                              chunks: list[ScoredChunk]) -> None:
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    assert write_scored(ours, CODES, chunks) == sum(len(c.responses) for c in chunks)
    reference(theirs, chunks)
    assert ours.read_bytes() == theirs.read_bytes()
