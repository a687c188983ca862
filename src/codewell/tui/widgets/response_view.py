"""The response being coded: its text with evidence marked in each code's colour, and context."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from codewell.values import Codebook, CodeSuggestion, Response, Status

STATUS_WORDS = {Status.UNCODED: "uncoded", Status.DONE: "done", Status.SKIPPED: "skipped",
                Status.FLAGGED: "flagged"}


def highlighted(text: str, suggestions: tuple[CodeSuggestion, ...], colours: dict[str, str],
                show: frozenset[str]) -> Text:
    """``text`` with the evidence of the codes in ``show`` underlined in their colour: the
    sentence that carries a code underlined, the words in it that carry it bold as well.

    Underline and bold as well as colour, so that evidence is still visible with NO_COLOR.
    """
    rich = Text(text)
    shown = [s for s in suggestions if s.code in show]
    for sentences in (True, False):  # every sentence first, so no sentence hides another's words
        for suggestion in shown:
            colour = colours.get(suggestion.code, "yellow")
            for evidence in suggestion.evidence:
                if (evidence.source == "sentence") is sentences:
                    style = "underline" if sentences else "underline bold"
                    rich.stylize(f"{style} {colour}", evidence.start, evidence.end)
    return rich


class ResponseView(VerticalScroll):
    """Scrollable: long answers wrap and scroll with the arrow keys when focused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: dict[str, Text] = {}

    def compose(self):
        yield Static(id="response-meta")
        yield Static(id="response-text")
        yield Static(id="response-context")

    def show(self, response: Response, position: int, total: int, status: Status,
             codebook: Codebook, colours: dict[str, str], applied: frozenset[str],
             suggestions: tuple[CodeSuggestion, ...] | None, memo: str | None,
             others: dict[str, tuple[frozenset[str], str | None]], *, flagged: bool = False,
             segments: tuple[tuple[str, int, int], ...] = ()) -> None:
        meta = Text(no_wrap=False)
        meta.append(f"{response.id}", style="bold")
        meta.append(f"  ({position + 1} of {total}, row {response.row})  ", style="dim")
        meta.append(STATUS_WORDS[status], style="bold reverse" if status is Status.FLAGGED else "bold")
        if flagged and status is not Status.FLAGGED:
            meta.append(" ⚑ flagged", style="bold reverse")
        for name, value in response.attributes.items():
            if value:
                meta.append(f"\n{name}: ", style="dim")
                meta.append(value)
        self._set("#response-meta", meta)
        show = applied | {s.code for s in suggestions or () if s.suggested}
        body = highlighted(response.text, suggestions or (), colours, show)
        if response.is_empty:
            body = Text("(empty response)", style="dim italic")
        elif segments:
            from codewell.tui.widgets.code_list import code_key
            from codewell.tui.widgets.segment_selection import segment_lines, segmented

            body = segmented(response.text, segments, colours, base=body)
            keys = {code.id: code_key(i) for i, code in enumerate(codebook.codes)}
            body.append("\n")
            body.append_text(segment_lines(response.text, segments, {c.id: c.label for c in codebook.codes},
                                           keys, colours))
        self._set("#response-text", body)
        context = Text()
        if memo:
            context.append("memo: ", style="bold")
            context.append(memo)
        labels = {code.id: code.label for code in codebook.codes}
        for coder, (codes, their_memo) in others.items():
            context.append(f"\n{coder}: " if context else f"{coder}: ", style="bold dim")
            context.append(", ".join(labels.get(c, c) for c in sorted(codes)) or "no codes")
            if their_memo:
                context.append(f" — memo: {their_memo}", style="italic")
        self._set("#response-context", context)
        if self.scroll_offset.y:
            self.scroll_home(animate=False)

    def _set(self, selector: str, content: Text) -> None:
        """Update a part only when it changed: each update costs a layout pass."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            self.query_one(selector, Static).update(content)
