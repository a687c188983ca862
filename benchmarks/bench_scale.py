"""A project of N responses end to end (issue 15): every command's time and peak memory, beside
the floors measured in the same run.

Run by hand:  python benchmarks/bench_scale.py [N ...] [--write]      (default N: 100000)

Each step runs in its own interpreter, as a user would run the command, so its peak memory is
its own (``os.wait4`` gives the child's ``ru_maxrss``) and its time includes start-up. Steps:

- floor (import): pandas ``read_csv`` + one SQLite bulk insert of id, text and attributes;
- ``codewell import``; 180 responses then coded by coder ``ana`` (not timed);
- first screen: ``codewell code`` built headless until the first response is drawn, then a
  keypress measured from posting the key to the next screen update (``App._display``, wrapped;
  see bench_tui.py), 20 ``n`` keys paging forward;
- search: what ``/`` does for a two-word query, from an open project;
- ``codewell status``; ``codewell report --coder ana`` (180 coded rows);
- ``codewell export --coder ana`` to CSV; floor (export): pandas ``read_sql`` + ``to_csv``;
  then the long layout (its 180 finished rows only) and Parquet, both streamed.

Each row also gives the machine's 1-minute load average when the step ended: the machine is
shared, and a figure is only worth reading beside it.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
# Generated text: our own words, mixed so that a search for two of them finds a few hits.
WORDS = ("the scan was shared with me before the appointment and I could read the report at home "
         "which helped me prepare questions but some images worried my family because nobody "
         "explained the shadows radiographer waiting portal letter clinic nurse results").split()
RARE = ("ultrasound", "portal", "password", "mammogram", "fracture", "discharge")
CODED = 180


def make_csv(path: Path, n: int) -> None:
    """``n`` rows: id, three attributes and 5-60 words, written in 100,000-row blocks."""
    import csv

    rng = random.Random(15)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "profession", "setting", "region", "response"])
        for i in range(n):
            words = rng.choices(WORDS, k=rng.randint(5, 60))
            if rng.random() < 0.01:
                words.insert(rng.randrange(len(words)), rng.choice(RARE))
            writer.writerow([f"R{i:07d}", rng.choice(["Radiographer", "Radiologist", "Sonographer"]),
                             rng.choice(["NHS acute trust", "Private provider"]),
                             rng.choice(["North", "South", "East", "West", "Wales", "Scotland"]),
                             " ".join(words)])


# -- steps, each run in a child interpreter ------------------------------------------------
def step_floor_import(csv_path: str, db: str) -> dict[str, float]:
    import sqlite3

    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    attributes = ('{"profession": "' + frame["profession"] + '", "setting": "' + frame["setting"]
                  + '", "region": "' + frame["region"] + '"}')
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE r (pk INTEGER PRIMARY KEY, id TEXT UNIQUE, text TEXT, attrs TEXT)")
        conn.executemany("INSERT INTO r (id, text, attrs) VALUES (?, ?, ?)",
                         zip(frame["id"], frame["response"], attributes))
    return {}


def step_floor_export(db: str, out: str) -> dict[str, float]:
    import sqlite3

    import pandas as pd

    with sqlite3.connect(db) as conn:
        frame = pd.read_sql("SELECT id, text, attrs FROM r ORDER BY pk", conn)
    frame.to_csv(out, index=False)
    return {}


def step_code(location: str) -> dict[str, float]:
    from codewell.project import Project

    rng = random.Random(3)
    with Project.open(location) as project:
        ids = [f"R{i:07d}" for i in sorted(rng.sample(range(project.response_count()), CODED))]
        codes = project.codebook.ids
        project.apply_codings({"ana": {rid: frozenset(rng.sample(codes, 2)) for rid in ids}}, "bench")
    return {}


def step_screen(location: str) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_tui

    bench_tui.KEYS = ("n",) * 20
    result = asyncio.run(bench_tui.measure(Path(location), suggestions=False))
    return {"first": result["first"], "key_median": result["median"], "key_p95": result["p95"]}


def step_search(location: str, query: str) -> dict[str, float]:
    """The index's answer alone, after the project is open (what `/` waits for)."""
    from codewell.project import Project

    with Project.open(location) as project:
        project.search("warm", limit=1)
        start = time.perf_counter()
        hits = project.search(query, limit=30)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        common = project.search("the", limit=30)
        return {"seconds": seconds, "hits": len(hits), "common word": time.perf_counter() - start,
                "common hits": len(common)}


