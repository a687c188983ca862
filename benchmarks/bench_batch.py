"""Batch suggestions (issue 13, item 7): ``codewell suggest PROJECT -o FILE.csv`` on N responses,
beside a plain TF-IDF + logistic-regression pipeline doing the same job in the same run.

Run by hand:  python benchmarks/bench_batch.py [N ...] [--keep DIR]      (default N: 100000)

``--keep DIR`` builds the project for N in ``DIR/N`` and leaves it there; run again with the same
``DIR`` and it is reused, so only the two timed steps run.

The project holds the image-sharing sample's labelled responses (3,799 since the round of new writers), coded by ``ana`` (from
``samples/image-sharing/labelled.csv``), and N generated responses to suggest for: each is one to
four sentences of the sample, shuffled together, with about 8% of words swapped for another word
of the sample and 2% for an invented word (typos and names: a real survey's vocabulary keeps
growing with its size, and every new word costs the text pass something). Every step runs in
its own interpreter, timed with every process it starts, however started: this process makes
itself the subreaper of the step's process tree (Linux ``PR_SET_CHILD_SUBREAPER``), so a process
that outlives its parent (a forkserver and what it forked) comes back here to be reaped, and
``os.wait4`` of each gives its CPU time (with that of the processes it reaped) and peak RSS: the
step's wall time, CPU seconds of all its processes, and the largest peak among them. Steps:

- ``codewell suggest --coder ana -o out.csv``: train on ana's answers, score the N (every core);
- floor: one Python process reads the same N texts from the project file (sqlite3), fits scikit-
  learn's ``TfidfVectorizer`` (word 1-2grams, sublinear TF) and one-vs-rest ``LogisticRegression``
  on the same labelled responses, and writes id, nine probabilities and the codes at 0.5 to
  CSV with pandas.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
LABELLED = ROOT / "samples" / "image-sharing" / "labelled.csv"
LETTERS = "abcdefghilmnoprstuy"


def make_csv(path: Path, n: int, seed: int = 13) -> None:
    """``n`` responses built from the sample's sentences, with varied vocabulary (see above)."""
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        sentences = [s for row in csv.DictReader(handle)
                     for s in re.split(r"(?<=[.!?])\s+", row["response"]) if s.strip()]
    vocabulary = sorted({w for s in sentences for w in re.findall(r"[A-Za-z']+", s)})
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "site", "response"])
        for i in range(n):
            parts = []
            for sentence in rng.sample(sentences, rng.choice((1, 1, 2, 2, 3, 4))):
                words = sentence.split(" ")
                for j in range(len(words)):
                    draw = rng.random()
                    if draw < 0.08:
                        words[j] = rng.choice(vocabulary)
                    elif draw < 0.10:
                        words[j] = "".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 9)))
                parts.append(" ".join(words))
            writer.writerow([f"G{i:07d}", rng.choice(["North", "South", "East"]), " ".join(parts)])


def make_codings(path: Path) -> None:
    """ana's codings of the labelled sample, one row per code (an empty code: none applies)."""
    with LABELLED.open(encoding="utf-8", newline="") as src, path.open("w", newline="", encoding="utf-8") as out:
        reader, writer = csv.DictReader(src), csv.writer(out)
        codes = [c for c in reader.fieldnames or () if c not in ("id", "response")]
        writer.writerow(["id", "coder", "code"])
        for row in reader:
            for code in [c for c in codes if row[c] == "1"] or [""]:
                writer.writerow([row["id"], "ana", code])


