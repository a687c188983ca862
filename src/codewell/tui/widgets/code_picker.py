"""`c`: pick a code by typing part of its name, for codebooks with more codes than number keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from codewell.tui.literal import printable
from codewell.values import Code
from codewell.tui.widgets.filter_choice import FilterChoice


def rank_codes(query: str, codes: tuple[Code, ...], limit: int = 20) -> list[Code]:
    """Codes best matching ``query`` (label, id, group and keywords, typo-tolerant)."""
    if not query.strip():
        return list(codes[:limit])
    from rapidfuzz import fuzz, process, utils

    choices = {i: " ".join((c.label, c.id.replace("_", " "), c.group, *c.keywords))
               for i, c in enumerate(codes)}
    hits = process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                           limit=limit, score_cutoff=50)
    return [codes[key] for _, _, key in hits]


class CodePicker(FilterChoice[str]):
    """Dismisses with the chosen code id, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, codes: tuple[Code, ...], applied: frozenset[str]) -> None:
        super().__init__()
        self.codes = codes
        self.applied = applied

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Toggle a code (type to filter, enter to choose)", classes="dialog-title")
            yield Input(placeholder="code name", id="picker-query")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for code in rank_codes(query, self.codes):
            mark = "[x]" if code.id in self.applied else "[ ]"
            prompt = Text(f"{mark} {printable(code.label)}")
            if code.group:
                prompt.append(f"  {printable(code.group)}", style="dim")
            options.add_option(Option(prompt, id=code.id))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)
