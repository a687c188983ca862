"""`m`: write or change the coder's memo on the current response (empty deletes it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from codewell.tui.screens.typeahead_field import TypeaheadField


class MemoScreen(TypeaheadField[str | None]):
    """Dismisses with the new memo text on enter, or None on escape (nothing changes)."""

    FIELD = AUTO_FOCUS = "#memo-text"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="memo.cancel")]

    def __init__(self, response_id: str, text: str, *, draft: str | None = None) -> None:
        """``text``: the memo as stored; ``draft``: what the box starts with, when not that
        (a memo the coder typed that is not saved yet)."""
        super().__init__()
        self.response_id = response_id
        self.text = text
        self.draft = text if draft is None else draft

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Memo on {self.response_id} (enter saves, escape cancels, empty deletes)",
                        classes="dialog-title", markup=False)
            # The cursor after the memo, nothing selected: the first key typed adds to a memo
            # opened again instead of replacing all of it (an earlier thought lost to one key).
            yield Input(self.draft, placeholder="a note for yourself or the team", id="memo-text",
                        select_on_focus=False)

    @property
    def unsaved(self) -> bool:
        """Whether the text typed differs from the memo as stored (quitting would lose it)."""
        return self.query_one(Input).value.strip() != self.text.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
