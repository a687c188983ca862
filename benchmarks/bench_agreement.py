"""Agreement speed: codewell against the `krippendorff` package, measured in one run.

    python benchmarks/bench_agreement.py            # print the results as markdown
    python benchmarks/bench_agreement.py --write    # also replace "## Agreement" in RESULTS.md

Cases: (1) nominal alpha on 1,000,000 units x 3 coders, 10 categories, 10% missing;
(2) 100,000 units with 200 distinct values, where the package needs a units x values x values
array; (3) codewell alone from 250,000 to 2,000,000 units, to show time grows linearly;
(4) end to end on a 3,000,000-row long CSV: `codewell agree` (every coefficient) against
pandas.read_csv + pivot + krippendorff.alpha (alpha only), each in a fresh interpreter.
The package runs in subprocesses with a 12 GiB address-space cap so a failure cannot take the
machine down. Data is synthetic and seeded: coders copy a true value 70% of the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
MEMORY_CAP = 12 * 2**30

PACKAGE_CASE = """
import resource, sys, time
import numpy as np
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
import krippendorff
data = np.load(sys.argv[1])
start = time.perf_counter()
try:
    value = krippendorff.alpha(data.T, level_of_measurement="nominal")
    print(f"ok {{time.perf_counter() - start:.3f}} {{value:.12f}}")
except Exception as exc:  # the failure itself is the result we record
    print(f"failed {{time.perf_counter() - start:.3f}} {{type(exc).__name__}}: {{exc}}")
"""

PANDAS_PIPELINE = """
import sys
import pandas as pd, krippendorff
frame = pd.read_csv(sys.argv[1])
wide = frame.pivot(index="unit", columns="coder", values="value")
print(krippendorff.alpha(wide.to_numpy(dtype=float).T, level_of_measurement="nominal"))
"""


def reliability_data(n_units: int, n_values: int = 10, n_coders: int = 3, missing: float = 0.1,
                     seed: int = 0) -> np.ndarray:
    """Shape (n_units, n_coders), floats with NaN for missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_values, n_units)
    columns = [np.where(rng.random(n_units) < 0.7, truth, rng.integers(0, n_values, n_units))
               for _ in range(n_coders)]
    data = np.stack(columns, axis=1).astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    return data


def best_of(fn, repeat: int = 3, clock=time.perf_counter) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = clock()
        result = fn()
        times.append(clock() - start)
    return min(times), result


def package_alpha(data: np.ndarray, workdir: Path) -> tuple[str, float, str]:
    """(status, seconds, value or error) of krippendorff.alpha in a capped subprocess."""
    path = workdir / "data.npy"
    np.save(path, data)
    out = subprocess.run([sys.executable, "-c", PACKAGE_CASE.format(cap=MEMORY_CAP), str(path)],
                         capture_output=True, text=True, check=False)
    line = (out.stdout.strip() or out.stderr.strip().splitlines()[-1]).split(" ", 2)
    return line[0], float(line[1]), line[2]


def write_long_csv(data: np.ndarray, path: Path) -> int:
    """One row per unit and coder (rows with a missing value keep an empty value cell)."""
    import pandas as pd

    n_units, n_coders = data.shape
    frame = pd.DataFrame({
        "unit": np.repeat(np.arange(n_units), n_coders).astype(str),
        "coder": np.tile([f"coder{j}" for j in range(n_coders)], n_units),
        "value": pd.array(data.ravel(), dtype="Int64"),
    })
    frame.to_csv(path, index=False)
    return len(frame)