def step_report(location: str) -> dict[str, float]:
    """``report --coder ana`` in-process, open to rendered table (no interpreter start-up or
    imports; opening includes the integrity check)."""
    from codewell.cli.analysis_cmds import _report_slice
    from codewell.cli.export_cmds import run_report
    from codewell.project import Project  # noqa: F401  (loaded before the clock starts)

    start = time.perf_counter()
    run_report(_report_slice(location, "ana", None), "ana")
    return {"seconds": time.perf_counter() - start}


STEPS = {"floor_import": step_floor_import, "floor_export": step_floor_export, "code": step_code,
         "screen": step_screen, "search": step_search, "report": step_report}


# -- the parent: run each step, time it, read its peak memory ----------------------------
def run(args: list[str]) -> dict[str, float]:
    """Run ``args`` as a child; its wall time, peak RSS (MB) and whatever it printed as JSON."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out = child.stdout.read() if child.stdout else b""
    err = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err.decode()[-2000:]}")
    result = {"wall": seconds, "mb": usage.ru_maxrss / 1024, "load": os.getloadavg()[0]}
    last = out.decode().strip().splitlines()
    if last and last[-1].startswith("{"):
        result.update(json.loads(last[-1]))
    return result


def step(name: str, *args: str) -> dict[str, float]:
    return run([sys.executable, __file__, "--step", name, *args])


def cli(*args: str) -> dict[str, float]:
    return run([sys.executable, "-m", "codewell", *args])


def measure(n: int, folder: Path) -> list[tuple[str, dict[str, float]]]:
    data, project, floor_db = folder / "survey.csv", folder / "study.cw", folder / "floor.db"
    make_csv(data, n)
    size = data.stat().st_size / 2**20
    rows = [("csv", {"mb_file": size})]
    rows.append(("floor: pandas read_csv + SQLite bulk insert", step("floor_import", str(data), str(floor_db))))
    cli("init", str(project), "--codebook", str(CODEBOOK))
    rows.append(("import", cli("import", str(project), str(data), "--text-column", "response",
                               "--id-column", "id")))
    step("code", str(project))
    rows.append(("first screen + keypress (n)", step("screen", str(project))))
    rows.append(("search 'portal password', first 30 hits (project open)", step("search", str(project), "portal password")))
    rows.append(("status", cli("status", str(project))))
    rows.append((f"report --coder ana ({CODED} coded)", cli("report", str(project), "--coder", "ana")))
    rows.append(("  the same, in-process (no start-up)", step("report", str(project))))
    rows.append(("export --coder ana (CSV)", cli("export", str(project), "-o", str(folder / "out.csv"),
                                                 "--coder", "ana")))
    rows.append(("floor: pandas read_sql + to_csv", step("floor_export", str(floor_db), str(folder / "floor.csv"))))
    rows.append(("export --coder ana --layout long (CSV, finished rows only)",
                 cli("export", str(project), "-o", str(folder / "long.csv"), "--coder", "ana", "--layout", "long")))
    rows.append(("export --coder ana (Parquet, streamed)", cli("export", str(project), "-o",
                                                               str(folder / "out.parquet"), "--coder", "ana")))
    return rows


def table(n: int, rows: list[tuple[str, dict[str, float]]]) -> str:
    lines = [f"### {n:,} responses ({rows[0][1]['mb_file']:.0f} MB CSV)", "",
             "| step | wall s | peak MB | load (1 min) | inside |", "|---|---:|---:|---:|---|"]
    for name, r in rows[1:]:
        inside = ", ".join(f"{k} {v * 1000:.0f} ms" if k in ("first", "key_median", "key_p95", "seconds",
                                                              "common word")
                           else f"{k} {v:g}" for k, v in r.items() if k not in ("wall", "mb", "load"))
        lines.append(f"| {name} | {r['wall']:.2f} | {r['mb']:.0f} | {r['load']:.1f} | {inside} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    if sys.argv[1:2] == ["--step"]:
        print(json.dumps(STEPS[sys.argv[2]](*sys.argv[3:])))
        return
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [100_000]
    load = os.getloadavg()
    print(f"load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            print(table(n, measure(n, Path(folder))), flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
