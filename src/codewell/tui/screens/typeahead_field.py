"""A dialog with one text field that keeps the keys typed before the field had focus.

A coder types `g` and the id straight after it (`gIS002` then enter), or `/` and the words: the
dialog opens at once, but its field takes focus a moment later, and the keys in between reached
the dialog itself and were dropped, so enter then looked up an empty id ("No response ''").
Here those keys go to the field, in the order typed, and so do keys the coding screen hands on
(see ``CodingScreen.on_key``).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import events
from textual.screen import ModalScreen
from textual.widgets import Input

T = TypeVar("T")


class TypeaheadField(ModalScreen[T], Generic[T]):
    """Subclasses name their field in ``FIELD`` (a CSS selector) and focus it on opening."""

    FIELD = "Input"
    TAKES_TYPEAHEAD = True

    def on_key(self, event: events.Key) -> None:
        field = self.query_one(self.FIELD, Input)
        if event.is_printable and event.character:  # the field stops the keys it gets itself
            event.stop()
            event.prevent_default()
            field.insert_text_at_cursor(event.character)
            self.set_focus(field)
        elif self.focused is not field and event.key in ("enter", "backspace"):
            event.stop()
            event.prevent_default()
            self.set_focus(field)
            if event.key == "backspace":
                field.action_delete_left()
            else:
                field.post_message(Input.Submitted(field, field.value))
