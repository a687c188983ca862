"""The adjudication screen's look before each save at what other sessions changed.

While the screen is open the project's owner can change the codebook and a coder can change
their codes in another session. A save from what the screen read at the start went wrong both
ways: a renamed code's save was refused on every try, and a set taken from a stale column put
codes into consensus that the coder no longer held. So each save first reads the codebook
version and the coders' codes on that one response; if anything moved, the screen reads the
disagreements and the codebook again and says so instead of saving. Mixed into
:class:`~codewell.tui.screens.adjudicate.AdjudicateScreen`, which owns the walk and draws it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codewell.tui.literal import printable
from codewell.tui.widgets.consensus_list import ConsensusList

if TYPE_CHECKING:
    from codewell.adjudication import Disagreement
    from codewell.project import Project
    from codewell.tui.adjudicate_app import Walk
    from codewell.values import Codebook


class LookBeforeSave:
    """Reading the codebook, and reading again when a save finds it stale (``self`` is an
    AdjudicateScreen)."""

    project: Project
    coders: tuple[str, ...]
    walk: Walk
    codebook_version: int
    codebook: Codebook
    #: code id -> its label as drawn; code id -> its place in the codebook (for sorting)
    labels: dict[str, str]
    order: dict[str, int]

    def _read_codebook(self) -> None:
        """Read the codebook the screen draws from, and its version, which each save checks."""
        self.codebook_version, self.codebook = self.project.versioned_codebook()
        self.labels = {code.id: printable(code.label) for code in self.codebook.codes}
        self.order = {code.id: i for i, code in enumerate(self.codebook.codes)}

    async def _caught_up(self, d: Disagreement) -> bool:
        """Before a save: has another session changed the codebook, or a coder's codes on ``d``,
        since this screen read them? Then read everything again and say so instead of saving (a
        renamed code's save was refused on every try, and a set taken from a stale column put
        codes into consensus that the coder no longer held). Read once per save, for the one
        response: reading every coder's codings took 0.7-0.9 s each at 100,000 coded responses."""
        if self.project.codebook_version != self.codebook_version:
            await self.reload()
            self.notify(f"The codebook changed in another session: the codes shown are now version "
                        f"{self.codebook_version}'s. Nothing was saved: choose again, then save.",
                        title="Not saved: the codebook changed", severity="warning", timeout=10)
            return True
        changed = [coder for coder in self.coders
                   if self.project.codes_for(coder, d.response.id) != d.codes[coder]]
        if not changed:
            return False
        await self.reload()
        self.notify(f"{' and '.join(changed)} changed their codes on {d.response.id} in another session: "
                    "the columns now show what each coder holds. Nothing was saved: look again, then save.",
                    title="Not saved: the coders' codes changed", severity="warning", timeout=10)
        return True

    async def reload(self) -> None:
        """Read the disagreements and the codebook again, staying on the same response when it
        is still one; unsaved choices on responses still in dispute, whose codes all still
        exist, are kept."""
        from codewell.tui.adjudicate_app import Walk

        old = self.walk
        here = None if old.current is None else old.current.response.id
        self._read_codebook()
        walk = Walk(self.project.adjudication(self.coders), old.carried)
        walk.revisit = old.revisit
        # a response no longer in dispute (its coders now agree) cannot be reached to save: its
        # unsaved choice goes, or quitting would warn about a choice nobody can save
        still = {d.response.id for d in walk.items}
        walk.drafts = {rid: codes for rid, codes in old.drafts.items()
                       if rid in still and codes <= set(self.codebook.ids)}
        found = next((i for i, d in enumerate(walk.items) if d.response.id == here), None)
        if found is not None:
            walk.position = found
        self.walk = walk
        checklist = self.query_one(ConsensusList)
        if checklist.codes != self.codebook.codes:
            checklist.codes = tuple(self.codebook.codes)
            checklist.cursor = min(checklist.cursor, max(len(checklist.codes) - 1, 0))
            await checklist.recompose()
        self.redraw()
