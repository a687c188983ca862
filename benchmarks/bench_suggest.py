"""Suggestion quality and speed: across writers, frozen held-out writers, cold start, speed.

Run by hand:  python benchmarks/bench_suggest.py [--quick] [--write] [--heldout]
``--write`` replaces the ``## Suggestions`` section of benchmarks/RESULTS.md (and only it).
``--quick`` skips the 100,000-response run. ``--heldout`` also scores the frozen held-out writers
(``samples/*/heldout-writer*.csv``), trained on the whole of each sample: run it once, at the end
of a round, after every parameter is fixed; the section records the commit it ran at. Nothing
in the code may be chosen by looking at those figures (samples/image-sharing/README.md).

Quality is judged the way it will be scored, on responses by other writers: the image-sharing
sample was written in three blocks by three different people, so the headline figures train on
two writers and test on the third (each in turn), listed worst writer first. K-fold figures
within one file are shown too. Timings use CPU seconds beside wall seconds because the machine
is shared.
"""

from __future__ import annotations

import platform
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from codewell.codebook import load_codebook  # noqa: E402
from codewell.suggest import FittedModel, fit_model  # noqa: E402
from codewell.suggest.evaluate import cross_validate, simulate, train_test  # noqa: E402
from codewell.suggest.labelled import LabelledData, read_labelled  # noqa: E402

IS_BOOK = ROOT / "codebooks" / "image-sharing.yaml"
PF_BOOK = ROOT / "codebooks" / "patient-feedback.yaml"
# Three people wrote the sample, each a block of ids (samples/image-sharing/README.md).
WRITERS = (("IS001", "IS170"), ("IS171", "IS340"), ("IS341", "IS500"))
IS_ALL = ROOT / "samples" / "image-sharing" / "labelled.csv"
PF_ALL = ROOT / "samples" / "patient-feedback" / "labelled.csv"
# Frozen before any tuning for issue 13; scored only with --heldout (see the module docstring).
HELDOUT = ((IS_BOOK, IS_ALL, ROOT / "samples" / "image-sharing" / "heldout-writer4.csv"),
           (PF_BOOK, PF_ALL, ROOT / "samples" / "patient-feedback" / "heldout-writer2.csv"))
FIVE = ("understanding", "communication", "adherence", "interpretation_difficulty", "anxiety")


def f2(x: float) -> str:
    return "-" if x != x else f"{x:.2f}"


