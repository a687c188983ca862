"""A new writer, scored before anyone tunes on it: does training on more writers help?

Run by hand:  python benchmarks/bench_new_writer.py samples/image-sharing/dev-writerN.csv [...]
                                                   [--writers 3,5,8,11,14,17,20]

Each file named (a development writer not yet folded into ``labelled.csv``) is scored on the five
study codes by models trained on growing parts of ``labelled.csv``: its first 3 writers (the
sample), then the first 5, 8, ... and all of it, in the order the writers joined the file. A new
writer is the closest thing to the writer who will judge the suggestions, and the growing
training sets say whether varied voices, rather than more parameters, are what carry a model to
a writer it has never seen (``benchmarks/RESULTS.md``, "More writers, not more parameters").
Nothing is tuned here: the writer's figures are read once, before its rows join the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_suggest import FIVE, IS_BOOK, joined, labelled_writers, only  # noqa: E402

from codewell.codebook import load_codebook  # noqa: E402
from codewell.suggest.evaluate import train_test  # noqa: E402
from codewell.suggest.labelled import read_labelled  # noqa: E402


def main() -> None:
    argv = sys.argv[1:]
    counts = [3, 5, 8, 11, 14, 17, 20]
    if "--writers" in argv:
        at = argv.index("--writers")
        counts = [int(n) for n in argv[at + 1].split(",")]
        del argv[at:at + 2]
    book = load_codebook(IS_BOOK)
    writers = [only(data, FIVE) for _, data in labelled_writers(book)]
    counts = [n for n in counts if n < len(writers)] + [len(writers)]
    print("| new writer | trained on | responses | macro-F1 | codebook only | lowest kappa "
          "| understanding precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for path in argv:
        test = only(read_labelled(path, book), FIVE)
        for count in counts:
            train = joined(writers[:count], f"first {count} writers")
            report = train_test(book, train, test)
            kappas = [report["codes"][c]["kappa"] for c in FIVE]
            print(f"| {Path(path).stem} | {count} writers | {len(train)} | {report['macro_f1']:.3f} "
                  f"| {report['cold_start']['macro_f1']:.3f} | {min(kappas):.2f} "
                  f"| {report['codes']['understanding']['precision']:.2f} |")


if __name__ == "__main__":
    main()
