"""`?`: every key of a screen, built from its bindings so the list cannot drift from the keys."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

INTRO = ("Read the response, toggle codes with their number (or pick one by name with c), "
         "press enter when the response is done. Every toggle is saved the moment it shows. "
         "Ctrl+P opens the command palette: add a code, change order, filter, review by code.")


class HelpScreen(ModalScreen[None]):
    """The key list of the coding screen by default; other screens pass their own title and intro."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]], *, title: str = "Keys",
                 intro: str = INTRO) -> None:
        super().__init__()
        self.rows = rows
        self.title_text = title
        self.intro = intro

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        for keys, description, _ in self.rows:
            table.add_row(keys, description)
        with VerticalScroll(classes="dialog -tall", id="help"):
            yield Label(f"{self.title_text} (escape closes)", classes="dialog-title")
            yield Static(self.intro, classes="help-intro")
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
