"""Segment codings in the project facade: a code on a passage of a response, not all of it.

A segment is ``text[start:end]`` of the response, offsets in Unicode code points (what Python's
``str`` indexes; not bytes, not UTF-16 units), end exclusive. Each (response, code, span) is its own
key in the decision log (:mod:`codewell.store.events`): a segment is applied, removed and undone
like a whole-response coding, and the response-level view (agreement, reports, the wide export)
counts a code on a response when it is held whole or on any segment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from codewell.errors import AgreementError, CodewellError, DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import Decision, Segment, Status

if TYPE_CHECKING:
    from codewell.agreement.segments import SegmentAgreement
    from codewell.project import Project
    from codewell.store import Unit

#: (code, start, end); start and end None for the whole response
Key = tuple[str, "int | None", "int | None"]


class SegmentError(CodewellError):
    """A segment whose offsets do not fit its response's text."""


def check_span(text: str, start: int | None, end: int | None, where: str = "") -> None:
    """Both offsets or neither; when given, ``0 <= start < end <= len(text)`` in code points."""
    if start is None and end is None:
        return
    if start is None or end is None or not 0 <= start < end <= len(text):
        raise SegmentError(f"{where}segment {start}..{end} does not fit a response of {len(text)} characters",
                           "offsets count Unicode code points from 0, end exclusive: 0 <= start < end <= length")


