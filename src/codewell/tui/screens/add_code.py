"""Add a code while coding (inductive coding): stored as a new codebook version."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from codewell.values import Code

CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def code_id_for(label: str) -> str:
    """A valid code id from a label: "Data privacy" -> "data_privacy"."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug if slug[:1].isalpha() else f"code_{slug}".rstrip("_")


class AddCodeScreen(ModalScreen[Code | None]):
    """Label (required), group and definition; the id comes from the label."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add_code.cancel")]

    def __init__(self, existing: tuple[str, ...]) -> None:
        super().__init__()
        self.existing = existing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add a code (enter in the last field saves, escape cancels)",
                        classes="dialog-title")
            yield Input(placeholder="label, e.g. Data privacy", id="code-label")
            yield Input(placeholder="group (optional), e.g. risk", id="code-group")
            yield Input(placeholder="definition (optional)", id="code-definition")
            yield Label("", id="code-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "code-definition":
            self.focus_next()
            return
        label = self.query_one("#code-label", Input).value.strip()
        code_id = code_id_for(label) if label else ""
        error = self.query_one("#code-error", Label)
        if not label:
            error.update("A code needs a label.")
            self.query_one("#code-label", Input).focus()
        elif not CODE_ID.match(code_id):
            error.update(f"Cannot make a code id from '{label}'.")
        elif code_id in self.existing:
            error.update(f"There is already a code '{code_id}'.")
        else:
            self.dismiss(Code(id=code_id, label=label,
                              group=self.query_one("#code-group", Input).value.strip(),
                              definition=self.query_one("#code-definition", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
