"""The adjudicator's working consensus, as a checklist of every current code.

A widget of its own, not part of the screen: it has its own keys (a focused checklist's up,
down, space and numbers win over the screen's), its own ids in the keymap (``consensus.*``,
which the settings check reads from :attr:`ConsensusList.BINDINGS`), and knows nothing of
disagreements or saving: it shows the codes it is given and posts what the adjudicator ticked.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from codewell.tui.literal import printable
from codewell.values import Code


class ConsensusRow(Static):
    """One code of the working consensus; a click toggles it."""

    class Clicked(Message):
        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    def __init__(self, code: Code, position: int) -> None:
        super().__init__(classes="consensus-row")
        self.code = code
        self.position = position

    def show(self, checked: bool, note: str, disputed: bool, cursor: bool) -> None:
        self.set_class(checked, "-checked")
        self.set_class(disputed, "-disputed")
        self.set_class(cursor, "-cursor")
        key = str(self.position + 1) if self.position < 9 else " "
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("›" if cursor else " ", style="bold")
        line.append(f"{key} ", style="bold")
        line.append("[x] " if checked else "[ ] ", style="bold" if checked else "")
        line.append(printable(self.code.label), style="bold" if checked else "")
        if note:
            line.append(f"  {note}", style="bold" if disputed else "dim")
        self.update(line)

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.code.id))


class ConsensusList(VerticalScroll, can_focus=True):
    """The working consensus as a checklist. Focused (key ``e``), its own keys win: up/down move,
    space toggles the highlighted code, a number toggles that code, escape hands keys back."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("space", "toggle_cursor", "Toggle", id="consensus.toggle",
                tooltip="Add or remove the highlighted code"),
        *(Binding(str(n), f"toggle_number({n})", f"Toggle {n}", id=f"consensus.toggle_{n}",
                  group=Binding.Group("Toggle code", compact=True), tooltip=f"Add or remove code {n}")
          for n in range(1, 10)),
        Binding("escape", "leave", "Done editing", id="consensus.leave"),
    ]

    class Changed(Message):
        def __init__(self, codes: frozenset[str]) -> None:
            super().__init__()
            self.codes = codes

    def __init__(self, codes: Sequence[Code], **kwargs) -> None:
        super().__init__(**kwargs)
        self.codes = tuple(codes)
        self.selected: frozenset[str] = frozenset()
        self.cursor = 0
        self.notes: dict[str, tuple[str, bool]] = {}

    def compose(self) -> ComposeResult:
        for i, code in enumerate(self.codes):
            yield ConsensusRow(code, i)

    def show(self, selected: frozenset[str], notes: dict[str, tuple[str, bool]]) -> None:
        """Draw ``selected`` as checked; ``notes``: code -> (who applied it, disputed?)."""
        self.selected = selected
        self.notes = notes
        self._draw()

    def _draw(self) -> None:
        for row in self.query(ConsensusRow):
            note, disputed = self.notes.get(row.code.id, ("", False))
            row.show(row.code.id in self.selected, note, disputed, self.has_focus and row.position == self.cursor)

    def toggle(self, code: str) -> None:
        self.selected = self.selected ^ {code}
        self._draw()
        self.post_message(self.Changed(self.selected))

    def on_focus(self) -> None:
        self._draw()

    def on_blur(self) -> None:
        self._draw()

    def action_cursor(self, step: int) -> None:
        if not self.codes:
            return
        self.cursor = max(0, min(len(self.codes) - 1, self.cursor + step))
        self._draw()
        self.scroll_to_widget(self.query(ConsensusRow)[self.cursor], animate=False)

    def action_toggle_cursor(self) -> None:
        if self.codes:
            self.toggle(self.codes[self.cursor].id)

    def action_toggle_number(self, n: int) -> None:
        if 0 < n <= len(self.codes):
            self.cursor = n - 1
            self.toggle(self.codes[n - 1].id)

    def action_leave(self) -> None:
        self.screen.set_focus(None)

    def on_consensus_row_clicked(self, event: ConsensusRow.Clicked) -> None:
        event.stop()
        self.cursor = self.codes.index(next(c for c in self.codes if c.id == event.code))
        self.toggle(event.code)
