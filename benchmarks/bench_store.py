"""Import and decision-recording speed, with the floor measured in the same run.

Run by hand:  python benchmarks/bench_store.py [N]
The floor is what no importer can beat: pandas reading the CSV plus one bulk SQLite insert.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("patients understand their scans better and ask questions about the report but some may worry "
         "when they see images at home without anyone to explain what the shadows mean").split()


def make_csv(path: Path, n: int) -> None:
    import pandas as pd

    rng = random.Random(1)
    pd.DataFrame({
        "id": [f"R{i:06d}" for i in range(n)],
        "profession": [rng.choice(["Radiographer", "Radiologist", "Sonographer"]) for _ in range(n)],
        "setting": [rng.choice(["NHS acute trust", "Private provider"]) for _ in range(n)],
        "response": [" ".join(rng.choices(WORDS, k=rng.randint(5, 60))) for _ in range(n)],
    }).to_csv(path, index=False)


def floor(path: Path, db: Path) -> float:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE r (id TEXT UNIQUE, text TEXT, attrs TEXT)")
        conn.executemany("INSERT INTO r VALUES (?, ?, ?)",
                         zip(frame["id"], frame["response"], frame["profession"] + frame["setting"]))
    return time.perf_counter() - start


def codewell_import(path: Path, project_file: Path) -> tuple[float, float]:
    from codewell.codebook import load_codebook
    from codewell.project import Project

    project = Project.create(project_file, load_codebook(ROOT / "codebooks" / "image-sharing.yaml"))
    start = time.perf_counter()
    project.import_responses(path, text_column="response", id_column="id")
    first = time.perf_counter() - start
    start = time.perf_counter()
    project.import_responses(path, text_column="response", id_column="id")  # idempotent re-import
    again = time.perf_counter() - start
    project.close()
    return first, again


def record_latency(project_file: Path, n: int = 2000) -> tuple[float, float]:
    from codewell.project import Project

    project = Project.open(project_file)
    ids = [r.id for r in project.responses()[:n]]
    times = []
    for i, rid in enumerate(ids):
        start = time.perf_counter()
        project.record("bench", rid, "anxiety" if i % 2 else "understanding", "apply", probability=0.5)
        times.append(time.perf_counter() - start)
    project.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        csv = tmp / "responses.csv"
        make_csv(csv, n)
        base = floor(csv, tmp / "floor.db")
        first, again = codewell_import(csv, tmp / "bench.cw")
        median, p95 = record_latency(tmp / "bench.cw")
    print(f"responses: {n:,}")
    print(f"floor (pandas read_csv + one SQLite bulk insert): {base:.2f} s")
    print(f"codewell import: {first:.2f} s; re-import of the same file (adds nothing): {again:.2f} s")
    print(f"record one decision (committed): median {median * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
