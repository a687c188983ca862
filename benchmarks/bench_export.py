"""Export speed: 100,000 coded responses to every format, in seconds.

Run by hand:  python benchmarks/bench_export.py [N]
The dataset is built in memory (one coder, the study's codebook, a decision per applied code),
so the figures measure export alone, not reading a project. The floor is pyarrow writing the
same wide table to CSV, the fastest CSV writer at hand.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from codewell.codebook import load_codebook  # noqa: E402
from codewell.model import CodedDataset, Decision, Response, Status  # noqa: E402

WORDS = ("seeing the scan helps patients understand their condition and talk it through with the "
         "team but some may worry when they look at images alone at home = + - @").split()


def make_dataset(n: int) -> CodedDataset:
    rng = random.Random(7)
    codebook = load_codebook(ROOT / "codebooks" / "image-sharing.yaml")
    ids = codebook.ids
    responses = tuple(
        Response(f"R{i:06d}", " ".join(rng.choices(WORDS, k=rng.randint(5, 60))), i + 2,
                 {"profession": rng.choice(["Radiographer", "Radiologist", "Sonographer"]),
                  "setting": rng.choice(["NHS acute trust", "Private provider"])})
        for i in range(n))
    codings, decisions = {}, []
    start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    for response in responses:
        codes = frozenset(code for code in ids if rng.random() < 0.25)
        codings[response.id] = codes
        for code in sorted(codes):
            decisions.append(Decision(len(decisions) + 1, "lead", response.id, code, "apply",
                                      start + timedelta(seconds=len(decisions)), 1,
                                      rng.random(), rng.random() < 0.5))
    statuses = {r.id: Status.DONE for r in responses}
    return CodedDataset(codebook, responses, ("lead",), {"lead": codings}, {"lead": statuses},
                        {"lead": {}}, tuple(decisions))


def timed(label: str, action) -> tuple[str, float]:
    begin = time.perf_counter()
    action()
    seconds = time.perf_counter() - begin
    print(f"{label:<28} {seconds:6.2f} s", flush=True)
    return label, seconds


def main(n: int) -> None:
    from codewell.cli.export_cmds import run_report
    from codewell.io.export import export_dataset, wide_columns
    from codewell.io.refi_qda import read_project_qdpx, write_codebook_qdc, write_project_qdpx

    ds = make_dataset(n)
    print(f"{n:,} responses, {len(ds.codebook.codes)} codes, {len(ds.decisions):,} decisions")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def floor() -> None:
            import pyarrow as pa
            import pyarrow.csv as pcsv

            columns = wide_columns(ds, ("lead",))
            table = pa.table({c.name: c.values for c in columns})
            pcsv.write_csv(table, out / "floor.csv")

        timed("floor: pyarrow CSV (wide)", floor)
        for fmt in ("csv", "parquet", "xlsx"):
            for layout in ("wide", "long"):
                timed(f"{layout} {fmt}", lambda: export_dataset(
                    ds, out / f"{layout}.{fmt}", format=fmt, layout=layout))
        timed("wide csv --redact", lambda: export_dataset(ds, out / "r.csv", redact=True))
        timed("qdc", lambda: write_codebook_qdc(ds.codebook, out / "c.qdc"))
        timed("qdpx", lambda: write_project_qdpx(ds, out / "p.qdpx"))
        timed("qdpx read back", lambda: read_project_qdpx(out / "p.qdpx"))
        timed("report (table)", lambda: run_report(ds))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
