"""What ``codewell evaluate`` and ``codewell suggest`` print: plain functions the Typer app wires in.

Each takes plain values and returns the text to print (a table for people, stable JSON for
scripts), raising a :class:`~codewell.errors.CodewellError` on bad input. The JSON layout is
documented in the README; keys are only ever added.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codewell.errors import CodewellError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import CodeSuggestion, Response

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.suggest.batch import ScoredChunk

# Points of the learning curve shown in the text report (the JSON has every point).
CURVE_POINTS = (10, 20, 30, 50, 75, 100, 150, 200, 300, 500)


def run_evaluate(train: Path, test: Path | None, codebook: Path, codes: list[str] | None,
                 cv: int | None, simulate: bool, order: str, seed: int, as_json: bool,
                 train_as_reference: bool = False) -> str:
    """Train on TRAIN and score on TEST (or K-fold cross-validate TRAIN); the report as text."""
    from codewell.codebook import load_codebook
    from codewell.suggest import evaluate
    from codewell.suggest.labelled import read_labelled
    from codewell.suggest.service import run_alone
    from codewell.suggest.ordering import ORDERS

    if order not in ORDERS:
        raise UnknownNameError(f"unknown order '{order}' (one of {', '.join(ORDERS)})",
                               did_you_mean(order, ORDERS))
    if test is None and cv is None:
        raise CodewellError("give a TEST file to score on, or --cv K to cross-validate TRAIN")
    if test is not None and cv is not None:
        raise CodewellError("give either a TEST file or --cv K, not both")
    if train_as_reference and (test is None or not simulate):
        raise CodewellError("--reference simulates a study of TEST with TRAIN as its reference: "
                            "give a TEST file and --simulate")
    book = load_codebook(codebook)
    train_data = read_labelled(train, book, codes)
    test_data = read_labelled(test, book, codes) if test is not None else None
    if cv is not None and not 2 <= cv <= len(train_data):
        raise CodewellError(f"--cv must be between 2 and the {len(train_data)} responses of {train}")
    if test_data is not None and not [c for c in train_data.codes if c in test_data.codes]:
        raise CodewellError(f"{train} and {test} label no code in common")
    report = run_alone(evaluate.evaluate_labelled, book, train_data, test_data, int(cv or 0),
                       order if simulate else None, seed, train_as_reference)
    report = {"train": str(train), "test": None if test is None else str(test), "cv": cv, **report}
    report["warnings"] = list(dict.fromkeys(
        [*train_data.warnings, *(test_data.warnings if test_data is not None else ()),
         *_not_held_out(train_data, test_data)]))
    return json.dumps(_clean(report), indent=2, ensure_ascii=False) if as_json else _evaluate_text(report)


def _not_held_out(train: Any, test: Any) -> list[str]:
    """TEST given as TRAIN, or a TEST whose responses (same id and text), all or some, are in
    TRAIN, is scored by a model that learnt their labels: the figures would read as held out when
    they are not."""
    if test is None:
        return []
    if Path(test.path).resolve() == Path(train.path).resolve():
        return [f"{test.path} is both TRAIN and TEST: every score is on responses the model was trained "
                "on, not held out (--cv K holds out part of one file)"]
    seen = {(rid, " ".join(text.split())) for rid, text in zip(train.ids, train.texts)}
    shared = [rid for rid, text in zip(test.ids, test.texts) if (rid, " ".join(text.split())) in seen]
    if len(test) and len(shared) == len(test):
        return [f"every response of {test.path} is also in {train.path} (same id and text): every score is "
                "on responses the model was trained on, not held out (--cv K holds out part of one file)"]
    if shared:
        listed = ", ".join(shared[:5]) + (", ..." if len(shared) > 5 else "")
        return [f"{len(shared)} of the {len(test)} responses of {test.path} are also in {train.path} (same "
                f"id and text: {listed}): their scores are not held out, so the figures read better than "
                "they are; remove them from one file"]
    return []


def render_suggestions(items: Sequence[tuple[Response, Sequence[CodeSuggestion]]],
                       as_json: bool) -> str:
    """Suggestions per response: every code with its probability in JSON, suggested ones in text."""
    if as_json:
        return json.dumps({"responses": [
            {"id": response.id, "text": response.text,
             "suggestions": [_suggestion_dict(s) for s in suggestions]}
            for response, suggestions in items
        ]}, indent=2, ensure_ascii=False)
    lines: list[str] = []
    for response, suggestions in items:
        lines.append(f"{response.id}  {_clip(response.text, 72)}")
        chosen = [s for s in suggestions if s.suggested]
        width = max((len(s.code) for s in chosen), default=0)
        for s in sorted(chosen, key=lambda s: -s.probability):
            lines.append(f"  {s.code.ljust(width)}  {s.probability:.2f}  {s.reason}".rstrip())
        if not chosen:
            lines.append("  (no code suggested)")
    return "\n".join(lines) if lines else "No responses to suggest codes for."


OUTPUT_SUFFIXES = (".csv", ".parquet")


def write_suggestions(project: Project, coder: str | None, limit: int | None, path: Path) -> int:
    """``suggest -o``: one row per response ``coder`` has not finished, streamed from the store
    and scored on every core (:meth:`Project.batch_suggestions`), with a progress bar on stderr
    (drawn on a terminal only). Returns the number of rows written."""
    import typer

    check_output(path)

    def write(codes: tuple[str, ...], count: int, chunks: Iterator[ScoredChunk]) -> int:
        with typer.progressbar(length=count, label="suggesting", file=sys.stderr) as bar:
            return write_scored(path, codes, chunks, bar.update)

    return project.batch_suggestions(coder, write, limit=limit)


def write_scored(path: Path, codes: Sequence[str], chunks: Iterable[ScoredChunk],
                 advance: Callable[[int], None] = lambda n: None) -> int:
    """Write one row per response (id, each code's probability to 4 places, the suggested codes
    joined by ";") to a CSV or Parquet file, chunk by chunk; ``advance`` hears how many rows
    each chunk wrote. The file appears whole or not at all. Returns the number of rows."""
    from codewell.io.atomic_file import atomic_output

    suffix = check_output(path)
    columns = ["id", *(f"p_{c}" for c in codes), "suggested"]
    written = 0
    joined = _CodeSets(codes)
    with atomic_output(path) as tmp:
        sink = _CsvSink(tmp, columns) if suffix == ".csv" else _ParquetSink(tmp, columns)
        try:
            for chunk in chunks:
                sink.write([r.id for r in chunk.responses], chunk.probabilities.round(4),
                           joined(chunk.suggested))
                written += len(chunk.responses)
                advance(len(chunk.responses))
        finally:
            sink.close()
    return written


class _CodeSets:
    """The suggested codes of each row joined by ";", each distinct set of codes joined once:
    a batch has few distinct sets, and joining per row was most of writing a row's cells."""

    def __init__(self, codes: Sequence[str]) -> None:
        self._codes = list(codes)
        self._joined: dict[tuple[bool, ...], str] = {}

    def __call__(self, suggested: Any) -> list[str]:
        """Per row of ``suggested`` (n, k) booleans, its codes joined."""
        rows = list(map(tuple, suggested.tolist()))
        for row in set(rows).difference(self._joined):
            self._joined[row] = ";".join(c for c, on in zip(self._codes, row, strict=True) if on)
        return list(map(self._joined.__getitem__, rows))


