"""Where spaCy's special-case matcher tries a case across a space.

A special case its affixes cut into several tokens (":)" is ":" and ")") is also tried by spaCy's
matcher across whitespace. It never applies there, but it can keep a case beside it from
applying: "( :)x" reads ":", ")" where ":)x" alone reads ":)". The pipeline memoises each run of
non-space text as cut alone, so it asks here whether two runs side by side could hold such a case
(rare), and cuts that text whole instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Joining:
    """The special cases cut into several tokens (``merged``), and for each left part of one
    (its tokens up to a split) the right parts that would finish it (``rights_of``)."""

    merged: frozenset[str]
    rights_of: dict[str, tuple[str, ...]]
    longest_left: int

    def across(self, before: str, after: str) -> bool:
        """Whether the run ``before`` ends with a left part whose right part begins ``after``."""
        for size in range(1, min(len(before), self.longest_left) + 1):
            if any(map(after.startswith, self.rights_of.get(before[-size:], ()))):
                return True
        return False


def joining_of(nlp: Any) -> Joining:
    """The :class:`Joining` of ``nlp``'s tokenizer: each special case cut by its affixes alone,
    as the matcher's patterns are."""
    from spacy.tokenizer import Tokenizer

    cutter = nlp.tokenizer
    by_affixes = Tokenizer(nlp.vocab, rules={}, prefix_search=cutter.prefix_search,
                           suffix_search=cutter.suffix_search, infix_finditer=cutter.infix_finditer,
                           token_match=cutter.token_match, url_match=cutter.url_match)
    merged: set[str] = set()
    rights_of: dict[str, set[str]] = {}
    for case in cutter.rules:
        parts = [token.text for token in by_affixes(case)]
        if len(parts) > 1:
            merged.add(case)
            for k in range(1, len(parts)):
                rights_of.setdefault("".join(parts[:k]), set()).add("".join(parts[k:]))
    return Joining(frozenset(merged), {left: tuple(sorted(rights)) for left, rights in rights_of.items()},
                   max(map(len, rights_of), default=0))