def timed_command(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, out.stdout


def run(quick: bool) -> str:
    from codewell.agreement import krippendorff_alpha

    load_before = os.getloadavg()[0]
    scale = 10 if quick else 1
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)

        n = 1_000_000 // scale
        data = reliability_data(n)
        ours, value = best_of(lambda: krippendorff_alpha(data, "nominal"))
        status, theirs, their_value = package_alpha(data, work)
        lines += [
            f"### Nominal alpha, {n:,} units x 3 coders, 10 categories, 10% missing",
            "",
            "| implementation | seconds | alpha |",
            "|---|---:|---:|",
            f"| codewell `krippendorff_alpha` (best of 3, from the float matrix) | {ours:.3f} | "
            f"{value:.12f} |",
            f"| `krippendorff` {_version('krippendorff')} `alpha` | {theirs:.3f} | "
            f"{their_value if status == 'ok' else status} |",
            "",
            f"codewell is **{theirs / ours:.0f}x** faster here."
            if status == "ok" else "The package failed.",
            "",
        ]

        n = 100_000 // scale
        many = reliability_data(n, n_values=200)
        status, theirs, outcome = package_alpha(many, work)
        rows = []
        for level in ("nominal", "ordinal", "interval", "ratio"):
            ours, value = best_of(lambda: krippendorff_alpha(many, level))
            rows.append(f"| codewell, {level} | {ours:.3f} | alpha = {value:.6f} |")
        lines += [
            f"### {n:,} units x 3 coders with 200 distinct values",
            "",
            "| implementation | seconds | result |",
            "|---|---:|---|",
            *rows,
            f"| `krippendorff`, nominal | {theirs:.3f} | {outcome} |",
            "",
        ]

        rows = []
        for n in (250_000, 500_000, 1_000_000, 2_000_000):
            n //= scale
            sized = reliability_data(n)
            seconds, _ = best_of(lambda: krippendorff_alpha(sized, "nominal"), repeat=5)
            cpu, _ = best_of(lambda: krippendorff_alpha(sized, "nominal"), repeat=5,
                             clock=time.process_time)
            rows.append(f"| {n:,} | {seconds:.3f} | {cpu:.3f} | {cpu / n * 1e6:.3f} |")
        lines += ["### codewell alone: time against units (nominal, 3 coders, best of 5)", "",
                  "CPU time is less disturbed by the other work on a shared machine than wall "
                  "time, so the per-unit column uses it.", "",
                  "| units | wall seconds | CPU seconds | CPU microseconds per unit |",
                  "|---:|---:|---:|---:|", *rows, ""]

        n = 1_000_000 // scale
        path = work / "codings.csv"
        n_rows = write_long_csv(reliability_data(n, seed=1), path)
        cli, output = timed_command([sys.executable, "-m", "codewell", "agree", str(path),
                                     "--unit", "unit", "--coder", "coder", "--value", "value",
                                     "--json"])
        ours_alpha = float(re.search(r'"krippendorff_alpha": ([-0-9.e]+)', output).group(1))
        pipeline, their_output = timed_command([sys.executable, "-c", PANDAS_PIPELINE, str(path)])
        lines += [
            f"### End to end on a {n_rows:,}-row long CSV ({path.stat().st_size / 2**20:.0f} MiB)",
            "",
            "| command (fresh interpreter each) | seconds | alpha |",
            "|---|---:|---:|",
            f"| `codewell agree codings.csv --unit unit --coder coder --value value --json` "
            f"(all 5 applicable coefficients) | {cli:.2f} | {ours_alpha:.12f} |",
            f"| pandas `read_csv` + `pivot` + `krippendorff.alpha` (alpha only) | {pipeline:.2f} | "
            f"{float(their_output):.12f} |",
            "",
        ]

    head = [
        "## Agreement",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by "
        f"`python benchmarks/bench_agreement.py --write{' --quick' if quick else ''}`"
        f"{' (one tenth of the sizes)' if quick else ''}; {os.cpu_count()} cores "
        f"({_cpu()}), Python {platform.python_version()}, numpy {np.__version__}. The machine "
        f"is shared: 1-minute load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end, so absolute times are noisy; both sides of each "
        "comparison ran back to back in this one run.",
        "",
    ]
    return "\n".join(head + lines)


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def replace_section(text: str, section: str) -> str:
    """Swap our "## Agreement" section in RESULTS.md, leaving other sections untouched."""
    pattern = re.compile(r"^## Agreement\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        return pattern.sub(lambda _: section.rstrip() + "\n\n", text).rstrip() + "\n"
    return (text.rstrip() + "\n\n" if text.strip() else "# Benchmarks\n\n") + section.rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--quick", action="store_true", help="one tenth of the sizes")
    args = parser.parse_args()
    section = run(args.quick)
    print(section)
    if args.write:
        current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        RESULTS.write_text(replace_section(current, section), encoding="utf-8")


if __name__ == "__main__":
    main()
