"""`g`: jump to a response by its survey id (any case, when that is unambiguous), with "did you
mean" for near misses."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from codewell.fuzzy import did_you_mean
from codewell.tui.screens.typeahead_field import TypeaheadField


def match_id(wanted: str, ids: dict[str, int]) -> str | None:
    """``wanted`` as written, else the one id equal to it ignoring case ("is459" -> "IS459")."""
    if wanted in ids:
        return wanted
    folded = wanted.casefold()
    matches = [rid for rid in ids if rid.casefold() == folded] if len(ids) <= 200_000 else []
    return matches[0] if len(matches) == 1 else None


class GotoScreen(TypeaheadField[str | None]):
    """Dismisses with an existing response id, or None on escape."""

    FIELD = AUTO_FOCUS = "#goto-id"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def __init__(self, ids: dict[str, int]) -> None:
        super().__init__()
        self.ids = ids

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Go to response id", classes="dialog-title")
            yield Input(placeholder="id", id="goto-id")
            yield Label("", id="goto-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        wanted = event.value.strip()
        found = match_id(wanted, self.ids)
        if found is not None:
            self.dismiss(found)
            return
        hint = did_you_mean(wanted, self.ids) if len(self.ids) <= 20_000 else None
        self.query_one("#goto-error", Label).update(
            f"No response '{wanted}'" + (f" ({hint})" if hint else ""))

    def action_cancel(self) -> None:
        self.dismiss(None)
