"""Which responses say nothing: "n/a", "-", "No comment", an empty box.

A non-answer cannot carry a code, so counting it in the denominator would shrink every
percentage. The list is data, not code: ``--non-answers`` replaces it. A response is a
non-answer when, ignoring case, surrounding spaces and trailing full stops or exclamation
marks, it equals one of the entries; an empty response, or one of only spaces, full stops
and exclamation marks, always is.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_NON_ANSWERS: tuple[str, ...] = (
    "n/a", "na", "n.a", "none", "nil", "nothing", "nothing to add", "no comment",
    "no comments", "-", "--", "---", "?", "x",
)


def normalise(text: str) -> str:
    return text.strip().rstrip(".! ").strip().casefold()


class NonAnswers:
    """A membership test over a (normalised) list of non-answers."""

    def __init__(self, entries: Iterable[str] = DEFAULT_NON_ANSWERS) -> None:
        self.entries = tuple(entries)
        self._set = frozenset(normalise(entry) for entry in self.entries) - {""}

    def __call__(self, text: str) -> bool:
        folded = normalise(text)
        return not folded or folded in self._set or text.strip().casefold() in self._set

    @property
    def longest(self) -> int:
        """The most characters a non-answer keeps after :func:`normalise`, case folded (an
        empty or punctuation-only text keeps none)."""
        return max(map(len, self._set), default=0)

    @classmethod
    def parse(cls, option: str | None) -> NonAnswers:
        """From a ``--non-answers`` value: comma-separated entries; None keeps the default list."""
        if option is None:
            return cls()
        return cls(entry.strip() for entry in option.split(",") if entry.strip())
