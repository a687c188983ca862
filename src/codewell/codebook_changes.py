"""Changing a codebook as the analysis learns: rename, edit, merge, retire.

Pure functions from one :class:`~codewell.values.Codebook` to the next; each change is stored by
the facade as a new codebook version with a reason, and what it means for decisions (a renamed or
merged code's decisions move to the new id) is recorded there as events, never by editing the log.
Every function validates first and raises a :class:`~codewell.errors.CodewellError` naming the
code and the closest existing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from codewell.codebook import check_code_id
from codewell.errors import CodebookError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import Code, Codebook


@dataclass(frozen=True)
class Change:
    """One change: the codebook it produces, what to say about it, and the code ids whose
    decisions move (old id -> new id; empty for edits and retirements)."""

    codebook: Codebook
    summary: str
    moves: tuple[tuple[str, str], ...] = ()


def find_code(codebook: Codebook, code_id: str) -> Code:
    """The code called ``code_id`` (exactly, else case-insensitively when that is unambiguous)."""
    if code_id in codebook.ids:
        return codebook.get(code_id)
    folded = [c for c in codebook.codes if c.id.lower() == code_id.lower()]
    if len(folded) == 1:
        return folded[0]
    raise UnknownNameError(f"no code '{code_id}' in the codebook", did_you_mean(code_id, codebook.ids))


def _with_codes(codebook: Codebook, codes: Sequence[Code]) -> Codebook:
    return replace(codebook, codes=tuple(codes))


def rename_code(codebook: Codebook, code_id: str, new_id: str | None = None,
                label: str | None = None) -> Change:
    """A new id and/or label for a code; children follow a new id."""
    code = find_code(codebook, code_id)
    new_id = new_id.strip() if new_id else code.id
    label = label.strip() if label is not None else code.label
    if not label:
        raise CodebookError(f"code '{code.id}' needs a label")
    if new_id == code.id and label == code.label:
        raise CodebookError(f"renaming '{code.id}' changes nothing", hint="give a new id or --label")
    if new_id != code.id:
        others = replace(codebook, codes=tuple(c for c in codebook.codes if c.id != code.id))
        check_code_id(new_id, others, source="new id")
    codes = [replace(c, id=new_id, label=label) if c.id == code.id else
             (replace(c, parent=new_id) if c.parent == code.id else c) for c in codebook.codes]
    words = [f"'{code.id}' to '{new_id}'"] if new_id != code.id else []
    words += [f"label '{code.label}' to '{label}'"] if label != code.label else []
    return Change(_with_codes(codebook, codes), "renamed " + ", ".join(words),
                  ((code.id, new_id),) if new_id != code.id else ())


def edit_code(codebook: Codebook, code_id: str, *, definition: str | None = None,
              include: Sequence[str] | None = None, exclude: Sequence[str] | None = None,
              keywords: Sequence[str] | None = None, examples: Sequence[str] | None = None,
              group: str | None = None, append: bool = False) -> Change:
    """New text for the fields given (None leaves a field as it is; an empty list clears it);
    with ``append`` the lists given are added to the code's own instead of replacing them."""
    code = find_code(codebook, code_id)
    lists = {"include": include, "exclude": exclude, "keywords": keywords, "examples": examples}
    fields: dict[str, object] = {name: value for name, value in (("definition", definition), ("group", group))
                                 if value is not None}
    for name, items in lists.items():
        if items is not None:
            fields[name] = _clean([*getattr(code, name), *items] if append else items)
    changed = sorted(name for name, value in fields.items() if getattr(code, name) != value)
    if not changed:
        raise CodebookError(f"editing '{code.id}' changes nothing",
                            hint="give at least one of --definition, --include, --exclude, --keywords, --examples")
    updated = replace(code, **fields)
    codes = [updated if c.id == code.id else c for c in codebook.codes]
    return Change(_with_codes(codebook, codes), f"edited '{code.id}' ({', '.join(changed)})")


def merge_codes(codebook: Codebook, source: str, target: str) -> Change:
    """``source`` folds into ``target``: it leaves the codebook, its decisions become target's,
    its children nest under target."""
    a, b = find_code(codebook, source), find_code(codebook, target)
    if a.id == b.id:
        raise CodebookError(f"cannot merge '{a.id}' into itself")
    if b.parent == a.id:
        raise CodebookError(f"cannot merge '{a.id}' into its own child '{b.id}'",
                            hint=f"merge '{b.id}' into '{a.id}' instead")
    codes = [replace(c, parent=b.id) if c.parent == a.id else c for c in codebook.codes if c.id != a.id]
    return Change(_with_codes(codebook, codes), f"merged '{a.id}' into '{b.id}'", ((a.id, b.id),))


def retire_code(codebook: Codebook, code_id: str) -> Change:
    """The code leaves the coding screen and later versions; earlier versions keep it."""
    code = find_code(codebook, code_id)
    children = codebook.children(code.id)
    if children:
        raise CodebookError(f"'{code.id}' has child codes ({', '.join(c.id for c in children)})",
                            hint="retire or merge the children first")
    if len(codebook.codes) == 1:
        raise CodebookError(f"'{code.id}' is the last code; a codebook needs at least one")
    return Change(_with_codes(codebook, [c for c in codebook.codes if c.id != code.id]),
                  f"retired '{code.id}'")


def _clean(items: Sequence[str] | None) -> tuple[str, ...] | None:
    if items is None:
        return None
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))
