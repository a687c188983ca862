"""Codebook changes in the project facade: each one a new codebook version with its reason.

The new codebook comes from :mod:`codewell.codebook_changes` (pure), built on the latest stored
version inside the write. A rename of an id or a merge moves every coder's current decisions
from the old code to the new one as events noted with the version (``codebook v7: merged ...``),
so the log keeps what each coder did, and :meth:`undo_codebook_change` reverses exactly those
events and restores the version before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from codewell.codebook import codebook_to_json
from codewell.errors import CodebookError, CodewellError

if TYPE_CHECKING:
    from codewell.codebook_changes import Change
    from codewell.project import Project
    from codewell.store import Unit
    from codewell.values import Codebook

CHANGE_PREFIX = "codebook v"
UNDO_PREFIX = "undid v"
CHANGES = ("renamed", "edited", "merged", "retired")


class CodebookChanges:
    """rename, edit, merge, retire and undo for a :class:`~codewell.project.Project`."""

    def rename_code(self: Project, code: str, new_id: str | None = None, *, label: str | None = None,
                    reason: str = "") -> int:
        from codewell.codebook_changes import rename_code

        return self._change(lambda cb: rename_code(cb, code, new_id, label), reason, code)

    def edit_code(self: Project, code: str, *, reason: str = "", **fields: object) -> int:
        """Fields: definition, group, include, exclude, keywords, examples (None = unchanged)."""
        from codewell.codebook_changes import edit_code

        return self._change(lambda cb: edit_code(cb, code, **fields), reason, code)  # type: ignore[arg-type]

    def merge_codes(self: Project, source: str, target: str, *, reason: str = "") -> int:
        from codewell.codebook_changes import merge_codes

        return self._change(lambda cb: merge_codes(cb, source, target), reason, source, target)

    def retire_code(self: Project, code: str, *, reason: str = "") -> int:
        from codewell.codebook_changes import retire_code

        return self._change(lambda cb: retire_code(cb, code), reason, code)

    def _change(self: Project, make: Callable[[Codebook], Change], reason: str, *named: str) -> int:
        """Store the change ``make`` builds from the latest version; returns the new version.
        ``named``: the code ids the user gave, for a clearer error when one was changed away."""
        from codewell.errors import UnknownNameError
        from codewell.project.coding import new_uid

        def work(unit: Unit) -> int:
            _, latest = self._codebook_in(unit)
            try:
                change = make(latest)
            except UnknownNameError as error:
                raise _changed_away(error, named, latest.ids, unit.codebook_history()) from None
            why = " ".join(reason.split())  # one line: the history lists a version per line
            note = change.summary + (f": {why}" if why else "")
            version = unit.add_codebook_version(change.codebook, codebook_to_json(change.codebook), note=note)
            unit.move_reference_codes(change.moves, latest.ids)
            event_note = f"{CHANGE_PREFIX}{version}: {change.summary}"
            for old, new in change.moves:
                for coder in unit.coder_names():  # each whole or segment coding moves on its own span
                    holding = unit.held_keys(coder, old)
                    if not holding:
                        continue
                    kept = set(unit.held_keys(coder, new))
                    rows = [(pk, old, "remove", None, False, new_uid(), start, end) for pk, start, end in holding]
                    rows += [(pk, new, "apply", None, False, new_uid(), start, end) for pk, start, end in holding
                             if (pk, start, end) not in kept]
                    unit.append_events(coder, rows, version, False, note=event_note)
            return version

        return self._write(work)

    def undo_codebook_change(self: Project) -> int:
        """Reverse the latest codebook version if it was a change: the version before comes
        back as a new version and the decisions the change moved move back."""
        from codewell.project import _parse_codebook

        def work(unit: Unit) -> int:
            history = unit.codebook_history()
            version, note = _undoable(history)
            body = unit.codebook_body(version - 1)
            assert body is not None
            before = _parse_codebook(body)
            new_version = unit.add_codebook_version(before, body, note=f"{UNDO_PREFIX}{version} ({note})")
            after = _parse_codebook(unit.codebook_body(version) or body)
            gone, back = set(after.ids) - set(before.ids), set(before.ids) - set(after.ids)
            if len(gone) == 1 and len(back) == 1:  # undoing a rename: its reference labels go back
                unit.move_reference_codes([(gone.pop(), back.pop())], after.ids)
            unit.reverse_noted(f"{CHANGE_PREFIX}{version}:", new_version,
                               f"{UNDO_PREFIX}{version}")
            return new_version

        return self._write(work)


def _changed_away(error: CodewellError, named: tuple[str, ...], ids: tuple[str, ...],
                  history: list[tuple[int, object, str, str]]) -> CodewellError:
    """``error`` for a code that is not in the codebook, saying which version changed it away
    ("no code 'anxiety'" after retiring it read as though it had never existed)."""
    for code in (c for c in named if c not in ids):
        for version, _, _, note in reversed(history):
            if note.startswith(CHANGES) and f"'{code}'" in note.split(":", 1)[0]:
                error.message = f"no code '{code}' in the codebook: codebook version {version} {note}"
                error.hint = "codewell codebook show lists the versions; codewell codebook undo reverses the latest change"
                break
    return error


def _undoable(history: list[tuple[int, object, str, str]]) -> tuple[int, str]:
    """The newest change not already undone, if nothing but undos came after it.

    Versions form a stack: a change pushes, ``undid vN`` pops N, and anything else (the first
    version, codes added while coding) is a floor that undo does not go below.
    """
    stack: list[tuple[int, str] | None] = []
    for version, _, _, note in history:
        if note.startswith(UNDO_PREFIX):
            undone = int(note[len(UNDO_PREFIX):].split(" ", 1)[0])
            if stack and stack[-1] is not None and stack[-1][0] == undone:
                stack.pop()
        elif note.startswith(CHANGES):
            stack.append((version, note))
        else:
            stack.append(None)
    if not stack or stack[-1] is None:
        last = history[-1]
        if last[3].startswith(UNDO_PREFIX):  # "v5 is not a change that can be undone" read as a fault
            floor = next(entry for entry in reversed(history) if not entry[3].startswith((UNDO_PREFIX, *CHANGES)))
            raise CodebookError(f"nothing left to undo: every change after codebook version {floor[0]} "
                                f"({floor[3] or 'the first version'}) is undone already",
                                hint="codewell codebook show lists the versions")
        raise CodebookError(f"the latest codebook version ({last[0]}) is not a change that can be undone",
                            hint=f"it was: {last[3] or 'the first version'}")
    return stack[-1]