def check_output(path: Path) -> str:
    """The output's suffix, or a clear error before any work is done (a wrong extension, a
    folder, a missing folder): training and scoring 100,000 responses first would waste them."""
    from codewell.io.atomic_file import check_writable

    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise CodewellError(f"{path}: suggestions are written as .csv or .parquet, not "
                            f"'{path.suffix or 'no extension'}'", hint="e.g. -o suggestions.csv")
    check_writable(path)
    return suffix


class _CsvSink:
    """Rows as the csv module writes them (minimal quoting, ``\r\n``), formatted a column at a
    time: a probability rounded to 4 places is one of 10,001 values, so its text is looked up
    rather than made per cell, and a row is one ``join``. This runs in the command's own
    process, beside the scoring processes on the same cores (the csv module cost 1-3 CPU s per
    100,000 rows). A chunk the lookup cannot read exactly (a cell needing quotes, a value off
    the grid) goes through the csv module as before."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        import csv

        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(columns)

    def write(self, ids: list[str], probabilities: Any, suggested: list[str]) -> None:
        from codewell.io.safety import neutralise

        # An id such as +3-1 or =cmd|... is a formula to a spreadsheet; only such a first character can make one.
        ids = [neutralise(rid) if rid[:1] in "=+-@ \t\r\n" else rid for rid in ids]
        cells = _probability_cells(probabilities)
        if cells is None or _NEEDS_QUOTES.search("".join(ids)) or _NEEDS_QUOTES.search("".join(suggested)):
            self._writer.writerows([rid, *row, codes] for rid, row, codes
                                   in zip(ids, probabilities.tolist(), suggested, strict=True))
        elif ids:
            self._file.write("\r\n".join(map(",".join, zip(ids, *cells, suggested, strict=True))))
            self._file.write("\r\n")

    def close(self) -> None:
        self._file.close()


# A cell the csv module would quote (minimal quoting: the delimiter, the quote, a line break).
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


@functools.cache
def _grid() -> Any:
    """The text of k / 10,000 for k = 0..10,000, as ``str`` gives it (what the csv module
    writes): every probability rounded to 4 places is one of these floats."""
    import numpy as np

    cells = np.empty(10_001, dtype=object)
    cells[:] = [str(k / 10_000) for k in range(10_001)]
    return cells


def _probability_cells(rounded: Any) -> list[list[str]] | None:
    """Per column of ``rounded`` (n, k), already rounded to 4 places, each cell's text; None
    when a value is not exactly k / 10,000 for a k in 0..10,000 (NaN, out of range, -0.0)."""
    import numpy as np

    steps = np.rint(rounded * 10_000)
    if not (np.all((steps >= 0) & (steps <= 10_000)) and np.array_equal(steps / 10_000, rounded)
            and not np.signbit(rounded).any()):
        return None
    return _grid()[steps.astype(np.int64).T].tolist()


class _ParquetSink:
    def __init__(self, path: Path, columns: list[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._columns = columns
        self._schema = pa.schema([("id", pa.string()), *((c, pa.float64()) for c in columns[1:-1]),
                                  ("suggested", pa.string())])
        self._writer = pq.ParquetWriter(str(path), self._schema)

    def write(self, ids: list[str], probabilities: Any, suggested: list[str]) -> None:
        import pyarrow as pa

        arrays = [pa.array(ids, pa.string()),
                  *(pa.array(probabilities[:, c], pa.float64()) for c in range(probabilities.shape[1])),
                  pa.array(suggested, pa.string())]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


def _suggestion_dict(s: CodeSuggestion) -> dict[str, Any]:
    return {"code": s.code, "probability": s.probability, "suggested": s.suggested,
            "tentative": s.tentative, "reason": s.reason,
            "evidence": [{"start": e.start, "end": e.end, "text": e.text, "source": e.source}
                         for e in s.evidence]}


def _evaluate_text(report: dict[str, Any]) -> str:
    from codewell.cli.output import table

    cold = report["cold_start"]["codes"]
    rows = [[code, _num(v["precision"]), _num(v["recall"]), _num(v["f1"]), _num(v["kappa"]),
             v["support"], _num(cold[code]["f1"]), _num(cold[code]["kappa"])]
            for code, v in report["codes"].items()]
    how = (f"trained on {report['train']}, scored on {report['test']}" if report["test"]
           else f"{report['folds']}-fold cross-validation on {report['train']}")
    lines = [how, "", table(["code", "precision", "recall", "F1", "kappa", "support",
                             "cold F1", "cold kappa"], rows), "",
             f"macro-F1 {_num(report['macro_f1'])}  micro-F1 {_num(report['micro_f1'])}  "
             f"exactly right {_num(report['exact_share'])}",
             f"codebook only (cold start): macro-F1 {_num(report['cold_start']['macro_f1'])}  "
             f"micro-F1 {_num(report['cold_start']['micro_f1'])}"]
    simulation = report.get("simulation")
    if simulation:
        curve = simulation["curve"]
        points = [p for p in curve if p["coded"] in CURVE_POINTS or p is curve[-1]]
        after = simulation["after_30"]
        study = (f", {simulation['reference']} as the study's reference" if simulation.get("reference")
                 else ", from the codebook alone")
        lines += ["", f"simulated coding ({simulation['order']} order{study}), suggestions shown "
                      f"before each decision, last 20:",
                  table(["coded", "F1", "exactly right"],
                        [[p["coded"], _num(p["f1_last20"]), _num(p["exact_share_last20"])]
                         for p in points]),
                  f"after 30 coded: exactly right on {_num(after['exact_share_next20'])} of the "
                  f"next 20, {_num(after['exact_share_rest'])} of the rest"]
    lines += [f"warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)


def _num(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"


def _clean(value: Any) -> Any:
    """JSON has no NaN: an undefined score becomes null."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _clip(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
