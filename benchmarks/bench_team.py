"""A team under load: 20 coders x 500 decisions each, at once, on PostgreSQL and on SQLite.

Run by hand, with a server to use (a throwaway one: ``source .ci/postgres.sh && pg_start``):

    CODEWELL_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres python benchmarks/bench_team.py [CODERS] [EACH]

Each coder is its own process with its own connection, pressing keys as fast as the store takes
them (no think time: the worst case for contention); one in ten keys is retried with the same uid,
as the coding screen does after a lost connection. Checked afterwards: every decision a coder saw
saved is stored exactly once, nothing else is stored. Reported: commit latency per decision (p50,
p95, max, as the coder waits for it) and throughput (decisions stored per second of wall time).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CODER = textwrap.dedent("""
    import json, random, sys, time
    from codewell.project import Project
    from codewell.project.coding import new_uid

    location, coder, n, seed, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    rng = random.Random(seed)
    latencies, saved = [], []
    with Project.open(location) as project:
        ids = [r.id for r in project.responses()]
        codes = list(project.codebook.ids)
        while time.time() < start:
            time.sleep(0.005)
        first = time.time()
        for _ in range(n):
            uid = new_uid()
            item = (rng.choice(ids), rng.choice(codes), rng.choice(["apply", "remove"]))
            began = time.perf_counter()
            project.record(coder, *item, uid=uid)
            latencies.append(time.perf_counter() - began)
            if rng.random() < 0.1:
                project.record(coder, *item, uid=uid)  # the same key again: must land once
            saved.append(uid)
    print(json.dumps({"latencies": latencies, "saved": saved, "first": first, "last": time.time()}))
""")


def make_project(location: str) -> None:
    from codewell.codebook import load_codebook
    from codewell.project import Project
    from codewell.values import Response

    with Project.create(location, load_codebook(ROOT / "codebooks" / "image-sharing.yaml")) as project:
        project.add_responses([Response(f"R{i:04d}", f"response number {i}", i + 1) for i in range(2000)], "bench")


def run(location: str, coders: int, each: int) -> dict[str, float]:
    start = time.time() + 3.0 + coders * 0.15  # every process open and waiting before the first key
    children = [subprocess.Popen([sys.executable, "-c", CODER, location, f"coder{i:02d}", str(each), str(i),
                                  str(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for i in range(coders)]
    results = []
    for child in children:
        out, err = child.communicate(timeout=3600)
        if child.returncode != 0:
            raise SystemExit(f"a coder process failed:\n{err}")
        results.append(json.loads(out))
    wall = max(r["last"] for r in results) - min(r["first"] for r in results)  # first key to last commit

    from codewell.project import Project

    with Project.open(location) as project:
        stored = Counter(d.uid for d in project.decisions())
    saved = [uid for result in results for uid in result["saved"]]
    lost = sum(1 for uid in saved if uid not in stored)
    doubled = sum(1 for n in stored.values() if n > 1)
    extra = len(set(stored) - set(saved))
    latencies = sorted(x for result in results for x in result["latencies"])
    return {"decisions": len(saved), "stored": sum(stored.values()), "lost": lost, "doubled": doubled,
            "extra": extra, "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))], "max_ms": 1000 * latencies[-1],
            "per_second": len(saved) / wall if wall else float("nan"), "wall_s": wall}


def main() -> None:
    coders = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    each = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    admin = os.environ.get("CODEWELL_TEST_PG_URL")
    if not admin:
        raise SystemExit("set CODEWELL_TEST_PG_URL to a superuser URL on a server you may load "
                         "(source .ci/postgres.sh && pg_start starts a throwaway one)")
    import psycopg

    name = f"cw_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                                     "('fsync', 'synchronous_commit')").fetchall())
    server = f"{admin.rsplit('/', 1)[0]}/{name}"
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for engine, location in (("PostgreSQL", server), ("SQLite", str(Path(folder) / "team.cw"))):
            make_project(location)
            figures[engine] = run(location, coders, each)
            print(engine, json.dumps(figures[engine]), flush=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n### {coders} coders x {each} decisions at once ({stamp}, {platform.machine()}, "
          f"{os.cpu_count()} cores, PostgreSQL {version} on loopback, fsync={settings.get('fsync')}, "
          f"synchronous_commit={settings.get('synchronous_commit')})\n")
    print("| engine | decisions | lost | doubled | p50 commit | p95 commit | max | throughput |")
    print("|---|---|---|---|---|---|---|---|")
    for engine, f in figures.items():
        print(f"| {engine} | {f['decisions']:,} | {f['lost']} | {f['doubled'] + f['extra']} | "
              f"{f['p50_ms']:.1f} ms | {f['p95_ms']:.1f} ms | {f['max_ms']:.0f} ms | {f['per_second']:.0f}/s |")


if __name__ == "__main__":
    main()
