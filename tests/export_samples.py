"""A small coded dataset built by hand, shared by the export, report and REFI-QDA tests.

It uses the study's real codebook file and responses written for these tests, chosen to be
awkward: a formula-like answer, multi-line and CRLF text, non-Latin characters and an emoji
(positions must count code points), a non-answer, an unfinished response and two coders.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from codewell.codebook import load_codebook
from codewell.values import CodedDataset, Decision, Response, Status

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "image-sharing.yaml"
START = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

TEXTS = {
    "r1": "Seeing the scan helps them understand why surgery is needed.",
    "r2": "=HYPERLINK(\"http://example.invalid\",\"click\") they may panic at what they see",
    "r3": "Good for talking it through with the consultant.\nAlso builds trust.",
    "r4": "",
    "r5": "Patients café 😊 — they grasp the problem\r\nand follow the rehab plan",
    "r6": "- Could misread normal anatomy as disease",
    "r7": "Not sure yet.",
}
PROFESSION = {"r1": "radiographer", "r2": "radiologist", "r3": "radiographer", "r4": "sonographer",
              "r5": "radiographer", "r6": "radiologist", "r7": "NA"}
ALICE = {"r1": {"understanding"}, "r2": {"anxiety"}, "r3": {"communication"}, "r4": set(),
         "r5": {"understanding", "adherence"}, "r6": {"interpretation_difficulty"},
         "r7": {"understanding"}}
BOB = {"r1": {"understanding", "communication"}, "r2": {"anxiety"}, "r3": {"communication"},
       "r5": {"adherence"}, "r6": set()}


def sample_dataset(*, coders: tuple[str, ...] = ("alice", "bob")) -> CodedDataset:
    """Alice finished r1-r6 (r7 is flagged); Bob finished r1-r3 and r5-r6; Alice left memos."""
    codebook = load_codebook(CODEBOOK)
    responses = tuple(
        Response(rid, text, row, {"profession": PROFESSION[rid], "site": f"site {row % 2}"})
        for row, (rid, text) in enumerate(TEXTS.items(), start=2)
    )
    plans = {"alice": ALICE, "bob": BOB}
    codings = {c: {rid: frozenset(codes) for rid, codes in plans[c].items()} for c in coders}
    statuses = {c: {rid: Status.DONE for rid in plans[c]} for c in coders}
    if "alice" in coders:
        statuses["alice"]["r7"] = Status.FLAGGED
    memos = {c: {} for c in coders}
    if "alice" in coders:
        memos["alice"] = {"r2": "+ ask Bob: is a formula a risk?", "r5": "Mentions rehab."}
    decisions = []
    for coder in coders:
        for rid, codes in plans[coder].items():
            for code in sorted(codes):
                decisions.append(Decision(
                    id=len(decisions) + 1, coder=coder, response_id=rid, code=code,
                    action="apply", at=START + timedelta(minutes=len(decisions)),
                    codebook_version=1, probability=0.8 if code == "understanding" else None,
                    from_suggestion=code == "understanding"))
    return CodedDataset(codebook, responses, tuple(coders), codings, statuses, memos,
                        tuple(decisions))


STUDY = Path(__file__).resolve().parents[1] / "samples" / "image-sharing"


def study_dataset() -> CodedDataset:
    """The bundled sample study: its responses (with attributes) and labels as coder "gold"."""
    import csv

    codebook = load_codebook(CODEBOOK)
    with (STUDY / "responses.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (STUDY / "labelled.csv").open(encoding="utf-8-sig", newline="") as handle:
        labels = {row["id"]: row for row in csv.DictReader(handle)}
    responses = tuple(
        Response(row["id"], row["response"], n,
                 {k: v for k, v in row.items() if k not in ("id", "response")})
        for n, row in enumerate(rows, start=2))
    codings = {r.id: frozenset(c for c in codebook.ids if labels[r.id].get(c) == "1")
               for r in responses}
    return CodedDataset(codebook, responses, ("gold",), {"gold": codings},
                        {"gold": {r.id: Status.DONE for r in responses}}, {"gold": {}})
