"""Rename, edit, merge or retire a code from the palette: the same changes as
``codewell codebook ...``, each a new codebook version with a reason."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from codewell.values import Code

KINDS = ("rename", "edit", "merge", "retire")
#: kind -> (field id, placeholder, initial value from the code or "") in the order shown
_LISTS = ("include", "exclude", "keywords", "examples")


def _fields(kind: str, code: Code) -> list[tuple[str, str, str]]:
    if kind == "rename":
        return [("new_id", "new id (snake_case)", code.id), ("label", "label", code.label)]
    if kind == "edit":
        return [("definition", "definition", code.definition)] + [
            (name, f"{name}, separated by ';'", "; ".join(getattr(code, name))) for name in _LISTS]
    if kind == "merge":
        return [("into", f"merge '{code.id}' into which code? (its id)", "")]
    return []


class CodebookChangeScreen(ModalScreen[dict[str, Any] | None]):
    """Dismisses with the change's arguments (and ``reason``), or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="codebook_change.cancel")]

    def __init__(self, kind: str, code: Code) -> None:
        super().__init__()
        self.kind = kind
        self.code = code
        self.fields = _fields(kind, code)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.kind.capitalize()} '{self.code.label}' ({self.code.id}): enter moves on, "
                        "enter on the reason saves, escape cancels", classes="dialog-title", markup=False)
            for name, placeholder, value in self.fields:
                yield Label(placeholder)
                yield Input(value=value, placeholder=placeholder, id=f"change-{name}", select_on_focus=False)
            yield Input(placeholder="reason (kept with the new codebook version)", id="change-reason")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "change-reason":
            self.focus_next()
            return
        values: dict[str, Any] = {name: self.query_one(f"#change-{name}", Input).value.strip()
                                  for name, _, _ in self.fields}
        for name in _LISTS:
            if name in values:
                values[name] = [part for part in values[name].split(";")]
        values["reason"] = event.value.strip()
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
