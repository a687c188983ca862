"""Suggestion quality and speed: across writers, frozen held-out writers, cold start, speed.

Run by hand:  python benchmarks/bench_suggest.py [--quick] [--write] [--heldout]
``--write`` replaces the ``## Suggestions`` section of benchmarks/RESULTS.md (and only it).
``--quick`` skips the 100,000-response run. ``--heldout`` also scores the frozen held-out writers
(``FROZEN`` below: image-sharing writer 5, patient-feedback writer 2), trained on everything the
study has for development: run it once, at the end of a round, after every parameter is fixed;
the section records the commit it ran at. Nothing in the code may be chosen by looking at those
figures (samples/image-sharing/README.md).

Quality is judged the way it will be scored, on responses by other writers. Development is
leave-one-writer-out over the image-sharing development writers, all in ``labelled.csv`` and told
apart by their ids (``writer_of``): the sample's three blocks (three different people), writer 4
(frozen for one round, a development writer since) and writers 6 to 24. Each is tested by a model
trained on all the others, listed worst writer first; the worst writer, not the mean, is what a change has to raise. K-fold figures
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
# Frozen before any tuning of their round; scored only with --heldout (see the module docstring).
# Each is (codebook, training files, frozen file): image-sharing trains on every development writer
# (all in labelled.csv), patient-feedback on its sample.
FROZEN = ((IS_BOOK, (IS_ALL,), ROOT / "samples" / "image-sharing" / "heldout-writer5.csv"),
          (PF_BOOK, (PF_ALL,), ROOT / "samples" / "patient-feedback" / "heldout-writer2.csv"))
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


def joined(parts: list[LabelledData], name: str) -> LabelledData:
    """Several labelled sets (same codes) as one."""
    import numpy as np

    return LabelledData(name, tuple(i for d in parts for i in d.ids),
                        tuple(t for d in parts for t in d.texts), parts[0].codes,
                        np.vstack([d.gold for d in parts]))


def writer_of(rid: str) -> str:
    """The development writer of a response id in ``labelled.csv``: the sample's three blocks by
    number (IS001-IS170, ...), every later writer by its prefix (``HW4-012`` is writer 4, frozen
    for one round under that prefix; ``DW7-003`` is dev-writer7)."""
    if rid.startswith("IS"):
        return next(f"{first}-{last}" for first, last in WRITERS if first <= rid <= last)
    prefix = rid.split("-", 1)[0]
    return "writer 4" if prefix == "HW4" else f"dev-writer{prefix[2:]}"


def labelled_writers(book) -> list[tuple[str, LabelledData]]:
    """The writers of ``labelled.csv``, named, one labelled set each, in the order they joined it."""
    data = read_labelled(IS_ALL, book)
    names = list(dict.fromkeys(writer_of(rid) for rid in data.ids))
    return [(name, subset(data, [i for i, rid in enumerate(data.ids) if writer_of(rid) == name],
                          name)) for name in names]


def development(book) -> list[tuple[str, LabelledData]]:
    """The development writers: those of ``labelled.csv``, then any ``dev-*.csv`` file not yet
    folded into it (a writer under trial)."""
    found = labelled_writers(book)
    for path in sorted(IS_ALL.parent.glob("dev-*.csv")):
        trial = read_labelled(path, book)
        found.append((writer_of(trial.ids[0]), trial))
    return found


def by_writer(writers: list[tuple[str, LabelledData]]) -> list[tuple[str, LabelledData, LabelledData]]:
    """(writer's name, every other writer's responses, this writer's responses) for each writer."""
    splits = []
    for k, (name, mine) in enumerate(writers):
        others = joined([w for j, (_, w) in enumerate(writers) if j != k], f"not {name}")
        splits.append((name, others, mine))
    return splits


def only(data: LabelledData, codes: tuple[str, ...]) -> LabelledData:
    """The same responses labelled with ``codes`` alone."""
    keep = [data.codes.index(c) for c in codes]
    return LabelledData(data.path, data.ids, data.texts, codes, data.gold[:, keep])


AIMS: dict[str, str] = {}


def quality() -> list[str]:
    book = load_codebook(IS_BOOK)
    both = read_labelled(IS_ALL, book)
    splits = by_writer(development(book))
    reports = [(writer, train, test, train_test(book, only(train, FIVE), only(test, FIVE)),
                train_test(book, train, test)) for writer, train, test in splits]
    reports.sort(key=lambda r: r[3]["macro_f1"])
    worst, best = reports[0], reports[-1]
    out = ["### Development: leave one writer out (image-sharing, five study codes)", "",
           f"{len(splits)} development writers, all in `labelled.csv`: the sample's three blocks, "
           "writer 4 (frozen for one round, reported once, a development writer since) and "
           "writers 6 to 24. Each is tested by a model trained on all the others; every parameter "
           "was chosen on these splits, by the worst writer, so they flatter. The frozen writers "
           "below are the honest figure.", "",
           "| writer (worst first) | trained on | tested | five-code macro-F1 | codebook only | "
           "lowest kappa | kappas (U / C / A / ID / Anx) | precision | recall | all nine codes |",
           "|---|---:|---:|---:|---:|---:|---|---|---|---:|"]
    for writer, train, test, five, nine in reports:
        kappas = [five["codes"][c]["kappa"] for c in FIVE]
        out.append(f"| {writer} | {len(train)} | {len(test)} | {f2(five['macro_f1'])} | "
                   f"{f2(five['cold_start']['macro_f1'])} | {f2(min(kappas))} | "
                   + " / ".join(f2(k) for k in kappas) + " | "
                   + " / ".join(f2(five["codes"][c]["precision"]) for c in FIVE) + " | "
                   + " / ".join(f2(five["codes"][c]["recall"]) for c in FIVE)
                   + f" | {f2(nine['macro_f1'])} |")
        AIMS[f"development, test on {writer}"] = (
            f"five-code macro-F1 {f2(five['macro_f1'])} (aim 0.80); lowest kappa {f2(min(kappas))}, "
            f"{sum(k >= 0.70 for k in kappas)} of 5 at 0.70 or more (aim: all); trained minus "
            f"codebook-only {f2(five['macro_f1'] - five['cold_start']['macro_f1'])} (aim 0.05)")
    out += ["", f"Worst writer ({worst[0]}) {f2(worst[3]['macro_f1'])}, best ({best[0]}) "
            f"{f2(best[3]['macro_f1'])}, mean {f2(statistics.fmean(r[3]['macro_f1'] for r in reports))}.",
            "", f"**worst writer, {worst[0]}, all nine codes** ({len(worst[1])} training responses): "
            f"macro-F1 {f2(worst[4]['macro_f1'])}, exactly right on {f2(worst[4]['exact_share'])}; "
            f"codebook only {f2(worst[4]['cold_start']['macro_f1'])}.", "", *code_table(worst[4]), ""]
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
    """The frozen writers, scored once: trained on everything each study has for development."""
    out = ["### Frozen held-out writers (scored once, at the end of the round)", "",
           f"Protocol: each file was written and committed before any change to the suggester in "
           f"its round and never used to choose a feature, keyword or parameter; parameters were "
           f"chosen by leave-one-writer-out over the development writers (above), by the worst "
           f"writer. This run scores them once, at code commit "
           f"`{git('rev-parse', '--short', 'HEAD')}` ({git('log', '-1', '--format=%cd', '--date=iso')}), "
           f"on {platform.node() or 'this machine'} ({platform.machine()}, {platform.system()}).",
           "", CAVEAT, ""]
    for bookpath, train_paths, path in FROZEN:
        book = load_codebook(bookpath)
        train = joined([read_labelled(t, book) for t in train_paths], "development")
        test = read_labelled(path, book)
        frozen = git("log", "--diff-filter=A", "--format=%h", "--", str(path.relative_to(ROOT)))
        sources = " + ".join(f"`{t.name}`" for t in train_paths)
        out += [f"#### `{path.relative_to(ROOT)}` (frozen at `{frozen}`, trained on {sources})", "",
                *unseen_writer(book, train, test, path.name, f"frozen writer {path.name}")]
    return out


TRIED = [
    "### Tried in this round (leave one development writer out, five study codes)", "",
    "Each against the same code without it: worst development writer first, then the second "
    "worst, then the mean over the four. A 160-response writer moves a macro-F1 by about "
    "0.02-0.03 with nothing changed but the threshold a retrain lands on, so none of these "
    "differences, kept or dropped, is beyond noise:", "",
    "- kept: word n-grams used in one training text only are dropped once there are 100 texts "
    "(worst 0.636 -> 0.656, mean 0.777 -> 0.777, but the second worst writer 0.734 -> 0.707); "
    "the if/when negation rule (a correctness fix for the issue's example, kept although the "
    "worst writer moved 0.656 -> 0.644, all of it one threshold landing 0.05 lower on "
    "interpretation difficulty); held-out scores for calibration and thresholds that leave each "
    "response out with its 3 nearest neighbours in the kernel, a writer-free stand-in for "
    "leaving its writer out (worst 0.644 -> 0.647, second worst 0.700 -> 0.722, mean 0.769 -> "
    "0.775; 10 neighbours 0.645 / 0.722 / 0.780). Together: worst 0.636 -> 0.647, second worst "
    "0.734 -> 0.722, mean 0.777 -> 0.775, which is within noise; the round did not find a change "
    "that lifts the worst writer clearly;",
    "- no character n-grams / half their weight: worst 0.641 / 0.634 (from 0.636);",
    "- prior features weighted x2 (regularising towards the codebook): worst 0.642, the third "
    "sample writer 0.734 -> 0.721;",
    "- the prior's weight kept higher (half-life 50 or 150 positives instead of 8): worst 0.638 / "
    "0.622 (the prior is under-confident on the implicit writer IS341-IS500: recall falls);",
    "- ridge penalty 0.5 / 1.5: worst 0.637 / 0.629; thresholds shrunk 10x harder toward 0.5: 0.609;",
    "- a response's best sentence alone (share 0.8) / whole response only (share 0): 0.622 / 0.640;",
    "- stop words left out of the word block (to keep filler out of the model): worst 0.611, mean "
    "0.751 (filler carries style the model uses; evidence already hides stop-word n-grams);",
    "- word unigrams only: worst 0.653, mean 0.771;",
    "- the codebook's examples counted 3 / 5 / 10 times: 0.649-0.671 depending on whether the "
    "prior's profile repeats them too, not stable enough to keep;",
    "- over-coding of long answers was checked first and is not there on these writers: 60+ "
    "words, 2.95 codes predicted per response against 3.04 true (precision 0.85, recall 0.83).", ""]
CAVEAT = (
    "Not independent of the round: writer 5 was written by the same engineer who then tuned the "
    "suggester, in the same session, before any code change. Its voice (ward and community "
    "nurses telling stories, terse radiographers and sonographers with typos and shorthand, "
    "physiotherapists) was chosen to differ from the development writers; no keyword, synonym "
    "or example in the codebook was changed this round, so nothing the author knew of the file "
    "could enter through the codebook. The three kept changes are generic (a word must occur in "
    "two training texts; negation in an if/when clause ends at the main clause's subject; "
    "thresholds from neighbour-out held-out scores); a few of "
    "writer 5's answers have an if/when clause with a negation (\"If not, they need someone "
    "with them\"). Patient-feedback writer 2 was frozen in the previous round and scored once "
    "then (macro-F1 0.76 over ten codes); this round changed nothing for that study and looked "
    "at nothing of it, so this is its second, again unlooked-at, score.")


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
