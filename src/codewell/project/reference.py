"""A reference set in the project facade: another study's coded responses, learnt from beside the
coder's own decisions, so a new study's suggestions start from many coded answers instead of the
codebook alone (ahead of the first thirty decisions, where a coder's own few teach little).

A reference teaches from other studies only: an answer that is also one of this project's
responses is left out (with a warning), since its codes would be another coder's decisions on
this very data, which a blind second coder must never be shown. Responses imported later take
their answers out of the reference the same way (``Unit.insert_responses``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from codewell.errors import DataFileError

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.store import Unit
    from codewell.values import ReferenceSet


class References:
    """The reference set of a :class:`~codewell.project.Project` (``self`` is one)."""

    def set_reference(self: Project, path: str | Path) -> tuple[ReferenceSet, tuple[str, ...]]:
        """Read a labelled CSV (``id,response`` and one 0/1 column per code) against the
        codebook and keep it as the project's reference, replacing any earlier one. Returns it
        and the warnings to show (a codebook code the file does not label, a column that is not
        a code, answers left out because this project has them too). The project is unchanged
        when the file is refused."""
        from codewell.store.records import now
        from codewell.suggest.labelled import read_labelled

        data = read_labelled(path, self.codebook)

        def work(unit: Unit) -> tuple[ReferenceSet, tuple[str, ...]]:
            ours = unit.shared_answers(data.texts)
            kept = [i for i, text in enumerate(data.texts) if text.strip() and text.strip() not in ours]
            left_out = sum(1 for text in data.texts if text.strip() in ours)
            notes = (f"{path}: {left_out} answer(s) are also responses of this project and were "
                     f"left out (a reference teaches from other studies only)",) if left_out else ()
            if not kept:
                raise DataFileError(f"{path}: no row is left to learn from"
                                    + (" (every answer is also a response of this project)"
                                       if left_out else " (every response is empty)"))
            reference = data.subset(kept).as_reference(now().isoformat(timespec="seconds"))
            unit.replace_reference(reference)
            return reference, data.warnings + notes

        return self._write(work)

    def clear_reference(self: Project) -> bool:
        """Drop the reference set; whether there was one."""
        def work(unit: Unit) -> bool:
            had = unit.has_reference()
            unit.replace_reference(None)
            return had

        return self._write(work)

    def reference(self: Project) -> ReferenceSet | None:
        """The project's reference set (None: the suggester learns from the coder alone)."""
        return self._db.read(lambda unit: unit.reference())