class Segments:
    """Recording and reading segment codings for a :class:`~codewell.project.Project`."""

    def record_segment(self: Project, coder: str, response_id: str, code: str, start: int, end: int,
                       action: Literal["apply", "remove"] = "apply", *, probability: float | None = None,
                       from_suggestion: bool = False, suggestions_on: bool = False, uid: str | None = None,
                       wait: float | None = None, on_wait: Callable[[], None] | None = None) -> Decision:
        """Apply (or remove) ``code`` on ``text[start:end]`` of one response, as one event."""
        return self.record_many(coder, [(response_id, code, action, probability, from_suggestion, start, end)],
                                suggestions_on=suggestions_on, uids=None if uid is None else [uid],
                                wait=wait, on_wait=on_wait)[0]

    def segments(self: Project, coder: str) -> dict[str, tuple[Segment, ...]]:
        """Per response id, every coding ``coder`` holds on it, whole or segment, as the viewer may see."""
        def read(unit: Unit) -> dict[str, tuple[Segment, ...]]:
            return self._visible(unit, coder, _by_response(unit.current_segments(coder)))

        return self._db.read(read)

    def _visible_segments(self: Project, unit: Unit, coder: str) -> tuple[Segment, ...]:
        hidden = self._hidden_in(unit, coder)
        return tuple(s for s in unit.current_segments(coder) if s.response_id not in hidden)

    def segments_for(self: Project, coder: str, response_id: str) -> tuple[Segment, ...]:
        return self.segments(coder).get(response_id, ())

    def segment_agreement(self: Project, coders: Sequence[str], *, ids: Sequence[str] | None = None,
                          threshold: float | None = None) -> SegmentAgreement:
        """Per-code segment agreement (:mod:`codewell.agreement.segments`) over the responses every
        coder finished (of ``ids`` only, when given: a reliability set); a whole-response coding
        counts as a segment covering the whole text."""
        from codewell.agreement.segments import DEFAULT_THRESHOLD, segment_agreement

        if len(set(coders)) < 2:
            raise AgreementError("agreement needs at least two different coders, e.g. --coders ana,ben")
        for coder in coders:
            self.require_coder(coder)
        common = set.intersection(*(self.finished(c) for c in coders))
        order = self.in_import_order(common) if ids is None else [
            rid for rid in ids if rid in common]
        if not order:
            raise AgreementError(f"no response finished by all of {', '.join(coders)} to compare")
        lengths = {rid: len(response.text) for rid, response in self.responses_by_id(order).items()}
        marks: dict[str, dict[str, dict[str, list[tuple[int, int]]]]] = {code: {} for code in self.codebook.ids}
        for coder in coders:
            for rid, held in self.segments(coder).items():
                if rid not in lengths:
                    continue
                for segment in held:
                    span = (0, lengths[rid]) if segment.start is None else (segment.start, segment.end)
                    marks.setdefault(segment.code, {}).setdefault(coder, {}).setdefault(rid, []).append(span)  # type: ignore[arg-type]
        return segment_agreement(marks, lengths, list(coders), DEFAULT_THRESHOLD if threshold is None else threshold)

    def _apply_keys_in(self: Project, unit: Unit, keys: Mapping[str, Mapping[str, frozenset[Key]]],
                       rows_of: Mapping[tuple[str, str, Key], int] | None = None, source: str = "") -> int:
        """Make each listed (coder, response)'s held keys exactly ``keys`` (apply what is missing,
        remove what is extra) and mark the responses done; returns how many events it recorded."""
        from codewell.project.coding import check_coder_name, new_uid

        version, codebook = self._codebook_in(unit)
        for coder in keys:
            check_coder_name(coder)
        recorded = 0
        for coder, by_response in keys.items():
            pks = self._pks_in(unit, list(by_response))
            held: dict[str, set[Key]] = {}
            for segment in unit.current_segments(coder):
                held.setdefault(segment.response_id, set()).add((segment.code, segment.start, segment.end))
            texts = unit.existing_texts([rid for rid, wanted in by_response.items()
                                         if any(start is not None for _, start, _ in wanted)])
            rows: list[tuple[int, str, str, None, bool, str, int | None, int | None]] = []
            for rid, wanted in by_response.items():
                text = texts.get(rid, "")
                for code, start, end in sorted(wanted, key=_order):
                    if code not in codebook.ids:
                        raise UnknownNameError(f"no code '{code}' in the codebook", did_you_mean(code, codebook.ids))
                    row = (rows_of or {}).get((coder, rid, (code, start, end)))
                    where = f"{source}: row {row}: " if row is not None else f"response '{rid}': "
                    try:
                        check_span(text, start, end, where)
                    except SegmentError as error:
                        raise DataFileError(error.message, error.hint) from None
                had = held.get(rid, set())
                rows += [(pks[rid], code, "apply", None, False, new_uid(), start, end)
                         for code, start, end in sorted(wanted - had, key=_order)]
                rows += [(pks[rid], code, "remove", None, False, new_uid(), start, end)
                         for code, start, end in sorted(had - wanted, key=_order)]
            recorded += len(rows)
            unit.append_events(coder, rows, version, False)
            unit.set_statuses(coder, [pks[rid] for rid in by_response], Status.DONE)
        return recorded


def passage_examples(project: Project, segments: Mapping[str, tuple[Segment, ...]], done: set[str],
                     known: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
    """Training examples from segments of finished responses: each distinct passage, labelled with
    the codes of every segment of the response that contains it (an overlapping code on a wider
    passage counts; one elsewhere in the response does not)."""
    examples = []
    for rid, held in segments.items():
        if rid not in done:
            continue
        spans = [(s.code, s.start, s.end) for s in held if s.start is not None and s.code in known]
        if not spans:
            continue  # whole-response codings only: no passage, and no need to read every text
        text = project.response(rid).text
        for start, end in sorted({(start, end) for _, start, end in spans}):  # type: ignore[type-var]
            codes = frozenset(code for code, s, e in spans if s <= start and end <= e)  # type: ignore[operator]
            if text[start:end].strip():
                examples.append((text[start:end], codes))
    return examples


def _order(key: Key) -> tuple[str, int, int]:
    return key[0], -1 if key[1] is None else key[1], key[2] or 0


def _by_response(segments: list[Segment]) -> dict[str, tuple[Segment, ...]]:
    grouped: dict[str, list[Segment]] = {}
    for segment in segments:
        grouped.setdefault(segment.response_id, []).append(segment)
    return {rid: tuple(found) for rid, found in grouped.items()}
