"""Leave one development writer out, quickly: the loop every suggester change is judged by.

Run by hand:  python benchmarks/bench_lowo.py [--no-sim] [--orders N] [--jobs N] [--json FILE]
                                              [--set module.NAME=value ...] [--without NAME ...]

Each image-sharing development writer (the sample's three blocks, writer 4 and every other
``samples/image-sharing/dev-*.csv``) is tested, on the five study codes, by a model trained on all
the others, and also by the codebook alone. Per writer it prints macro-F1, codebook-only
macro-F1, each code's F1 and kappa, and (unless ``--no-sim``) "after 30 coded responses of a new
study, exactly right on the next 20": the writer's own responses replayed in file order, as a
coder starting the study would meet them; ``--orders N`` adds the same figure averaged over N
random orders of the writer's responses (twenty responses move it in steps of 0.05). Writers are listed worst first; a change is kept only
when it lifts the worst writer (then the mean).

``--set codewell.suggest.model.SENTENCE_SHARE=0.3`` overrides a module constant for this run (in
every worker), so a parameter is tried without editing the code. ``--without dev-writer7`` leaves
a writer out altogether (neither trained on nor tested), to see what adding a writer does to the
others. The frozen ``heldout-*`` files
are never read here.
"""

from __future__ import annotations

import importlib
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_suggest import FIVE, IS_BOOK, by_writer, development, only  # noqa: E402

from codewell.codebook import load_codebook  # noqa: E402
from codewell.suggest.evaluate import simulate, train_test  # noqa: E402

SHORT = {"understanding": "U", "communication": "C", "adherence": "A",
         "interpretation_difficulty": "ID", "anxiety": "Anx"}


def writers(book, without: list[str]):
    """Every development writer (see ``bench_suggest.development``), named, but those ``without``
    names."""
    return [(name, data) for name, data in development(book) if name not in without]


def apply_settings(settings: list[str]) -> None:
    for item in settings:
        target, value = item.split("=", 1)
        module, name = target.rsplit(".", 1)
        setattr(importlib.import_module(module), name, json.loads(value))


def after_30(book, data, seed: int | None) -> float:
    """Share exactly right of responses 31-50 in file order (``seed`` None) or a random order,
    each suggested by a model trained on every response before it, as a coder retrains through
    the first fifty (what :func:`~codewell.suggest.evaluate.simulate` does, without the rest)."""
    import numpy as np

    from codewell.suggest import fit_model
    from codewell.suggest.evaluate import predict, restrict

    book = restrict(book, data.codes)
    order = list(range(len(data)))
    if seed is not None:
        np.random.default_rng(seed).shuffle(order)
    right = 0
    for i in range(30, 50):
        seen = order[:i]
        model = fit_model(book, [data.texts[j] for j in seen], data.label_sets(seen))
        shown = predict(model, [data.texts[order[i]]])[0]
        right += bool((shown == data.gold[order[i]].astype(bool)).all())
    return right / 20


def one_writer(args: tuple[int, list[str], list[str], bool, int]) -> dict:
    k, settings, without, sim, orders = args
    from threadpoolctl import threadpool_limits

    apply_settings(settings)
    book = load_codebook(IS_BOOK)
    name, train, test = by_writer(writers(book, without))[k]
    with threadpool_limits(limits=1, user_api="blas"):
        report = train_test(book, only(train, FIVE), only(test, FIVE))
        after = simulate(book, only(test, FIVE), "file", seed=0)["after_30"] if sim else None
        shuffled = [after_30(book, only(test, FIVE), seed) for seed in range(orders)]
    return {"writer": name, "n_train": len(train), "n_test": len(test),
            "macro": report["macro_f1"], "codebook": report["cold_start"]["macro_f1"],
            "codes": {c: {m: report["codes"][c][m] for m in ("f1", "kappa", "precision", "recall")}
                      for c in FIVE},
            "codebook_codes": {c: report["cold_start"]["codes"][c]["f1"] for c in FIVE},
            "shown": report["shown"],
            "after30": None if after is None else after["exact_share_next20"],
            "after30_rest": None if after is None else after["exact_share_rest"],
            "after30_random": statistics.fmean(shuffled) if shuffled else None}


def table(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: r["macro"])
    head = ("| writer (worst first) | tested | macro-F1 | codebook only | F1 (U / C / A / ID / Anx) "
            "| kappa (U / C / A / ID / Anx) | after 30: next 20 exact |")
    out = [head, "|---|---:|---:|---:|---|---|---:|"]
    for r in rows:
        f1 = " / ".join(f"{r['codes'][c]['f1']:.2f}" for c in FIVE)
        kap = " / ".join(f"{r['codes'][c]['kappa']:.2f}" for c in FIVE)
        after = "-" if r["after30"] is None else f"{r['after30']:.2f}"
        out.append(f"| {r['writer']} | {r['n_test']} | {r['macro']:.3f} | {r['codebook']:.3f} | "
                   f"{f1} | {kap} | {after} |")
    macros = [r["macro"] for r in rows]
    out.append("")
    out.append(f"worst {macros[0]:.3f} ({rows[0]['writer']}), second {macros[1]:.3f}, "
               f"mean {statistics.fmean(macros):.3f}, best {macros[-1]:.3f}; lowest kappa "
               f"{min(r['codes'][c]['kappa'] for r in rows for c in FIVE):.2f}; trained minus "
               f"codebook-only, worst writer {rows[0]['macro'] - rows[0]['codebook']:.3f}")
    out.append("codebook-only F1 (U / C / A / ID / Anx): " + "; ".join(
        r["writer"] + " " + " / ".join(f"{r['codebook_codes'][c]:.2f}" for c in FIVE) for r in rows))
    out.append("precision when shown, suggested (n) / tentative (n): " + ", ".join(
        f"{r['writer']} {r['shown']['suggested']:.2f} ({r['shown']['n_suggested']}) / "
        f"{r['shown']['tentative']:.2f} ({r['shown']['n_tentative']})" for r in rows))
    if rows[0]["after30"] is not None:
        out.append("after 30, next 20 exact (file order; rest): " + ", ".join(
            f"{r['writer']} {r['after30']:.2f}; {r['after30_rest']:.2f}" for r in rows))
    if rows[0]["after30_random"] is not None:
        out.append("after 30, next 20 exact, mean of random orders: " + ", ".join(
            f"{r['writer']} {r['after30_random']:.2f}" for r in rows)
            + f"; worst {min(r['after30_random'] for r in rows):.2f}, mean "
            f"{statistics.fmean(r['after30_random'] for r in rows):.3f}")
    return "\n".join(out)


def main() -> None:
    argv = sys.argv[1:]
    settings = [argv[i + 1] for i, a in enumerate(argv) if a == "--set"]
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 2
    sim = "--no-sim" not in argv
    orders = int(argv[argv.index("--orders") + 1]) if "--orders" in argv else 0
    without = [argv[i + 1] for i, a in enumerate(argv) if a == "--without"]
    apply_settings(settings)
    count = len(writers(load_codebook(IS_BOOK), without))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(one_writer, [(k, settings, without, sim, orders)
                                          for k in range(count)]))
    print(("settings: " + " ".join(settings)) if settings else "settings: as committed")
    if without:
        print("left out: " + ", ".join(without))
    print(table(rows))
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