# -- the floor, run in a child interpreter ---------------------------------------------------
def step_floor(project: str, out: str) -> dict[str, float]:
    import sqlite3

    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    train = pd.read_csv(LABELLED, dtype={"id": str}, keep_default_na=False)
    codes = [c for c in train.columns if c not in ("id", "response")]
    with sqlite3.connect(project) as conn:
        rows = conn.execute("SELECT source_id, text FROM responses WHERE NOT is_empty ORDER BY pk").fetchall()
    known = set(train["id"])
    ids = [rid for rid, _ in rows if rid not in known]
    texts = [text for rid, text in rows if rid not in known]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    model = OneVsRestClassifier(LogisticRegression(max_iter=1000))
    model.fit(vectorizer.fit_transform(train["response"]), train[codes].to_numpy())
    probabilities = model.predict_proba(vectorizer.transform(texts))
    table = pd.DataFrame(probabilities.round(4), columns=[f"p_{c}" for c in codes])
    table.insert(0, "id", ids)
    names = np.array(codes, dtype=object)
    table["suggested"] = [";".join(names[row]) for row in probabilities >= 0.5]
    table.to_csv(out, index=False)
    return {"rows": len(ids)}


# -- the parent ------------------------------------------------------------------------------
def timed(args: list[str]) -> dict[str, float]:
    """Run ``args`` as a child: wall and CPU seconds (it and every process of its tree), the
    largest peak RSS among them (MB), the load after, and whatever it printed last as JSON."""
    _become_subreaper()
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    out = child.stdout.read() if child.stdout else b""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed (status {status})")
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    while True:  # the orphans of its tree (a forkserver ends once its caller and children have)
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        cpu, peak = cpu + usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss)
    result = {"wall": seconds, "cpu": cpu, "mb": peak / 1024, "load": os.getloadavg()[0]}
    last = out.decode().strip().splitlines()
    if last and last[-1].startswith("{"):
        result.update(json.loads(last[-1]))
    return result


def _become_subreaper() -> None:
    """Orphans of the processes this one starts are reparented here (Linux; elsewhere a process
    that outlives its parent goes uncounted)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "codewell", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(n: int, folder: Path) -> dict[str, dict[str, float]]:
    data, project, codings = folder / "survey.csv", folder / "study.cw", folder / "codings.csv"
    if not project.exists():
        make_csv(data, n)
        make_codings(codings)
        cli("init", str(project), "--codebook", str(CODEBOOK))
        cli("import", str(project), str(LABELLED), "--text-column", "response", "--id-column", "id")
        cli("import", str(project), str(codings), "--codings")
        cli("import", str(project), str(data), "--text-column", "response", "--id-column", "id")
    load = os.getloadavg()[0]
    suggest = timed([sys.executable, "-m", "codewell", "suggest", str(project), "--coder", "ana",
                     "-o", str(folder / "suggestions.csv")])
    suggest["load_before"] = load
    load = os.getloadavg()[0]
    floor = timed([sys.executable, __file__, "--step", str(project), str(folder / "floor.csv")])
    floor["load_before"] = load
    with (folder / "suggestions.csv").open(encoding="utf-8") as handle:
        suggest["rows"] = sum(1 for _ in handle) - 1
    return {"suggest -o": suggest, "floor: TF-IDF + LR": floor}


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return (f"{model}, {len(os.sched_getaffinity(0))} cores usable, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main() -> None:
    if sys.argv[1:2] == ["--step"]:
        print(json.dumps(step_floor(*sys.argv[2:4])))
        return
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [100_000]
    print(machine())
    for n in sizes:
        if keep:
            (Path(keep) / str(n)).mkdir(parents=True, exist_ok=True)
            results = measure(n, Path(keep) / str(n))
        else:
            with tempfile.TemporaryDirectory() as folder:
                results = measure(n, Path(folder))
        print(f"\n{n:,} responses")
        print("| step | rows | wall s | CPU s | peak MB (largest process) | load 1 min before / after |")
        print("|---|---:|---:|---:|---:|---|")
        for name, r in results.items():
            print(f"| {name} | {r['rows']:,} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['mb']:.0f} | "
                  f"{r['load_before']:.1f} / {r['load']:.1f} |")
        ratio = results["suggest -o"]["wall"] / results["floor: TF-IDF + LR"]["wall"]
        print(f"suggest -o / floor, wall: {ratio:.2f}x", flush=True)


if __name__ == "__main__":
    main()
