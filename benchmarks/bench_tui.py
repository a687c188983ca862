"""Coding-screen latency: key event posted -> next screen update, on the sample and on 100,000.

Run by hand:  python benchmarks/bench_tui.py [N]
``Pilot.press`` waits for the app to go idle and adds ~60 ms of its own, so it cannot measure a
keypress. Instead the key event goes straight to the driver's queue (as a terminal would deliver
it) and the clock stops when the app next hands a screen update to its display step
(``App._display``, wrapped). Between keys the app is left to settle, so each key is timed alone.
Also measured: the time from building the app to the first response on screen.
"""

from __future__ import annotations

import asyncio
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "image-sharing"
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
KEYS = ("1", "n", "2", "p", "1", "2", "n", "n", "p", "3") * 5


def sample_project(folder: Path) -> Path:
    from codewell.codebook import load_codebook
    from codewell.project import Project

    location = folder / "sample.cw"
    with Project.create(location, load_codebook(CODEBOOK)) as project:
        project.import_responses(SAMPLE / "responses.csv")
    return location


def big_project(folder: Path, n: int) -> Path:
    """``n`` responses made by cycling the sample's texts under new ids."""
    from codewell.codebook import load_codebook
    from codewell.project import Project

    with (SAMPLE / "responses.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    text_column = next(c for c in ("response", "text") if c in rows[0])
    path = folder / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "response"])
        for i in range(n):
            writer.writerow([f"B{i:06d}", rows[i % len(rows)][text_column]])
    location = folder / "big.cw"
    with Project.create(location, load_codebook(CODEBOOK)) as project:
        project.import_responses(path, text_column="response", id_column="id")
    return location


def import_seconds() -> float:
    """A fresh interpreter importing the TUI app module (what `codewell code` pays first)."""
    code = "import time; t = time.perf_counter(); import codewell.tui.app; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout)


def floor_app():
    """The floor: a bare Textual app with five checkboxes that toggle on 1-5 and a footer."""
    from textual.app import App
    from textual.widgets import Checkbox, Footer

    class Floor(App):
        BINDINGS = [(str(n), f"flip({n})", f"code {n}") for n in range(1, 6)] + [
            ("n", "flip(1)", "next"), ("p", "flip(2)", "prev")]

        def compose(self):
            for n in range(1, 6):
                yield Checkbox(f"code {n}", id=f"c{n}")
            yield Footer()

        def action_flip(self, n: int) -> None:
            box = self.query_one(f"#c{n}", Checkbox)
            box.value = not box.value

    return Floor()


async def measure(location: Path | None, suggestions: bool) -> dict[str, float]:
    """Latencies for the coding app on ``location``, or for the floor app when it is None."""
    from textual import events

    from codewell.tui.app import make_app

    started = time.perf_counter()
    app = floor_app() if location is None else make_app(str(location), "bench", suggestions=suggestions)
    shown = asyncio.Event()
    first: list[float] = []
    original = app._display

    def display(screen, renderable) -> None:
        if renderable is not None:
            if not first and (screen.id == "coding" or location is None):
                first.append(time.perf_counter() - started)
            shown.set()
        original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    latencies = []
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        if suggestions:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
        for key in KEYS:
            await pilot.pause()
            shown.clear()
            event = events.Key(key, key)
            event.set_sender(app)
            t0 = time.perf_counter()
            app._driver.send_message(event)
            await asyncio.wait_for(shown.wait(), 5)
            latencies.append(time.perf_counter() - t0)
        await app.workers.wait_for_complete()
    latencies.sort()
    return {"first": first[0], "median": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))]}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"import codewell.tui.app in a fresh interpreter: {import_seconds() * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        projects = {"sample": sample_project(folder)}
        projects[f"{n:,}"] = big_project(folder, n)
        print(f"(projects built in {time.perf_counter() - t:.1f} s)")
        print("| data | suggestions | first response shown | keypress median | keypress p95 |")
        print("|---|---|---|---|---|")
        r = asyncio.run(measure(None, False))
        print(f"| floor: bare app, 5 checkboxes | – | – | {r['median'] * 1000:.1f} ms | {r['p95'] * 1000:.1f} ms |")
        for name, location in projects.items():
            for suggestions in (False, True):
                r = asyncio.run(measure(location, suggestions))
                print(f"| {name} | {'on' if suggestions else 'off'} | {r['first'] * 1000:.0f} ms | "
                      f"{r['median'] * 1000:.1f} ms | {r['p95'] * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