def code_table(report: dict, codes: tuple[str, ...] | None = None) -> list[str]:
    lines = ["| code | precision | recall | F1 | kappa | support | cold-start F1 | cold-start kappa |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for code, v in report["codes"].items():
        if codes is None or code in codes:
            cold = report["cold_start"]["codes"][code]
            lines.append(f"| {code} | {f2(v['precision'])} | {f2(v['recall'])} | {f2(v['f1'])} | "
                         f"{f2(v['kappa'])} | {v['support']} | {f2(cold['f1'])} | {f2(cold['kappa'])} |")
    return lines


def macro(report: dict, codes: tuple[str, ...]) -> float:
    return statistics.fmean(report["codes"][c]["f1"] for c in codes)


def subset(data: LabelledData, rows: list[int], name: str) -> LabelledData:
    return LabelledData(f"{data.path}[{name}]", tuple(data.ids[i] for i in rows),
                        tuple(data.texts[i] for i in rows), data.codes, data.gold[rows])


def by_writer(data: LabelledData) -> list[tuple[str, LabelledData, LabelledData]]:
    """(writer's id range, everyone else's responses, this writer's responses) for each writer."""
    splits = []
    for first, last in WRITERS:
        mine = [i for i, rid in enumerate(data.ids) if first <= rid <= last]
        others = [i for i, rid in enumerate(data.ids) if not first <= rid <= last]
        name = f"{first}-{last}"
        splits.append((name, subset(data, others, f"not {name}"), subset(data, mine, name)))
    return splits


def only(data: LabelledData, codes: tuple[str, ...]) -> LabelledData:
    """The same responses labelled with ``codes`` alone."""
    keep = [data.codes.index(c) for c in codes]
    return LabelledData(data.path, data.ids, data.texts, codes, data.gold[:, keep])


AIMS: dict[str, str] = {}


def quality() -> list[str]:
    book = load_codebook(IS_BOOK)
    both = read_labelled(IS_ALL, book)
    splits = by_writer(both)
    reports = [(writer, train, test, train_test(book, train, test)) for writer, train, test in splits]
    reports.sort(key=lambda r: macro(r[3], FIVE))
    worst, best = reports[0], reports[-1]
    out = ["### Across writers (image-sharing: train on two writers' responses, test on the third's)",
           "", f"Worst writer first. Five study codes: worst writer ({worst[0]}) macro-F1 "
           f"{f2(macro(worst[3], FIVE))}, best ({best[0]}) {f2(macro(best[3], FIVE))}, mean "
           f"{f2(statistics.fmean(macro(r[3], FIVE) for r in reports))}; codebook only "
           f"{f2(macro(worst[3]['cold_start'], FIVE))} on the worst writer. These writers are not "
           "held out from development: features and parameters were chosen on exactly these "
           "splits, so they flatter; the frozen writers below are the honest figure.", ""]
    for writer, train, test, report in reports:
        name = f"test on {writer}"
        kappas = [report["codes"][c]["kappa"] for c in FIVE]
        AIMS[f"across writers, {name}"] = (
            f"five-code macro-F1 {f2(macro(report, FIVE))} (aim 0.80); lowest five-code kappa "
            f"{f2(min(kappas))}, {sum(k >= 0.70 for k in kappas)} of 5 at 0.70 or more (aim: all); "
            f"trained minus codebook-only {f2(macro(report, FIVE) - macro(report['cold_start'], FIVE))}"
            " (aim 0.05)")
        out += [f"**{name}** ({len(train)} training responses, {len(test)} test): macro-F1 "
                f"{f2(report['macro_f1'])} over all {len(report['codes'])} codes, "
                f"{f2(macro(report, FIVE))} over the five study codes; micro-F1 {f2(report['micro_f1'])}; "
                f"exactly right on {f2(report['exact_share'])} of responses. Codebook only: macro-F1 "
                f"{f2(report['cold_start']['macro_f1'])} (five codes {f2(macro(report['cold_start'], FIVE))}).",
                "", *code_table(report), ""]
    out += ["### 5-fold cross-validation within each sample", ""]
    for data, bookpath, name in ((both, IS_BOOK, f"image-sharing, all {len(both)}"),
                                 (read_labelled(PF_ALL, load_codebook(PF_BOOK)), PF_BOOK,
                                  "patient-feedback")):
        report = cross_validate(load_codebook(bookpath), data, 5, seed=0)
        out += [f"**{name}** ({len(data)} responses): macro-F1 {f2(report['macro_f1'])}, micro-F1 "
                f"{f2(report['micro_f1'])}, exactly right {f2(report['exact_share'])}; codebook only "
                f"macro-F1 {f2(report['cold_start']['macro_f1'])}, micro-F1 "
                f"{f2(report['cold_start']['micro_f1'])}.", "", *code_table(report), ""]
    out += ["### Learning curve (`--simulate`): a new study, codebook only at first, retrained as it goes",
            "", "Suggestions are scored as they were shown, before each decision; figures are over the "
            "last 20 responses (micro-F1 / share exactly right).", ""]
    third = reports[0][2]
    runs = [(f"image-sharing, all {len(both)}, five study codes", book, only(both, FIVE), ("file",)),
            (f"image-sharing worst writer ({reports[0][0]}) alone, five study codes", book,
             only(third, FIVE), ("file", "random", "uncertain")),
            (f"image-sharing worst writer ({reports[0][0]}) alone, all nine codes", book, third,
             ("file",)),
            ("patient-feedback", load_codebook(PF_BOOK), read_labelled(PF_ALL, load_codebook(PF_BOOK)),
             ("file",))]
    points = (10, 20, 30, 50, 75, 100, 150)
    out += ["| study | order | " + " | ".join(f"{p} coded" for p in points) + " | after 30: next 20 exact | after 30: rest exact |",
            "|---|---|" + "---:|" * (len(points) + 2)]
    for name, b, data, orders in runs:
        for order in orders:
            sim = simulate(b, data, order, seed=0)
            if name.endswith("five study codes") and order == "file":
                AIMS[f"after 30 coded ({name}, file order)"] = (
                    f"exactly right on {f2(sim['after_30']['exact_share_next20'])} of the next 20 and "
                    f"{f2(sim['after_30']['exact_share_rest'])} of the rest (aim 0.50)")
            at = {p["coded"]: p for p in sim["curve"]}
            cells = [f"{f2(at[p]['f1_last20'])} / {f2(at[p]['exact_share_last20'])}" for p in points if p in at]
            out.append(f"| {name} | {order} | " + " | ".join(cells) + f" | {f2(sim['after_30']['exact_share_next20'])} | "
                       f"{f2(sim['after_30']['exact_share_rest'])} |")
    return out + [""]


def extra_test(path: Path) -> list[str]:
    """A labelled file by a writer the sample never saw, scored by a model trained on the whole
    sample: the closest thing to how the suggestions will be judged."""
    book = load_codebook(IS_BOOK)
    train, test = read_labelled(IS_ALL, book), read_labelled(path, book)
    return ["### Another writer", "", *unseen_writer(book, train, test, path.name, "another writer")]


def unseen_writer(book, train: LabelledData, test: LabelledData, name: str, aim: str) -> list[str]:
    """Train on all of ``train``, score ``test``: five study codes (when the codebook has them)
    and every code, trained and codebook-only, with precision and low-confidence shares."""
    five_codes = tuple(c for c in FIVE if c in test.codes)
    what = f"trained on all {len(train)}, tested on {len(test)} responses of `{name}`"
    nine = train_test(book, train, test)
    out = []
    if len(five_codes) == len(FIVE):
        five = train_test(book, only(train, FIVE), only(test, FIVE))
        kappas = [five["codes"][c]["kappa"] for c in FIVE]
        AIMS[aim] = (
            f"five-code macro-F1 {f2(five['macro_f1'])} (aim 0.80); lowest kappa {f2(min(kappas))}, "
            f"{sum(k >= 0.70 for k in kappas)} of 5 at 0.70 or more (aim: all); codebook-only "
            f"{f2(five['cold_start']['macro_f1'])}, trained minus codebook-only "
            f"{f2(five['macro_f1'] - five['cold_start']['macro_f1'])} (aim 0.05)")
        out += [f"**five study codes** ({what}): macro-F1 {f2(five['macro_f1'])}, micro-F1 "
                f"{f2(five['micro_f1'])}, exactly right {f2(five['exact_share'])}; codebook only "
                f"macro-F1 {f2(five['cold_start']['macro_f1'])}.", "", *code_table(five), ""]
    else:
        AIMS[aim] = (f"macro-F1 {f2(nine['macro_f1'])}; codebook-only "
                     f"{f2(nine['cold_start']['macro_f1'])}")
    out += [f"**all {len(nine['codes'])} codes** ({what}): macro-F1 {f2(nine['macro_f1'])}, "
            f"micro-F1 {f2(nine['micro_f1'])}, exactly right {f2(nine['exact_share'])}; codebook "
            f"only {f2(nine['cold_start']['macro_f1'])}.", "", *code_table(nine), ""]
    return out


def heldout() -> list[str]:
    """The frozen writers, scored once: trained on the whole of each sample."""
    out = ["### Frozen held-out writers (scored once, at the end of the round)", "",
           f"Protocol: each file was written and committed before any change to the suggester for "
           f"issue 13 and never used to choose a feature, keyword or parameter; this run scores "
           f"them once, at code commit `{git('rev-parse', '--short', 'HEAD')}` "
           f"({git('log', '-1', '--format=%cd', '--date=iso')}), on "
           f"{platform.node() or 'this machine'} ({platform.machine()}, "
           f"{platform.system()}). Each model is trained on the whole of its sample.", "",
           CAVEAT, ""]
    for bookpath, train_path, path in HELDOUT:
        book = load_codebook(bookpath)
        train, test = read_labelled(train_path, book), read_labelled(path, book)
        frozen = git("log", "--diff-filter=A", "--format=%h", "--", str(path.relative_to(ROOT)))
        out += [f"#### `{path.relative_to(ROOT)}` (frozen at `{frozen}`)", "",
                *unseen_writer(book, train, test, path.name, f"frozen writer {path.name}")]
    return out


TRIED = [
    "### Tried for issue 13 and dropped (three-writer splits, five study codes)", "",
    "Each was measured against the same code without it, worst writer and mean over the three "
    "splits; none was kept, because none raised the worst writer beyond noise (about 0.015 on "
    "160 responses):", "",
    "- prior features weighted x2 / x3 against the learnt words (regularising towards the "
    "codebook): worst writer unchanged / -0.007, mean -0.005 / -0.014;",
    "- thresholds chosen for F-beta with beta 0.7 (precision first): worst writer -0.046 (that "
    "writer is under-coded, not over-coded);",
    "- ridge penalty 2 instead of 1: worst -0.019, mean -0.010;",
    "- prior half-life 16 positives instead of 8: worst -0.014;",
    "- self-training on the test writer's own uncoded texts (pseudo-labels at 0.5 and 0.8 of the "
    "way from the bar, weight 0.5 / 1): worst +0.004 to +0.017 but mean -0.03, precision "
    "collapsing on two codes (0.5-0.6);",
    "- the best sentence alone (share 1.0) instead of half and half: more codes per long answer, "
    "not fewer, on this sample.", ""]
CAVEAT = (
    "Not independent of the issue's text: writer 4 was asked to include the kinds of sentence the "
    "issue names (\"cannot interpret\", \"would not scare me off\", \"anxiety is rare but "
    "real\", \"it didn't really mean a lot to me\", \"I would not forget my medication\"), "
    "and issue 13's negation work (negative keywords such as \"cannot interpret\" and \"not "
    "mean\", the \"rare but real\" rule) targets the same sentences, so about five of its 156 "
    "responses are ones the round's changes were aimed at. No keyword, word list or parameter "
    "was chosen by looking at the file; the synonyms, lexicon and sentence share were chosen on "
    "the three sample writers (above).")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def synthetic(data: LabelledData, n: int, seed: int) -> tuple[list[str], list[frozenset[str]]]:
    """n distinct responses, each a sample response plus the first sentence of another (labels
    united), so training sets larger than the sample are not duplicates a kernel can shortcut."""
    rng = random.Random(seed)
    texts, labels = [], []
    sets = data.label_sets()
    for _ in range(n):
        a, b = rng.randrange(len(data)), rng.randrange(len(data))
        first = re.split(r"(?<=[.!?])\s", data.texts[b], maxsplit=1)[0]
        texts.append(f"{data.texts[a]} {first}")
        labels.append(sets[a] | sets[b])
    return texts, labels


def timed(fn, repeat: int = 1) -> tuple[float, float]:
    """Best wall and CPU seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def speed(quick: bool) -> list[str]:
    book = load_codebook(IS_BOOK)
    data = read_labelled(IS_ALL, book)
    texts, labels = synthetic(data, 2000, seed=1)
    FittedModel(book).suggest("warm up the pipeline")
    fitted: list[FittedModel] = []
    first_wall, first_cpu = timed(lambda: fitted.append(fit_model(book, texts, labels)))
    wall, cpu = timed(lambda: fitted.append(fit_model(book, texts, labels)), repeat=3)
    suggester = fitted[-1]
    out = ["### Speed", "", "| what | wall seconds | CPU seconds |", "|---|---:|---:|",
           f"| train on 2,000 labelled responses, texts not yet analysed | {first_wall:.2f} | {first_cpu:.2f} |",
           f"| retrain on the same 2,000 (analyses cached, as in the TUI), best of 3 | {wall:.2f} | {cpu:.2f} |"]
    probes, _ = synthetic(data, 300, seed=2)
    probes = [f"{t} (probe {i})" for i, t in enumerate(probes)]
    latencies = []
    for text in probes:
        start = time.perf_counter()
        suggester.suggest(text)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    AIMS["speed"] = (f"train on 2,000 {first_wall:.2f} s first time, {wall:.2f} s retrain (aim < 2 s); one "
                     f"suggestion {1000 * statistics.median(latencies):.1f} ms median (aim < 10 ms)")
    out.append(f"| one suggestion, new text, model ready: median / p95 of 300 | "
               f"{statistics.median(latencies):.4f} / {latencies[int(0.95 * len(latencies))]:.4f} | |")
    if not quick:
        many = [f"{data.texts[i % len(data)]} (respondent {i})" for i in range(100_000)]
        wall, cpu = timed(lambda: suggester.suggest_many(many))
        AIMS["speed"] += f"; 100,000 suggested in {wall:.0f} s (aim < 60 s)"
        out.append(f"| 100,000 responses suggested (one `suggest_many` call, evidence included) | "
                   f"{wall:.1f} | {cpu:.1f} |")
    words = statistics.fmean(len(t.split()) for t in data.texts)
    return out + ["", f"Texts are the sample's responses (mean {words:.0f} words); the 2,000 training "
                  "responses are sample responses each extended by the first sentence of another.", ""]


def main() -> None:
    quick = "--quick" in sys.argv
    import numpy

    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    header = [
        "## Suggestions", "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `python benchmarks/bench_suggest.py "
        f"{' '.join(sys.argv[1:])}`; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"1-minute load average {load} at the start (the machine is shared).", ""]
    body = header + quality()
    if "--extra-test" in sys.argv:
        body += extra_test(Path(sys.argv[sys.argv.index("--extra-test") + 1]))
    if "--heldout" in sys.argv:
        body += heldout()
    body += TRIED
    body += speed(quick)
    body += ["### Against the aims of issue 13", "", *[f"- {k}: {v}." for k, v in AIMS.items()], ""]
    text = "\n".join(body).rstrip() + "\n"
    print(text)
    if "--write" in sys.argv:
        write_section(ROOT / "benchmarks" / "RESULTS.md", text)


def write_section(path: Path, section: str) -> None:
    """Replace (or append) the ``## Suggestions`` section, leaving every other section alone."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Suggestions\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: section + "\n", old) if pattern.search(old) else old.rstrip() + "\n\n" + section
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # as the training process has it (nothing else runs here)
        main()
