"""The coded dataset as columns, in the three layouts ``export --layout`` offers.

Every format is written from the same columns, so what a row and a cell mean is decided here,
once, and a CSV, a workbook and a Stata file of one layout always agree.

**Wide** has one row per response: ``id``, ``response``, one column per code in codebook order
(``<coder>_<code>`` for every coder with ``coder="all"``), ``non_answer``, then the survey's other
columns (attributes), then ``memo`` and ``status``. An attribute is text as imported; for a
format with number columns (Parquet, XLSX) a column of numbers is numbers
(:mod:`codewell.io.attribute_kinds`), and a rating scale the SPSS file numbers in scale order is
``ordinal`` (an ordered category in Parquet, text in XLSX); CSV has no types, and SPSS and Stata
type it by their own fuller rule (:mod:`codewell.io.stats_attributes`). With one coder the
first columns are exactly the labelled-CSV layout (``id,response,<codes>``), so a wide CSV reads
back into ``evaluate`` and ``import``.

**Missing is missing.** A code cell is 1 where the coder applied the code, 0 where the coder
finished the response (status ``done``) without it, and empty (NA) where the coder has not
finished it (uncoded, skipped or flagged): a mean over a code column is then a prevalence among
finished responses, never diluted by work not done. ``non_answer`` is 1 for "n/a", "-", an empty
box (see :mod:`codewell.report.non_answers`); ``report`` leaves those out of its denominator, so
the paper's percentages are the means of the code columns over rows with ``non_answer`` = 0.

**Long** has one row per finished (response, coder) pair and code (every pair with
``include_uncoded``, where unfinished pairs have an empty ``applied``): whether it is applied,
the coder's status, and from the decision log the time of the latest decision on that code,
whether it came from a suggestion and the probability the suggestion showed. That is the audit
trail REFI-QDA has no place for.

**Segments** has one row per coding a coder holds, whole or segment: ``id``, ``coder``, ``code``,
``start``, ``end`` (offsets into the response text in Unicode code points, end exclusive; both
empty for a whole-response coding), ``text`` (the coded passage: ``response[start:end]``, or the
whole response), and the coder's ``memo`` on the response. A response the coder finished with no
code has one row with an empty ``code``, so the file is exactly a codings file: ``codewell import
PROJECT FILE --codings`` reads it back. Redaction masks the passage (offsets still point into the
unmasked text), so redact only files meant to be read, not re-imported.

**Names** are valid in R, SPSS and Stata (:mod:`codewell.io.variable_names`); the human labels
(code labels, the survey's column headers) go into variable labels in SPSS and Stata files, into
Parquet field metadata, into a ``variables`` sheet in XLSX and a ``<name>.variables.csv``
sidecar beside a CSV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from codewell.io.attribute_kinds import AttributeKinds, as_numbers, column_kind
from codewell.io.export_columns import AttributeType, Column, ColumnKind
from codewell.io.stats_attributes import ordinal_categories
from codewell.io.variable_names import NameSet
from codewell.report.non_answers import NonAnswers
from codewell.values import CodedDataset, Decision, Status


def wide_columns(ds: CodedDataset, coders: Sequence[str],
                 masker: Callable[[str], str] | None = None,
                 non_answer: NonAnswers | None = None,
                 attributes: Mapping[str, AttributeType] | None = None,
                 numbers: bool = False) -> list[Column]:
    """The wide layout as columns (also used by the benchmarks and the tests); ``attributes``:
    the attribute columns and their types over the whole project (:func:`attribute_types`), when
    ``ds`` holds one block of its responses (a block alone cannot tell: its numbers may meet an
    ``n/a`` in the next). With ``numbers`` an attribute column of numbers holds numbers and a
    rating scale is ``ordinal``, else every one is text."""
    responses = ds.responses
    rids = [r.id for r in responses]
    single = len(coders) == 1
    is_non_answer = non_answer or NonAnswers()

    def prefixed(coder: str, name: str) -> str:
        return name if single else f"{coder}_{name}"

    def described(coder: str, label: str) -> str:
        return label if single else f"{label} ({coder})"

    names = NameSet()
    texts = [r.text for r in responses]
    columns = [Column(names.add("id"), "text", rids, "Response id"),
               Column(names.add("response"), "text",
                      [masker(t) for t in texts] if masker else texts, "Response text")]
    for coder in coders:
        codings = ds.codings.get(coder, {})
        statuses = ds.statuses.get(coder, {})
        current = [codings.get(rid, frozenset()) if statuses.get(rid) is Status.DONE else None
                   for rid in rids]
        for code in ds.codebook.codes:
            columns.append(Column(
                names.add(prefixed(coder, code.id)), "flag",
                [None if codes is None else int(code.id in codes) for codes in current],
                described(coder, code.label), "code"))
    columns.append(Column(names.add("non_answer"), "flag",
                          [int(is_non_answer(text)) for text in texts],
                          "Non-answer (left out of report denominators)"))
    closing_names = [(coder, names.add(prefixed(coder, "memo")), names.add(prefixed(coder, "status")))
                     for coder in coders]
    for attribute in _attribute_names(ds) if attributes is None else attributes:
        values = [r.attributes.get(attribute) for r in responses]
        typed = AttributeType("text")
        if numbers:
            typed = _attribute_type(values) if attributes is None else attributes[attribute]
            if typed.kind in ("int", "float"):
                values = as_numbers(values, typed.kind)
        columns.append(Column(names.add(attribute), typed.kind, values, attribute, "attribute",
                              typed.categories))
    for coder, memo_name, status_name in closing_names:
        memos = ds.memos.get(coder, {})
        statuses = ds.statuses.get(coder, {})
        notes = [memos.get(rid) for rid in rids]
        if masker:
            notes = [masker(n) if n else n for n in notes]
        columns.append(Column(memo_name, "text", notes, described(coder, "Memo")))
        columns.append(Column(status_name, "text",
                              [statuses.get(rid, Status.UNCODED).value for rid in rids],
                              described(coder, "Coding status (done, skipped, flagged, uncoded)")))
    return columns


def attribute_types(learnt: AttributeKinds) -> dict[str, AttributeType]:
    """Each attribute column's type from the streamed export's pass over the stored attribute
    sets: what :func:`wide_columns` finds over a whole dataset's values, by the same rule."""
    return {name: _typed(kind, learnt.answers(name)) for name, kind in learnt.kinds().items()}


