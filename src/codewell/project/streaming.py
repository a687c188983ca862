"""A large survey in and out a block of rows at a time: memory follows the block, not the file.

Import (issue 15): the reader hands over blocks of responses and each block is checked against
the store and inserted before the next is read. All blocks are one write, so an error anywhere
leaves the project as it was. A file the block reader does not take as it comes is read whole
instead, as before (same result or same error). Export: the responses come a block at a time
from one read snapshot, beside the coders' codings, which follow the coded rows; a file of
finished rows only (the long layout) reads those rows alone. Before the first block, one pass
over the distinct stored attribute sets names the attribute columns and tells which hold only
numbers and which a rating scale, since a Parquet or XLSX file's column types are fixed before
its first row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from codewell.values import Status
from codewell.io.readers import CHUNK_ROWS
from codewell.project.reimport import AttributeChanges, CaseTwins, changed_texts

if TYPE_CHECKING:
    from codewell.io.export_columns import AttributeType
    from codewell.io.readers import SurveyStream, SurveyTable
    from codewell.project import Project
    from codewell.store import Database, Unit
    from codewell.values import CodedDataset, Response

T = TypeVar("T")

__all__ = ["CHUNK_ROWS", "Streaming"]


class Streaming:
    _db: Database
    _responses: tuple[Response, ...] | None

    def _import_streaming(self, path: Path, *, text_column: str | None, id_column: str | None,
                          keep_metadata: bool, columns: Sequence[str] | None, chunk_rows: int,
                          update_attributes: bool,
                          ) -> tuple[SurveyTable, int, int, AttributeChanges] | None:
        """(what was read, added, unchanged, known responses' other attribute values, stored
        when ``update_attributes``), or None when the file is to be read whole."""
        from codewell.io.readers import stream_survey
        from codewell.io.sources import NotStreamable

        try:
            stream = stream_survey(path, text_column=text_column, id_column=id_column,
                                   keep_metadata=keep_metadata, columns=columns, chunk_rows=chunk_rows)
            added, unchanged, attributes = self._db.write(
                lambda unit: self._add_stream_in(unit, stream, path, update_attributes))
        except NotStreamable:
            return None  # nothing was written: the transaction rolled back
        self._responses = None
        return stream.table(), added, unchanged, attributes

    def export_stream(self: Project, coders: Sequence[str] | None,
                      write: Callable[[dict[str, AttributeType], Callable[[str | None], Iterator[CodedDataset]]], T],
                      block: int = CHUNK_ROWS, *, with_log: bool = False) -> T:
        """``write(attributes, blocks)`` inside one read snapshot. ``attributes``: each attribute
        name, in the order the responses first carry them, with its type over every response
        (``int``, ``float``, ``ordinal`` with its scale or ``text``;
        :func:`codewell.io.export_layouts.attribute_types`), learnt first from each distinct
        stored attribute set once, since a file's columns are fixed before its first block.
        ``blocks(None)`` yields
        datasets of ``coders`` (default: all; with the decision log when ``with_log``) holding
        ``block`` responses each in import order (at least one block, empty for a project
        without responses); ``blocks(coder)`` the same over only the responses ``coder``
        finished, read by key, so a file of finished rows costs what it writes. ``write`` may
        run again from the start if the server's connection is lost, so it must write its file
        whole each time."""
        from dataclasses import replace

        names = tuple(coders) if coders is not None else self.coders()
        for name in names:
            self.require_coder(name)

        def read(unit: Unit) -> T:
            base = self._dataset_in(unit, names, (), with_log=with_log)

            def every() -> Iterator[CodedDataset]:
                after, page = 0, unit.response_page(0, block)
                yield replace(base, responses=tuple(r for _, r in page))
                while len(page) == block:
                    after = page[-1][0]
                    page = unit.response_page(after, block)
                    if page:
                        yield replace(base, responses=tuple(r for _, r in page))

            def finished(coder: str) -> Iterator[CodedDataset]:
                done = [rid for rid, status in base.statuses.get(coder, {}).items() if status is Status.DONE]
                keys = sorted(unit.response_pks(done).values())
                for start in range(0, len(keys), block):
                    found = unit.responses_by_pk(keys[start:start + block])
                    yield replace(base, responses=tuple(found[pk] for pk in keys[start:start + block] if pk in found))

            return write(_attribute_columns(unit), lambda coder: every() if coder is None else finished(coder))

        return self._db.read(read)

    @staticmethod
    def _add_stream_in(unit: Unit, stream: SurveyStream, source: Path,
                       update_attributes: bool) -> tuple[int, int, AttributeChanges]:
        """Each block: ids already stored are compared, the rest inserted. A changed text is
        collected and refused at the end, listed as the whole-file import lists it; an id that
        an earlier block of this import stored is a repeated id, which the whole-file reader
        names (:class:`~codewell.io.sources.NotStreamable`, and the write rolls back). An id
        differing only in case from a stored one or an earlier one of the file is found by the
        case-folded ids alone and handed over the same way: the whole-file import names the row
        and its twin, and is the only place that words that refusal."""
        from codewell.io.sources import NotStreamable

        attributes = AttributeChanges()
        added = unchanged = 0
        changed: list[str] = []
        before = unit.last_response_key()
        suspended = False
        twins = CaseTwins(unit)
        for number, block in enumerate(stream.chunks()):
            if number == 1:  # a long import: the order's index is built once at the end
                suspended = unit.suspend_order_index()
            incoming = {r.id: r.text for r in block}
            stored = unit.stored_responses(list(incoming))
            if any(known.pk > before for known in stored.values()):
                raise NotStreamable  # stored by an earlier block: the file repeats an id
            if twins.found(block, stored):
                raise NotStreamable  # an id differing only in case: the whole-file import names it
            changed += [rid for rid, known in stored.items() if known.text != incoming[rid]]
            new = [r for r in block if r.id not in stored]
            updates = attributes.add(block, {rid: known.attributes for rid, known in stored.items()})
            if not changed:
                unit.insert_responses(new, str(source))
                if update_attributes:
                    unit.update_attributes(updates)
            added += len(new)
            unchanged += len(stored)
        if changed:
            raise changed_texts(source, sorted(changed))
        if suspended:
            unit.restore_order_index()
        return added, unchanged, attributes


def _attribute_columns(unit: Unit) -> dict[str, AttributeType]:
    """Each attribute's name and type over the whole project, from one pass over the distinct
    stored attribute sets, each counted as often as responses carry it, that keeps a state per
    column (and at most a scale's worth of answers): memory holds one set at a time, and the
    responses' text is not read."""
    from codewell.io.attribute_kinds import AttributeKinds
    from codewell.io.export_layouts import attribute_types

    kinds = AttributeKinds()
    for attributes, count in unit.attribute_sets():
        kinds.add(attributes, count)
    return attribute_types(kinds)
