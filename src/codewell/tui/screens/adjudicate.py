"""The adjudication screen: one disagreement at a time, the coders side by side, a consensus to save.

The app's :class:`~codewell.tui.adjudicate_app.Walk` keeps the place among the disagreements and
the unsaved working sets; the screen draws it. Saving goes through ``project.settle`` (a committed
transaction) before anything on screen says "saved". The consensus checklist is
:mod:`codewell.tui.widgets.consensus_list`; the look, before each save, at what other sessions
changed is :mod:`codewell.tui.screens.adjudicate_elsewhere`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from codewell.tui.keys import screen_bindings
from codewell.tui.literal import printable
from codewell.adjudication import Disagreement
from codewell.errors import CodewellError, ProjectBusyError
from codewell.tui.screens.adjudicate_elsewhere import LookBeforeSave
from codewell.tui.widgets.consensus_list import ConsensusList
from codewell.tui.widgets.header import progress_bar

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.tui.adjudicate_app import Walk

TAKE = Binding.Group("Take set", compact=True)
ADJUDICATE_BINDINGS = [
    *(Binding(str(n), f"take({n})", f"Coder {n}", id=f"adjudicate.take_{n}", group=TAKE,
              tooltip=f"Take coder {n}'s whole code set as the consensus") for n in range(1, 10)),
    Binding("u", "union", "Union", id="adjudicate.union",
            tooltip="Take every code any coder applied"),
    Binding("i", "agreed", "Agreed", id="adjudicate.agreed",
            tooltip="Take only the codes all coders agreed on (the intersection)"),
    Binding("e", "edit", "Edit", id="adjudicate.edit",
            tooltip="Edit the consensus: space or a code's number toggles it, escape returns"),
    Binding("enter", "save", "Save", id="adjudicate.save",
            tooltip="Save the consensus for this response and go to the next disagreement"),
    Binding("n", "next", "Next", id="nav.next", tooltip="Next disagreement (without saving)"),
    Binding("p", "previous", "Prev", id="nav.previous", tooltip="Previous disagreement (without saving)"),
    Binding("a", "revisit", "All", id="adjudicate.revisit",
            tooltip="Walk through all disagreements, settled ones too (press again: unsettled only)"),
    Binding("v", "agreement", "Agreement", id="agreement.view",
            tooltip="Per-code agreement table of the coders, with readings"),
    Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
    Binding("q", "quit", "Quit", id="app.quit"),
]
NEEDS_ITEM = {"take", "union", "agreed", "edit", "save"}


#: How long saving a settlement waits for another process's lock before asking to try again.
SAVE_WAIT = 2.0


def coder_column(coder: str, number: int, d: Disagreement, labels: dict[str, str],
                 order: dict[str, int]) -> Group:
    """A coder's codes and memo: "=" agreed, "+" only some coders applied it, "-" others did.

    One line per code, cut with an ellipsis where the column is narrow (three coders at 80
    columns): wrapped, "- Understanding" broke into "-", "Understandin", "g", and the codes no
    longer lined up across the columns. The consensus list beside them names each code whole.
    """
    mine = d.codes[coder]
    lines = [Text.assemble((f"{number} " if number <= 9 else "  ", "bold reverse"), (f" {coder}", "bold"),
                           no_wrap=True, overflow="ellipsis")]
    for code in sorted(mine | d.disputed, key=lambda c: order.get(c, len(order))):
        label = labels.get(code, code)
        mark, style = ("=", "") if code in d.agreed else ("+", "bold") if code in mine else ("-", "dim strike")
        lines.append(Text(f"{mark} {label}", style=style, no_wrap=True, overflow="ellipsis"))
    if not mine:
        lines.append(Text("(no codes)", style="italic"))
    memo = d.memos.get(coder, "")
    if memo:
        lines.append(Text.assemble(("memo: ", "bold"), (printable(memo), "italic")))
    return Group(*lines)


class AdjudicateScreen(LookBeforeSave, Screen):
    """Progress line, the response, one column per coder plus the consensus, and the footer."""

    BINDINGS = ADJUDICATE_BINDINGS
    AUTO_FOCUS = "#adj-response"

    def __init__(self, project: Project, coders: Sequence[str], walk: Walk) -> None:
        super().__init__(id="adjudicate")
        self.project = project
        self.coders = tuple(coders)
        self.walk = walk
        self._quit_warned = False
        self._read_codebook()

    def compose(self) -> ComposeResult:
        yield Static(id="adj-progress")
        with VerticalScroll(id="adj-response"):
            yield Static(id="adj-meta")
            yield Static(id="adj-text")
        with Horizontal(id="adj-panel"):
            for i, coder in enumerate(self.coders):
                with VerticalScroll(classes="coder-column", id=f"coder-{i + 1}", can_focus=False):
                    yield Static(classes="coder-codes")
            with Vertical(id="adj-consensus"):
                yield Static(id="consensus-title")
                yield ConsensusList(self.codebook.codes, id="consensus-list")
        yield Static(id="adj-finished")
        yield Footer()

    def on_mount(self) -> None:
        self.redraw()

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self) -> None:
        walk = self.walk
        d = walk.current
        self.set_class(d is None, "-finished")
        self.query_one("#adj-progress", Static).update(self._progress_line())
        self.refresh_bindings()
        if d is None:
            self.query_one("#adj-finished", Static).update(self._finished_text())
            return
        meta = Text()
        meta.append(printable(d.response.id), style="bold")
        meta.append(f"  row {d.response.row}", style="dim")
        if d.settled is not None:
            meta.append("  settled", style="bold reverse")
        for i, (name, value) in enumerate((n, v) for n, v in d.response.attributes.items() if v):
            meta.append("\n" if i == 0 else " · ")
            meta.append(f"{printable(name)}: ", style="dim")
            meta.append(printable(value))
        self.query_one("#adj-meta", Static).update(meta)
        body = Text(printable(d.response.text)) if not d.response.is_empty else Text("(empty response)", style="dim italic")
        self.query_one("#adj-text", Static).update(body)
        self.query_one("#adj-response", VerticalScroll).scroll_home(animate=False)
        for i, coder in enumerate(self.coders):
            column = self.query_one(f"#coder-{i + 1}", VerticalScroll)
            column.query_one(".coder-codes", Static).update(
                coder_column(coder, i + 1, d, self.labels, self.order))
            column.scroll_home(animate=False)
        self.redraw_consensus()

    def redraw_consensus(self) -> None:
        d = self.walk.current
        if d is None:
            return
        notes: dict[str, tuple[str, bool]] = {code: ("agreed", False) for code in d.agreed}
        for code in d.disputed:
            notes[code] = (", ".join(c for c in self.coders if code in d.codes[c]) + " only", True)
        working = self.walk.working(d)
        self.query_one(ConsensusList).show(working, notes)
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("consensus", style="bold")
        if d.response.id in self.walk.drafts:
            title.append(" unsaved", style="bold reverse")
        elif d.settled is not None:
            title.append(" saved")
        title.append(" · editing" if self.query_one(ConsensusList).has_focus else " · e edit, ⏎ save",
                     style="dim")
        self.query_one("#consensus-title", Static).update(title)

    def _progress_line(self) -> Text:
        walk = self.walk
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("adjudicate ", style="bold")
        line.append(" vs ".join(self.coders))
        line.append(f" · {walk.progress()} ")
        line.append(progress_bar(walk.settled, walk.total, 12), style="green")
        if walk.revisit:
            line.append("  [all, settled too]", style="bold")
        return line

    def _finished_text(self) -> Text:
        walk, plan = self.walk, self.walk.plan
        text = Text()
        text.append("All disagreements settled.\n\n", style="bold")
        text.append(f"{len(plan.compared)} responses finished by {', '.join(self.coders)} were compared:\n")
        text.append(f"  {len(plan.unanimous)} identical, carried into consensus as they were\n")
        text.append(f"  {walk.total} disagreements, {walk.settled} settled\n")
        text.append(f"  {walk.carried} agreed codings carried in this session\n\n")
        text.append("a revisit them · v agreement · q quit", style="dim")
        return text

    # -- keys -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_ITEM and self.walk.current is None:
            return False
        if action == "take":
            return int(parameters[0]) <= len(self.coders)
        return True

    def _take(self, codes: frozenset[str]) -> None:
        """Make ``codes`` the working consensus, less any code no longer in the codebook (a coder's
        codings keep a retired code, but consensus cannot take it: every save was refused with
        "no code", and the checklist, which lists current codes only, could not untick it)."""
        gone = codes - set(self.codebook.ids)
        if gone:
            self.notify(f"{', '.join(sorted(gone))}: no longer in the codebook (retired), so not taken into "
                        "consensus.", timeout=6)
        self.walk.set_working(codes - gone)
        self.redraw_consensus()

    def action_take(self, n: int) -> None:
        d = self.walk.current
        if d is not None and 0 < n <= len(self.coders):
            self._take(d.codes[self.coders[n - 1]])

    def action_union(self) -> None:
        d = self.walk.current
        if d is not None:
            self._take(d.agreed | d.disputed)

    def action_agreed(self) -> None:
        d = self.walk.current
        if d is not None:
            self._take(d.agreed)

    def action_edit(self) -> None:
        # Focus now, not after the next refresh: a number typed right after e must toggle a code.
        self.set_focus(self.query_one(ConsensusList))

    def on_consensus_list_changed(self, event: ConsensusList.Changed) -> None:
        self._take(event.codes)

    def on_descendant_focus(self) -> None:
        self.redraw_consensus()

    def on_descendant_blur(self) -> None:
        self.redraw_consensus()

    async def action_save(self) -> None:
        d = self.walk.current
        if d is None:
            return
        codes = self.walk.working(d)
        try:
            if await self._caught_up(d):
                return
            self.project.settle(d.response.id, codes, wait=SAVE_WAIT)
        except ProjectBusyError:
            self.notify("The project is busy (another process is writing to it). Your choice is still on "
                        "screen: press the save key again in a moment.", title="Not saved yet",
                        severity="warning", timeout=6)
            return
        except CodewellError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        self.walk.mark_settled(codes)
        chosen = ", ".join(self.labels.get(c, c) for c in sorted(codes, key=lambda c: self.order.get(c, 0))) or "no codes"
        # One "saved" message at a time: at a save every few hundred milliseconds the last ones
        # stacked up over the coders' columns and the consensus being chosen next. Whatever came
        # before (a busy project, an earlier failure) is answered by this save.
        self.app.clear_notifications()
        self.notify(f"saved {d.response.id}: {chosen}", timeout=3)
        self.set_focus(None)
        self.redraw()

    def _move(self, direction: int) -> None:
        if self.walk.move(direction):
            self.redraw()
        else:
            self.notify("No more disagreements that way." if self.walk.revisit
                        else "No more unsettled disagreements that way (a shows all).", timeout=2)

    def action_next(self) -> None:
        self._move(1)

    def action_previous(self) -> None:
        self._move(-1)

    def action_revisit(self) -> None:
        self.walk.toggle_revisit()
        self.notify("Showing all disagreements, settled too." if self.walk.revisit
                    else "Showing unsettled disagreements only.", timeout=2)
        self.redraw()

    def action_agreement(self) -> None:
        from codewell.tui.screens.agreement_view import AgreementScreen

        self.app.push_screen(AgreementScreen(self.project.location, self.coders))

    def action_help(self) -> None:
        from codewell.tui.adjudicate_app import AdjudicateHelp

        self.app.push_screen(AdjudicateHelp(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) of this screen's keys and the checklist's."""
        rows: list[tuple[str, str, str]] = []
        takes = []
        keymap = getattr(self.app, "keymap", {})
        for binding in screen_bindings(self, keymap):
            if binding.group is TAKE:
                takes.append(self.app.get_key_display(binding))
                continue
            rows.append((self.app.get_key_display(binding), binding.tooltip or binding.description, binding.id))
        if takes:
            names = ", ".join(f"{i + 1} = {c}" for i, c in enumerate(self.coders[:9]))
            rows.insert(0, (f"{takes[0]}-{takes[min(len(self.coders), 9) - 1]}",
                            f"Take that coder's whole set ({names})", "adjudicate.take_1..9"))
        checklist = self.query_one(ConsensusList)
        for binding in screen_bindings(checklist, keymap):
            if not binding.id.startswith("consensus.toggle_"):
                rows.append((f"{self.app.get_key_display(binding)} (editing)",
                             binding.tooltip or binding.description, binding.id))
        rows.append(("1-9 (editing)", "Add or remove the code with that number", "consensus.toggle_1..9"))
        return rows

    def action_quit(self, key: str = "q") -> None:
        """Quit, but first say once which consensus choices on screen are not saved yet."""
        drafts = self.walk.drafts
        if drafts and not self._quit_warned:
            self._quit_warned = True
            ids = ", ".join(sorted(drafts)[:5]) + (" …" if len(drafts) > 5 else "")
            self.notify(f"The consensus chosen for {ids} is not saved: enter saves it. "
                        f"Press {key} again to quit without it.", title="Not saved yet",
                        severity="warning", timeout=8)
            return
        self.app.exit()