def _attribute_type(values: Sequence[str | None]) -> AttributeType:
    """A whole column's type: numbers, an ordinal scale, or text."""
    kind = column_kind(values)
    return _typed(kind, Counter(v for v in values if v) if kind == "text" else {})


def _typed(kind: ColumnKind, answers: Mapping[str, int]) -> AttributeType:
    """``kind`` (numbers or text), made ``ordinal`` when the answers (each distinct one and how
    many gave it) are a scale the SPSS and Stata files number in order."""
    categories = ordinal_categories(answers) if kind == "text" else None
    return AttributeType("ordinal", categories) if categories else AttributeType(kind)


def long_columns(ds: CodedDataset, coders: Sequence[str], include_uncoded: bool = False,
                 non_answer: NonAnswers | None = None,
                 decided: Mapping[str, Mapping[str, Mapping[str, Decision]]] | None = None) -> list[Column]:
    """The long layout: one row per finished (response, coder) pair and code, with its latest
    decision; with ``include_uncoded`` every pair, ``applied`` empty where unfinished.
    ``decided``: :func:`decisions_by_response` of the whole log, when ``ds`` is one block.

    Built column by column with comprehensions: at 100,000 responses this is millions of cells.
    """
    decided = decisions_by_response(ds.decisions) if decided is None else decided
    codes = ds.codebook.ids
    is_non_answer = non_answer or NonAnswers()
    texts = {r.id: r.text for r in ds.responses}
    ids: list[Any] = []
    who: list[Any] = []
    code_column: list[Any] = []
    applied: list[Any] = []
    status: list[Any] = []
    events: list[Decision | None] = []
    for coder in coders:
        codings = ds.codings.get(coder, {})
        statuses = ds.statuses.get(coder, {})
        rids = [r.id for r in ds.responses
                if include_uncoded or statuses.get(r.id) is Status.DONE]
        by_response = decided.get(coder, {})
        ids += [rid for rid in rids for _ in codes]
        who += [coder] * (len(rids) * len(codes))
        code_column += list(codes) * len(rids)
        current = [codings.get(rid, frozenset()) if statuses.get(rid) is Status.DONE else None
                   for rid in rids]
        applied += [None if now is None else int(code in now) for now in current for code in codes]
        states = [statuses.get(rid, Status.UNCODED).value for rid in rids]
        status += [state for state in states for _ in codes]
        none: Mapping[str, Decision] = {}
        events += [by_response.get(rid, none).get(code) for rid in rids for code in codes]
    flags = {rid: int(is_non_answer(text)) for rid, text in texts.items()}
    return [
        Column("id", "text", ids, "Response id"),
        Column("coder", "text", who, "Coder"),
        Column("code", "text", code_column, "Code id"),
        Column("applied", "flag", applied, "Code applied by this coder", "code"),
        Column("status", "text", status, "Coding status (done, skipped, flagged, uncoded)"),
        Column("non_answer", "flag", [flags[rid] for rid in ids],
               "Non-answer (left out of report denominators)"),
        Column("decided_at", "timestamp", [e.at if e else None for e in events],
               "Time of the latest decision on this code (UTC)"),
        Column("from_suggestion", "bool", [e.from_suggestion if e else None for e in events],
               "The latest decision accepted a suggestion"),
        Column("probability_shown", "float", [e.probability if e else None for e in events],
               "Probability the suggestion showed"),
    ]


