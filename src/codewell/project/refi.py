"""Bringing a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA or QualCoder into a project.

A text selection from 0 to the end of its source is a whole-response coding; any other is a
segment coding of exactly that span, its positions (Unicode code points of the source's text, end
exclusive: see :mod:`codewell.io.refi_qda`) checked against the text by the reader, which drops
and lists a selection outside it. Codes the project lacks join a new codebook version; each user
becomes a coder whose coded sources are marked done. What the standard carries but codewell cannot keep is
listed in the report, never silently lost.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from codewell.project.coding import check_coder_name
from codewell.project.segments import Key
from codewell.values import Response

if TYPE_CHECKING:
    from codewell.project import ImportReport, Project
    from codewell.store import Unit


def import_qdpx(project: Project, path: Path, update_attributes: bool = False) -> ImportReport:
    from codewell.io.refi_qda import read_project_qdpx
    from codewell.project import ImportReport

    refi = read_project_qdpx(path)
    responses = [Response(id=s.name, text=s.text, row=n, attributes=dict(s.attributes))
                 for n, s in enumerate(refi.sources, start=1)]
    by_guid = {s.guid: s.name for s in refi.sources}
    codings: dict[str, dict[str, set[Key]]] = defaultdict(lambda: defaultdict(set))
    partial = 0
    lengths = {s.name: len(s.text) for s in refi.sources}
    for coding in refi.codings:
        source = by_guid.get(coding.source, coding.source)
        if (coding.start, coding.end) == (0, lengths.get(source, -1)):
            codings[coding.user][source].add((coding.code, None, None))
        else:
            codings[coding.user][source].add((coding.code, coding.start, coding.end))
            partial += 1
    frozen = {user: {rid: frozenset(keys) for rid, keys in by_source.items()}
              for user, by_source in codings.items()}
    for user in [*frozen, *(memo.user for memo in refi.memos)]:
        check_coder_name(user)

    def work(unit: Unit) -> tuple[int, int, list[str], int, str | None]:
        """Responses, new codes, codings and memos land together, or nothing does."""
        _, codebook = project._codebook_in(unit)
        new_codes = [code for code in refi.codebook.codes if code.id not in codebook.ids]
        added, unchanged, attributes = project._add_responses_in(unit, responses, path, update_attributes)
        if new_codes:
            project._add_codes_in(unit, new_codes)
        recorded = project._apply_keys_in(unit, frozen, source=str(path)) if frozen else 0
        for memo in refi.memos:
            response_id = by_guid.get(memo.source, memo.source)
            unit.set_memo(memo.user, project._pks_in(unit, [response_id])[response_id], memo.text)
        return added, unchanged, [code.id for code in new_codes], recorded, attributes.note(taken=update_attributes)

    added, unchanged, new_codes, recorded, attribute_note = project._write(work)
    notes = [f"{len(refi.sources)} text sources: {added} new responses, {unchanged} already present"]
    if attribute_note:
        notes.append(attribute_note)
    if new_codes:
        notes.append(f"added {len(new_codes)} codes to the codebook: {', '.join(new_codes)}")
    if frozen:
        notes.append("each user's coded sources are marked done for them; REFI-QDA cannot say that a "
                     "source was finished with no code, so such sources stay uncoded")
    if partial:
        notes.append(f"{partial} codings of part of a source kept as segments (positions in characters, "
                     "checked against the text)")
    notes += [f"left out: {item}" for item in refi.dropped]
    return ImportReport(source=str(path), added=added, unchanged=unchanged, notes=tuple(notes),
                        details={"coders": sorted(frozen), "decisions": recorded,
                                 "memos": len(refi.memos), "dropped": list(refi.dropped)})
