"""The adjudication app: settle two or more coders' disagreements into the coder ``consensus``.

On start it carries every code all coders agreed on into consensus without asking (marked
"agreed" in the decision log), then opens the first disagreement nobody has settled yet, so
closing and reopening resumes where the adjudicator left off. :class:`Walk` is that place, as
plain state with no widgets, so it can be reasoned about (and tested) without a screen.
Statistics load only when the agreement view is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider

from codewell.adjudication import AdjudicationPlan, Disagreement
from codewell.tui.keys import screen_bindings
from codewell.tui.literal import LiteralNotify
from codewell.tui.screens.adjudicate import AdjudicateScreen
from codewell.tui.screens.help import HelpScreen

HELP_INTRO = ("Only responses every coder marked done are compared; codes they all applied are "
              "already in consensus. For each disagreement take one coder's set, the union or the "
              "agreed codes, or edit the checklist, then press enter: the consensus is saved the "
              "moment it says so. In a coder's column '=' marks an agreed code, '+' a code only "
              "some coders applied and '-' one the others applied. Ctrl+P lists every action.")

Command = tuple[str, str, Callable[[], object]]


class Walk:
    """The adjudicator's place among the disagreements, in file order.

    ``position`` is None in the "all settled" state. Outside revisit mode, moving skips settled
    disagreements, so reopening the app resumes at the first one left.
    """

    def __init__(self, plan: AdjudicationPlan, carried: int) -> None:
        self.plan = plan
        self.items: list[Disagreement] = list(plan.disagreements)
        self.carried = carried
        self.revisit = False
        self.drafts: dict[str, frozenset[str]] = {}
        self.position: int | None = self._first_unsettled()

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def settled(self) -> int:
        return sum(d.settled is not None for d in self.items)

    @property
    def current(self) -> Disagreement | None:
        return None if self.position is None else self.items[self.position]

    def progress(self) -> str:
        if self.position is None:
            return f"all {self.total} disagreements settled"
        return f"disagreement {self.position + 1} of {self.total}, {self.settled} settled"

    def _first_unsettled(self) -> int | None:
        return next((i for i, d in enumerate(self.items) if d.settled is None), None)

    def _step(self, start: int, direction: int) -> int | None:
        i = start + direction
        while 0 <= i < len(self.items):
            if self.revisit or self.items[i].settled is None:
                return i
            i += direction
        return None

    def move(self, direction: int) -> bool:
        """Go to the next (+1) or previous (-1) disagreement in view; False at either end."""
        if self.position is None:
            if not self.items:
                return False
            self.revisit = True
            self.position = 0 if direction > 0 else len(self.items) - 1
            return True
        found = self._step(self.position, direction)
        if found is None:
            return False
        self.position = found
        return True

    def toggle_revisit(self) -> None:
        self.revisit = not self.revisit
        if self.revisit and self.position is None and self.items:
            self.position = 0
        elif not self.revisit and self.current is not None and self.current.settled is not None:
            start = self.position if self.position is not None else -1
            self.position = self._step(start, 1)
            if self.position is None:
                self.position = self._first_unsettled()

    def baseline(self, d: Disagreement) -> frozenset[str]:
        """What consensus holds now: the settled set, else the agreed codes carried in."""
        return d.settled if d.settled is not None else d.agreed

    def working(self, d: Disagreement) -> frozenset[str]:
        return self.drafts.get(d.response.id, self.baseline(d))

    def set_working(self, codes: frozenset[str]) -> None:
        d = self.current
        if d is None:
            return
        if codes == self.baseline(d):
            self.drafts.pop(d.response.id, None)
        else:
            self.drafts[d.response.id] = codes

    def mark_settled(self, codes: frozenset[str]) -> None:
        """Record a save (already committed), then go on to the next disagreement still open."""
        assert self.position is not None
        d = self.items[self.position]
        self.items[self.position] = replace(d, settled=codes)
        self.drafts.pop(d.response.id, None)
        following = self._step(self.position, 1)
        self.position = following if following is not None else self._first_unsettled()
        if self.position is None:
            self.revisit = False


class AdjudicateHelp(HelpScreen):
    """`?` on the adjudication screen: the shared key list with adjudication's own intro."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(rows, title="Adjudication keys", intro=HELP_INTRO)


def adjudicate_commands(app: App, screen: object) -> Iterator[Command]:
    """(title, help, callback) for the palette: each coder's set by name, then the screen's keys."""
    if not isinstance(screen, AdjudicateScreen):
        return
    if screen.walk.current is not None:
        for n, coder in enumerate(screen.coders, 1):
            yield (f"Take {coder}'s codes", "Make this coder's whole set the consensus",
                   partial(screen.action_take, n))
    for binding in screen_bindings(screen, getattr(app, "keymap", {})):
        if binding.action.startswith("take("):
            continue
        if screen.check_action(binding.action, ()):
            yield (binding.tooltip or binding.description, f"key: {app.get_key_display(binding)}",
                   partial(screen.run_action, binding.action))


class AdjudicateCommands(Provider):
    """Offers :func:`adjudicate_commands` in Textual's command palette (ctrl+p)."""

    async def discover(self) -> Hits:
        for title, help_text, callback in adjudicate_commands(self.app, self.screen):
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in adjudicate_commands(self.app, self.screen):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)


class AdjudicateApp(LiteralNotify, App[None]):
    """One adjudicator settling ``coders``' disagreements in one project."""

    CSS_PATH = "adjudicate.tcss"
    TITLE = "codewell adjudicate"
    COMMANDS = App.COMMANDS | {AdjudicateCommands}

    def __init__(self, project_location: str, coders: Sequence[str], *,
                 keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        from codewell.project import Project

        self.project_location = str(project_location)
        self.coders = tuple(coders)
        self.project = Project.open(self.project_location)
        try:  # unknown coder, nothing finished: fail before drawing
            self.plan = self.project.adjudication(self.coders)
        except Exception:
            self.project.close()
            raise
        self.carried = 0
        self.keymap: dict[str, str] = dict(keymap or {})  # binding id -> keys, for help and palette
        if keymap:
            self.set_keymap(dict(keymap))

    @property
    def adjudicate_screen(self) -> AdjudicateScreen:
        return self.get_screen("adjudicate")  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.carried = self.project.carry_agreements(self.coders, self.plan)
        walk = Walk(self.plan, self.carried)
        self.install_screen(AdjudicateScreen(self.project, self.coders, walk), "adjudicate")
        self.push_screen("adjudicate")
        self.notify(f"carried {self.carried} agreed codings into consensus", timeout=4)

    async def action_quit(self) -> None:
        """Textual's ctrl+q (and q on the agreement view) asks first, as the screen's q does."""
        self.adjudicate_screen.action_quit("ctrl+q")

    def on_unmount(self) -> None:
        self.project.close()


def make_adjudicate_app(project_location: str, coders: Sequence[str], *,
                        keymap: Mapping[str, str] | None = None) -> AdjudicateApp:
    """The one way the CLI and the tests build the app (raises CodewellError on a bad project
    or coders who have nothing to compare)."""
    return AdjudicateApp(project_location, coders, keymap=keymap)
