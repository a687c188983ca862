"""After 30 coded answers of a new study: the coder's own thirty alone, or with a reference set.

Run by hand:  python benchmarks/bench_reference.py [--orders N] [--jobs N] [--later N]

Each image-sharing development writer (see ``bench_suggest.development``) plays a new study on
the five study codes. Over N random orders of the writer's answers (default 3), a model is
trained on the first 30 and suggests the next 20, which are scored "exactly right" (every code as
the writer coded it), three ways: the thirty alone (a study without a reference, today's cold
start), the other writers alone as the reference with no answer of its own coded yet, and the
thirty with the other writers as the study's reference set (``codewell reference``). The model
is trained once at 30 for all of the next 20, where the coding screen retrains as it goes, so
every figure is a little below what a coder meets. Nothing is tuned here, and the frozen
``heldout-*`` files are never read.

``--later N`` asks whether the reference still helps once the coder has coded N answers (one
random order): macro-F1 and exactly-right share on the writer's remaining answers, trained on the
N alone and on the N with the reference.
"""

from __future__ import annotations

import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_suggest import FIVE, IS_BOOK, by_writer, development, only  # noqa: E402

from codewell.codebook import load_codebook  # noqa: E402

SEEN, NEXT = 30, 20
WAYS = ("own 30 alone", "reference alone", "own 30 + reference")


def one_writer(args: tuple[int, int]) -> dict:
    k, orders = args
    import numpy as np
    from threadpoolctl import threadpool_limits

    from codewell.suggest import fit_model
    from codewell.suggest.evaluate import predict, restrict

    book = load_codebook(IS_BOOK)
    name, train, test = by_writer(development(book))[k]
    train, test = only(train, FIVE), only(test, FIVE)
    book = restrict(book, FIVE)
    reference = train.as_reference()
    right: dict[str, list[float]] = {way: [] for way in WAYS}
    with threadpool_limits(limits=1, user_api="blas"):
        alone = predict(fit_model(book, [], [], reference=reference), test.texts)
        for seed in range(orders):
            order = list(range(len(test)))
            np.random.default_rng(seed).shuffle(order)
            seen, shown = order[:SEEN], order[SEEN:SEEN + NEXT]
            texts, labels = [test.texts[i] for i in seen], test.label_sets(seen)
            gold = test.gold[shown].astype(bool)
            predictions = {
                WAYS[0]: predict(fit_model(book, texts, labels), [test.texts[i] for i in shown]),
                WAYS[1]: alone[shown],
                WAYS[2]: predict(fit_model(book, texts, labels, reference=reference),
                                 [test.texts[i] for i in shown])}
            for way, predicted in predictions.items():
                right[way].append(float((predicted == gold).all(axis=1).mean()))
    return {"writer": name, "n_reference": len(reference),
            **{way: statistics.fmean(values) for way, values in right.items()}}


def later_writer(args: tuple[int, int]) -> dict | None:
    k, n = args
    import numpy as np
    from threadpoolctl import threadpool_limits

    from codewell.suggest import fit_model
    from codewell.suggest.evaluate import predict, restrict, score

    book = load_codebook(IS_BOOK)
    name, train, test = by_writer(development(book))[k]
    train, test = only(train, FIVE), only(test, FIVE)
    book = restrict(book, FIVE)
    if len(test) < n + NEXT:
        return None
    order = list(range(len(test)))
    np.random.default_rng(0).shuffle(order)
    seen, rest = order[:n], order[n:]
    found = {"writer": name, "rest": len(rest)}
    with threadpool_limits(limits=1, user_api="blas"):
        for way, reference in (("own", None), ("own + reference", train.as_reference())):
            model = fit_model(book, [test.texts[i] for i in seen], test.label_sets(seen), reference=reference)
            scored = score(test.gold[rest], predict(model, [test.texts[i] for i in rest]), FIVE)
            found[way] = (scored["macro_f1"], scored["exact_share"])
    return found


def later_table(rows: list[dict], n: int) -> str:
    rows = sorted(rows, key=lambda r: r["own + reference"][0] - r["own"][0])
    out = [f"| writer (least helped first) | rest | own {n}: macro-F1 / exact | own {n} + reference: macro-F1 / exact |",
           "|---|---:|---|---|"]
    out += [f"| {r['writer']} | {r['rest']} | {r['own'][0]:.3f} / {r['own'][1]:.2f} | "
            f"{r['own + reference'][0]:.3f} / {r['own + reference'][1]:.2f} |" for r in rows]
    for i, what in ((0, "macro-F1"), (1, "exactly right")):
        gain = [r["own + reference"][i] - r["own"][i] for r in rows]
        out.append(f"{what}, reference minus own alone: mean {statistics.fmean(gain):+.3f}, least "
                   f"{min(gain):+.3f}, most {max(gain):+.3f} ({len(rows)} writers)")
    return "\n".join(out)


def table(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: r[WAYS[2]])
    out = ["| writer (worst with a reference first) | " + " | ".join(WAYS) + " |",
           "|---|" + "---:|" * len(WAYS)]
    out += [f"| {r['writer']} | " + " | ".join(f"{r[way]:.2f}" for way in WAYS) + " |" for r in rows]
    out.append("")
    for way in WAYS:
        values = [r[way] for r in rows]
        out.append(f"{way}: worst {min(values):.2f}, mean {statistics.fmean(values):.3f}, best "
                   f"{max(values):.2f}; writers at 0.50 or more: {sum(v >= 0.5 for v in values)} of {len(values)}")
    return "\n".join(out)


def main() -> None:
    argv = sys.argv[1:]
    orders = int(argv[argv.index("--orders") + 1]) if "--orders" in argv else 3
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 2
    count = len(development(load_codebook(IS_BOOK)))
    if "--later" in argv:
        n = int(argv[argv.index("--later") + 1])
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            found = [r for r in pool.map(later_writer, [(k, n) for k in range(count)]) if r]
        print(f"after {n} coded (one random order), on the rest of each writer's answers")
        print(later_table(found, n))
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(one_writer, [(k, orders) for k in range(count)]))
    print(f"after {SEEN} coded, exactly right on the next {NEXT}; mean of {orders} random orders")
    print(table(rows))


if __name__ == "__main__":
    main()
