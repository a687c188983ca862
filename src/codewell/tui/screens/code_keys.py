"""`0` then a letter: the codes after the ninth, two keys away like the first nine are one."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from codewell.tui.literal import printable
from codewell.values import Code
from codewell.tui.widgets.code_list import code_key, position_of_letter


class CodeKeyScreen(ModalScreen[str | None]):
    """Lists codes 10 and up with their letters; dismisses with the code whose letter is typed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="code_keys.cancel")]

    def __init__(self, codes: tuple[Code, ...]) -> None:
        super().__init__()
        self.codes = codes

    def compose(self) -> ComposeResult:
        listing = Text()
        for position, code in enumerate(self.codes[9:], start=9):
            key = code_key(position)
            if key:
                listing.append(f"{key[1]}  ", style="bold")
                listing.append(f"{printable(code.label)}\n")
        with Vertical(classes="dialog"):
            # Two short lines: one long title was cut at 80 columns ("c finds any c").
            yield Label(Text.assemble("Codes 10 and up: press the letter\n",
                                      ("escape cancels · c finds any code by name", "dim not bold")),
                        classes="dialog-title")
            yield Static(listing, id="code-keys")

    def on_key(self, event: events.Key) -> None:
        position = position_of_letter(event.character or "")
        if position is not None and position < len(self.codes):
            event.stop()
            self.dismiss(self.codes[position].id)

    def action_cancel(self) -> None:
        self.dismiss(None)
