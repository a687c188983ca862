"""A modal of "type to filter, pick one": the shared behaviour of code picker and search.

Typing stays in the input while up/down move the highlight; enter or a click chooses; escape
gives None. Subclasses fill the option list and say what an option id means.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import events
from textual.widgets import Input, OptionList

from codewell.tui.screens.typeahead_field import TypeaheadField

T = TypeVar("T")


class FilterChoice(TypeaheadField[T | None], Generic[T]):
    """Typed-ahead keys go to the filter field (``FIELD``), the first Input."""

    def result_for(self, option_id: str) -> T:
        """The value the screen dismisses with for the option whose id is ``option_id``."""
        return option_id  # type: ignore[return-value]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option_id = options.get_option_at_index(options.highlighted).id
            if option_id is not None:
                self.dismiss(self.result_for(option_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.result_for(event.option.id))

    def on_key(self, event: events.Key) -> None:
        options = self.query_one(OptionList)
        if event.key in ("down", "up") and options.option_count:
            current = options.highlighted or 0
            step = 1 if event.key == "down" else -1
            options.highlighted = max(0, min(options.option_count - 1, current + step))
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)
