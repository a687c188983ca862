"""Segment agreement: character-level alpha checked against Krippendorff's published binary example
and against an independent implementation (the ``krippendorff`` package on the explicit
character matrix); matched-segment F1 against brute force over every one-to-one pairing."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from codewell.agreement.segments import character_alpha, jaccard, matched_f1
from codewell.cli.app import app
from codewell.codebook import load_codebook
from codewell.project import Project
from codewell.values import Response, Status

CODEBOOK = Path(__file__).parents[1] / "codebooks" / "image-sharing.yaml"


def _spans(bits: str) -> list[tuple[int, int]]:
    """'0110' -> [(1, 3)]: the runs of 1s as segments."""
    spans, start = [], None
    for i, bit in enumerate(bits + "0"):
        if bit == "1" and start is None:
            start = i
        elif bit == "0" and start is not None:
            spans.append((start, i))
            start = None
    return spans


def test_krippendorffs_binary_worked_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example A: two observers,
    ten units, binary values; alpha = 0.095. Here the units are the ten characters of a response
    and a 1 is a character inside the coder's segment."""
    a, b = "0100000010", "1110010000"
    alpha, covered = character_alpha({"A": {"r": _spans(a)}, "B": {"r": _spans(b)}}, {"r": 10})
    assert round(alpha, 3) == 0.095
    assert covered == {"A": 2, "B": 4}


def _matrix(marks, lengths) -> np.ndarray:  # type: ignore[no-untyped-def]
    rows = []
    for coder in marks:
        row = []
        for rid, length in lengths.items():
            bits = np.zeros(length)
            for start, end in marks[coder].get(rid, ()):
                bits[max(0, start):min(length, end)] = 1
            row += list(bits)
        rows.append(row)
    return np.array(rows)


@pytest.mark.parametrize("seed", range(12))
def test_character_alpha_equals_an_independent_implementation(seed: int) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    rng = random.Random(seed)
    coders = [f"c{i}" for i in range(rng.choice([2, 2, 3, 4]))]
    lengths = {f"r{i}": rng.randint(1, 40) for i in range(rng.randint(1, 6))}
    marks = {c: {rid: [tuple(sorted(rng.sample(range(n + 1), 2))) for _ in range(rng.randint(0, 3))]
                  for rid, n in lengths.items() if n > 1} for c in coders}
    ours, _ = character_alpha(marks, lengths)
    matrix = _matrix(marks, lengths)
    if matrix.min() == matrix.max():
        assert ours is None
        return
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def _brute_force_f1(a, b, threshold) -> float | None:  # type: ignore[no-untyped-def]
    total = sum(map(len, a.values())) + sum(map(len, b.values()))
    if not total:
        return None
    best = 0
    for rid in set(a) & set(b):
        first, second = a[rid], b[rid]
        most = 0
        small, large = (first, second) if len(first) <= len(second) else (second, first)
        for chosen in itertools.permutations(range(len(large)), len(small)):
            most = max(most, sum(jaccard(small[i], large[j]) >= threshold for i, j in enumerate(chosen)))
        best += most
    return 2 * best / total


@pytest.mark.parametrize("seed", range(15))
def test_matched_f1_is_the_best_one_to_one_pairing(seed: int) -> None:
    rng = random.Random(100 + seed)

    def spans() -> list[tuple[int, int]]:
        return [tuple(sorted(rng.sample(range(21), 2))) for _ in range(rng.randint(0, 4))]

    a = {f"r{i}": spans() for i in range(3)}
    b = {f"r{i}": spans() for i in range(3)}
    threshold = rng.choice([0.3, 0.5, 0.8])
    f1, _ = matched_f1(a, b, threshold)
    assert f1 == _brute_force_f1(a, b, threshold)


def test_one_segment_two_candidates_is_matched_once() -> None:
    f1, matched = matched_f1({"r": [(0, 10)]}, {"r": [(0, 6), (4, 10)]}, 0.5)
    assert (matched, f1) == (1, 2 / 3)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """Two coders: identical anxiety passages, communication passages a quarter overlapping, and one
    whole-response coding against a segment."""
    text = "Seeing it helps. Patients panic at home. They ask better questions after."
    path = tmp_path / "study.cw"
    with Project.create(path, load_codebook(CODEBOOK)) as project:
        project.add_responses([Response("r1", text, 2), Response("r2", "Clear pictures help them.", 3)], "t")
        panic = (text.index("Patients"), text.index(" at home"))
        for coder in ("ana", "ben"):
            project.record_segment(coder, "r1", "anxiety", *panic)
        project.record_segment("ana", "r1", "communication", text.index("They"), len(text))
        project.record_segment("ben", "r1", "communication", text.index("They"), text.index(" better"))
        project.record("ana", "r2", "understanding", "apply")
        project.record_segment("ben", "r2", "understanding", 0, 14)
        for coder in ("ana", "ben"):
            for rid in ("r1", "r2"):
                project.set_status(coder, rid, Status.DONE)
    return path


def test_agree_segments_reports_both_figures_per_code(study: Path) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    result = CliRunner().invoke(app, ["agree", str(study), "--coders", "ana,ben", "--segments", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["segments"]
    rows = {row["code"]: row for row in data["per_code"]}
    assert data["n_units"] == 2 and data["threshold"] == 0.5
    assert rows["anxiety"]["alpha"] == 1.0 and rows["anxiety"]["f1"] == 1.0
    with Project.open(study) as project:
        text = project.response("r1").text
    they, better = text.index("They"), text.index(" better")
    assert jaccard((they, len(text)), (they, better)) == 0.25
    assert rows["communication"]["f1"] == 0.0 and rows["communication"]["matched"] == 0
    assert rows["understanding"]["f1"] == 1.0  # 14 of 25 characters: Jaccard 0.56
    lengths = {"r1": len(text), "r2": 25}
    marks = {"ana": {"r2": [(0, 25)]}, "ben": {"r2": [(0, 14)]}}
    expected = krippendorff.alpha(reliability_data=_matrix(marks, lengths), level_of_measurement="nominal")
    assert rows["understanding"]["alpha"] == pytest.approx(expected)
    assert rows["adherence"]["alpha"] is None and rows["adherence"]["f1"] is None
    table = CliRunner().invoke(app, ["agree", str(study), "--coders", "ana,ben", "--segments"])
    assert "Segments (2 responses, 98 characters" in table.output
    assert any(line.split()[:3] == ["anxiety", "1.000", "1.000"] for line in table.output.splitlines())


def test_segments_needs_a_project_and_coders(study: Path, tmp_path: Path) -> None:
    table = tmp_path / "codings.csv"
    table.write_text("id,coder,code\nr1,ana,anxiety\n", encoding="utf-8")
    for args in ([str(table), "--unit", "id", "--coder", "coder", "--value", "code"], [str(study), "--model", "ana"]):
        result = CliRunner().invoke(app, ["agree", *args, "--segments"])
        assert result.exit_code == 2
        assert result.output.startswith("Error: --segments compares coders' passages in a project (use it with")
