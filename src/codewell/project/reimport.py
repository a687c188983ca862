"""What importing a file again finds in the rows the project already holds.

A response is known by its id. Another text under a known id is refused: the id no longer names
one response. Other attribute values are ordinary (a corrected site, a column added to the survey
export) but they feed every export and every agreement by group, so they are never taken
silently: by default the stored values stay and the import says which differ; told to, the
import takes the file's values, keeping stored attributes the file does not name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codewell.errors import DataFileError
from codewell.values import Response

SHOWN = 3  # changes spelled out in the note; the rest are counted


@dataclass
class AttributeChanges:
    """Known responses whose file row holds attribute values the store does not, in file order."""

    merged: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> stored values updated by the file's
    examples: list[str] = field(default_factory=list)

    def add(self, responses: Iterable[Response], stored: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        """Compare ``responses`` with the ``stored`` attributes of those already stored; returns
        this block's changes (id -> merged values) and keeps them."""
        found: dict[str, dict[str, str]] = {}
        for response in responses:
            before = stored.get(response.id)
            if before is None:
                continue
            differing = {name: value for name, value in response.attributes.items() if before.get(name, "") != value}
            if not differing:
                continue
            found[response.id] = {**before, **response.attributes}
            if len(self.examples) < SHOWN:
                self.examples.append(f"{response.id}: " + ", ".join(
                    f"{name} {before[name]!r} → {value!r}" if name in before else f"{name} {value!r} (new)"
                    for name, value in differing.items()))
        self.merged.update(found)
        return found

    def note(self, taken: bool) -> str | None:
        """The line the import prints, or None when nothing differs."""
        if not self.merged:
            return None
        count = len(self.merged)
        more = f"; and {count - len(self.examples)} more" if count > len(self.examples) else ""
        listed = "; ".join(self.examples) + more
        if taken:
            return f"updated the attributes of {count} response(s) already in the project from this file ({listed})."
        return (f"{count} response(s) already in the project have other attribute values in this file "
                f"({listed}). The stored values were kept: add --update-attributes to take the file's.")


def changed_texts(source: str | Path, changed: Sequence[str]) -> DataFileError:
    """The refusal of ids already stored with another text (``changed`` sorted)."""
    return DataFileError(
        f"{source}: {len(changed)} response id(s) already in the project with different text: "
        + ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else ""),
        hint="ids must identify one response; use --id-column to pick another id column")
