"""What a code means, beside the response: definition, include/exclude notes, examples.

Coders apply a code well when its definition is in front of them, not in a YAML file they
opened once. The panel follows the code cursor (``[`` and ``]``) and the last code toggled.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from codewell.values import Code, Codebook
from codewell.tui.literal import printable


def code_details(code: Code, codebook: Codebook) -> Text:
    """Everything the codebook says about ``code``, as the panel shows it."""
    text = Text()
    text.append(code.label, style="bold")
    text.append(f"  ({code.id})", style="dim")
    if code.group:
        text.append(f"  {code.group}", style="italic")
    if code.parent:
        parent = next((c.label for c in codebook.codes if c.id == code.parent), code.parent)
        text.append(f"\nunder {parent}", style="dim")
    text.append("\n\n" + (code.definition or "(no definition yet: codewell codebook edit)"))
    for title, notes in (("Include", code.include), ("Exclude", code.exclude), ("Examples", code.examples)):
        if notes:
            text.append(f"\n\n{title}", style="bold")
            for note in notes:
                text.append(f"\n• {note}")
    if code.keywords:
        text.append("\n\nKeywords: ", style="bold")
        text.append(", ".join(code.keywords))
    return text


class CodebookPanel(VerticalScroll, can_focus=False):
    """A docked panel with the details of one code (hidden until ``d``)."""

    DEFAULT_CSS = """
    CodebookPanel {
        width: 36;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $primary-darken-2;
        scrollbar-size-vertical: 1;
    }
    """

    def compose(self):
        yield Static(id="codebook-details")

    def show(self, code: Code | None, codebook: Codebook) -> None:
        details = code_details(code, codebook) if code is not None else Text("No codes yet.")
        details = Text(printable(details.plain), spans=details.spans)
        self.query_one("#codebook-details", Static).update(details)
