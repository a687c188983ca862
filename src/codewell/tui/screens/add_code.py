"""Add a code while coding (inductive coding): stored as a new codebook version.

Fast typists reach this dialog from the palette with their next keys already on the way: a key
that arrives before any field has focus goes to the label (and a Tab then to the field after
it), never to whatever field focus lands on later. The id is shown, and follows the label until
the coder edits it, so the code is never created under an id nobody saw.
"""

from __future__ import annotations

import re

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from codewell.values import Code

CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
FIELDS = ("code-label", "code-id", "code-group", "code-definition")


def code_id_for(label: str) -> str:
    """A valid code id from a label: "Data privacy" -> "data_privacy"."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug if slug[:1].isalpha() else f"code_{slug}".rstrip("_")


class AddCodeScreen(ModalScreen[Code | None]):
    """Label (required), id (from the label), group and definition."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add_code.cancel")]
    AUTO_FOCUS = "#code-label"
    TAKES_TYPEAHEAD = True  # the coding screen hands on keys typed before this dialog was ready

    def __init__(self, existing: tuple[str, ...]) -> None:
        super().__init__()
        self.existing = existing
        self._id_edited = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add a code (enter moves on, enter in the last field saves, escape cancels)",
                        classes="dialog-title")
            yield Input(placeholder="label, e.g. Data privacy", id="code-label", select_on_focus=False)
            yield Input(placeholder="id (made from the label)", id="code-id")
            yield Input(placeholder="group (optional), e.g. risk", id="code-group")
            yield Input(placeholder="definition (optional)", id="code-definition")
            yield Label("", id="code-error", markup=False)

    def on_key(self, event: events.Key) -> None:
        """Tab, enter and characters that reach the dialog itself, in the order typed.

        Keys typed before the dialog was ready are handed to it by the coding screen rather than
        to a field; so moving between fields and saving are done here, at once, for every key,
        never left to a binding that would run after the characters that follow it.
        """
        focused = self.focused if isinstance(self.focused, Input) else None
        if event.key in ("tab", "shift+tab", "enter"):
            event.stop()
            event.prevent_default()
            here = focused.id if focused is not None else None
            if event.key == "enter" and here == FIELDS[-1]:
                self.save()
                return
            step = -1 if event.key == "shift+tab" else 1
            index = FIELDS.index(here) + step if here in FIELDS else (0 if event.key == "enter" else 1)
            self.set_focus(self.query_one(f"#{FIELDS[index % len(FIELDS)]}", Input))  # now, not later
        elif event.is_printable and event.character:
            event.stop()
            target = focused or self.query_one("#code-label", Input)
            target.insert_text_at_cursor(event.character)
            self.set_focus(target)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "code-label" and not self._id_edited:
            self.query_one("#code-id", Input).value = code_id_for(event.value) if event.value.strip() else ""
        elif event.input.id == "code-id":
            label = self.query_one("#code-label", Input).value
            self._id_edited = event.value != (code_id_for(label) if label.strip() else "")

    def save(self) -> None:
        label = self.query_one("#code-label", Input).value.strip()
        # The id field follows the label through Changed messages that may not have landed yet.
        code_id = self.query_one("#code-id", Input).value.strip() if self._id_edited else code_id_for(label)
        error = self.query_one("#code-error", Label)
        if not label:
            error.update("A code needs a label.")
            self.query_one("#code-label", Input).focus()
        elif not CODE_ID.match(code_id):
            error.update(f"'{code_id}' cannot be a code id: lower-case letters, digits and _.")
            self.query_one("#code-id", Input).focus()
        elif code_id in self.existing:
            error.update(f"There is already a code '{code_id}'.")
            self.query_one("#code-id", Input).focus()
        else:
            self.dismiss(Code(id=code_id, label=label,
                              group=self.query_one("#code-group", Input).value.strip(),
                              definition=self.query_one("#code-definition", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