def segment_columns(ds: CodedDataset, coders: Sequence[str],
                    masker: Callable[[str], str] | None = None) -> list[Column]:
    """The segments layout: one row per whole or segment coding a coder holds on a response they
    finished, in response order, and one row with an empty code per response finished with none,
    or only with retired codes (see the module docstring)."""
    texts = {r.id: r.text for r in ds.responses}
    order = {r.id: i for i, r in enumerate(ds.responses)}
    known = set(ds.codebook.ids)  # a retired code has left the exports, as it left the wide columns
    rows: list[tuple[str, str, str, int | None, int | None, str, str | None]] = []
    for coder in coders:
        memos = ds.memos.get(coder, {})
        statuses = ds.statuses.get(coder, {})
        # a passage on a response the coder skipped or flagged is not yet a decision (the wide
        # and long files leave it empty), and reading the file back would mark it done
        held = [s for s in ds.segments.get(coder, ())
                if s.code in known and statuses.get(s.response_id) is Status.DONE]
        coded = {s.response_id for s in held}
        done_empty = [rid for rid, status in statuses.items()
                      if status is Status.DONE and rid not in coded and rid in order]
        entries = [(order.get(s.response_id, -1), s.response_id, s.code, s.start, s.end) for s in held]
        entries += [(order[rid], rid, "", None, None) for rid in done_empty]
        entries.sort(key=lambda e: (e[0], e[2], -1 if e[3] is None else e[3], e[4] or 0))
        for _, rid, code, start, end in entries:
            text = texts.get(rid, "")
            passage = text if start is None or not code else text[start:end]
            memo = memos.get(rid)
            rows.append((rid, coder, code, start, end, masker(passage) if masker else passage,
                         masker(memo) if masker and memo else memo))
    ids, who, codes, starts, ends, passages, memos_ = (list(c) for c in zip(*rows)) if rows else ([],) * 7
    return [
        Column("id", "text", ids, "Response id"),
        Column("coder", "text", who, "Coder"),
        Column("code", "text", codes, "Code id (empty: finished with no code)"),
        Column("start", "int", starts, "Segment start, in characters (code points) from 0; empty: whole response"),
        Column("end", "int", ends, "Segment end, exclusive, in characters (code points); empty: whole response"),
        Column("text", "text", passages, "The coded passage (the whole response when not a segment)"),
        Column("memo", "text", memos_, "The coder's memo on the response"),
    ]


def latest_decisions(decisions: Sequence[Decision]) -> dict[tuple[str, str, str], Decision]:
    """The last event on each (coder, response, code); the log's ids give the order."""
    latest: dict[tuple[str, str, str], Decision] = {}
    for event in sorted(decisions, key=lambda d: d.id):
        latest[(event.coder, event.response_id, event.code)] = event
    return latest


def decisions_by_response(decisions: Sequence[Decision]) -> dict[str, dict[str, dict[str, Decision]]]:
    """coder -> response id -> code -> the latest decision on it."""
    found: dict[str, dict[str, dict[str, Decision]]] = {}
    for (coder, rid, code), event in latest_decisions(decisions).items():
        found.setdefault(coder, {}).setdefault(rid, {})[code] = event
    return found


def _attribute_names(ds: CodedDataset) -> list[str]:
    seen: dict[str, None] = {}
    for response in ds.responses:
        for name in response.attributes:
            seen.setdefault(name, None)
    return list(seen)
