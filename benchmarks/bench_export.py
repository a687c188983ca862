"""Export speed: 100,000 coded responses to every format, in seconds.

Run by hand:  python benchmarks/bench_export.py [N] [--repeat R] [--write]
The dataset is built in memory (one coder, the study's codebook, a decision per applied code),
so the figures measure export alone, not reading a project. The floor is pyarrow's C++ CSV
writer on the same wide table, already built: what no Python CSV export can beat.
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
from codewell.values import CodedDataset, Decision, Response, Status  # noqa: E402

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


def timed(label: str, action, out: Path | None, repeat: int) -> tuple[str, float, int | None]:
    """Best of ``repeat`` runs (the machine is shared, so the minimum is the honest figure)."""
    best = float("inf")
    for _ in range(repeat):
        begin = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - begin)
    size = out.stat().st_size if out is not None and out.exists() else None
    print(f"{label:<46} {best:6.2f} s", flush=True)
    return label, best, size


def main(n: int, repeat: int, write: bool) -> None:
    import os
    import platform

    from codewell.cli.export_cmds import run_report
    from codewell.io.export import export_dataset, wide_columns
    from codewell.io.refi_qda import read_project_qdpx, write_codebook_qdc, write_project_qdpx

    ds = make_dataset(n)
    print(f"{n:,} responses, {len(ds.codebook.codes)} codes, {len(ds.decisions):,} decisions")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        import pyarrow as pa
        import pyarrow.csv as pcsv

        prebuilt = pa.table({c.name: c.values for c in wide_columns(ds, ("lead",))})
        results.append(timed("floor: pyarrow write_csv, wide table prebuilt",
                             lambda: pcsv.write_csv(prebuilt, out / "floor.csv"), out / "floor.csv",
                             repeat))
        for fmt in ("csv", "parquet", "xlsx", "sav", "dta"):
            for layout in ("wide", "long"):
                path = out / f"{layout}.{fmt}"
                results.append(timed(f"{layout} {fmt}", lambda: export_dataset(
                    ds, path, format=fmt, layout=layout), path, repeat))
        results.append(timed("wide csv --redact", lambda: export_dataset(
            ds, out / "r.csv", redact=True), out / "r.csv", repeat))
        results.append(timed("qdc (codebook)", lambda: write_codebook_qdc(
            ds.codebook, out / "c.qdc"), out / "c.qdc", repeat))
        results.append(timed("qdpx (project)", lambda: write_project_qdpx(
            ds, out / "p.qdpx"), out / "p.qdpx", repeat))
        results.append(timed("qdpx read back (import side)", lambda: read_project_qdpx(
            out / "p.qdpx"), None, repeat))
        results.append(timed("report, table format", lambda: run_report(ds), None, repeat))
    if write:
        load = os.getloadavg()[0]
        env = (f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
               f"Python {platform.python_version()}, load average {load:.1f} at the end of the run")
        _write_section(n, len(ds.decisions), repeat, env, results)


def _write_section(n: int, decisions: int, repeat: int, env: str,
                   results: list[tuple[str, float, int | None]]) -> None:
    """Replace (or add) only the ``## Export`` section of RESULTS.md."""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = "\n".join(f"| {label} | {seconds:.2f} | {'' if size is None else f'{size / 2**20:.1f}'} |"
                      for label, seconds, size in results)
    section = (f"## Export\n\nMeasured {stamp} by `python benchmarks/bench_export.py {n} "
               f"--repeat {repeat} --write`; {env}.\n\n"
               f"{n:,} coded responses (one coder, {decisions:,} decisions, 9 codes, two "
               "attributes); the long layout has one row per finished response and code. Best of "
               f"{repeat} runs.\n\n| export | seconds | MiB |\n|---|---:|---:|\n{rows}\n")
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find("## Export\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end != -1 else "")
        text = text.replace(section + "## ", section + "\n## ")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="update the Export section of RESULTS.md")
    arguments = parser.parse_args()
    main(arguments.n, arguments.repeat, arguments.write)
