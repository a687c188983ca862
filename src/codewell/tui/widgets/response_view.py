"""The response being coded: its text with evidence marked in each code's colour, and context.

Drawn line by line (a ``ScrollView``): a new response is new lines in a widget whose size never
changes, not a new layout of the whole screen. As three auto-height widgets it cost every Enter a
full layout pass and a second one for the new heights, a third of a fast coder's Enter. Text
selection (drag, then copy) still works, and copies the response's own text, not its wrapped lines.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Offset, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from codewell.tui.widgets.lines import one_line
from codewell.tui.literal import printable
from codewell.values import Codebook, CodeSuggestion, Response, Status

#: At most this many attributes are shown one to a line; more run on as a paragraph.
ATTRIBUTE_LINES = 3
STATUS_WORDS = {Status.UNCODED: "uncoded", Status.DONE: "done", Status.SKIPPED: "skipped",
                Status.FLAGGED: "flagged"}


def highlighted(text: str, suggestions: tuple[CodeSuggestion, ...], colours: dict[str, str],
                show: frozenset[str]) -> Text:
    """``text`` with the evidence of the codes in ``show`` underlined in their colour: the
    sentence that carries a code underlined, the words in it that carry it bold as well.

    Underline and bold as well as colour, so that evidence is still visible with NO_COLOR.
    """
    rich = Text(printable(text))
    shown = [s for s in suggestions if s.code in show]
    for sentences in (True, False):  # every sentence first, so no sentence hides another's words
        for suggestion in shown:
            colour = colours.get(suggestion.code, "yellow")
            for evidence in suggestion.evidence:
                if (evidence.source == "sentence") is sentences:
                    style = "underline" if sentences else "underline bold"
                    rich.stylize(f"{style} {colour}", evidence.start, evidence.end)
    return rich


class ResponseView(ScrollView, can_focus=True):
    """Scrollable: long answers wrap and scroll with the arrow keys when focused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._content = Text()
        self._lines: list[Text] = []
        self._starts: list[int] = []  # where each drawn line starts in the content's plain text
        self._wrapped_at = Size(0, 0)
        self._strips: dict[int, Strip] = {}  # drawn lines by row, on the style in _drawn_on
        self._drawn_on: Style | None = None

    def show(self, response: Response, position: int, total: int, status: Status,
             codebook: Codebook, colours: dict[str, str], applied: frozenset[str],
             suggestions: tuple[CodeSuggestion, ...] | None, memo: str | None,
             others: dict[str, tuple[frozenset[str], str | None]], *, flagged: bool = False,
             segments: tuple[tuple[str, int, int], ...] = (), outside_filter: bool = False) -> None:
        meta = Text(no_wrap=False)
        meta.append(printable(response.id), style="bold")
        meta.append(f"  ({position + 1} of {total}, row {response.row})  ", style="dim")
        meta.append(STATUS_WORDS[status], style="bold reverse" if status is Status.FLAGGED else "bold")
        if flagged and status is not Status.FLAGGED:
            meta.append(" ⚑ flagged", style="bold reverse")
        if outside_filter:
            # The list is empty but keys still act on the response shown: say so, so a key
            # pressed here is not taken for a key that did nothing.
            meta.append("  no response matches the filter; keys act on this one", style="bold reverse")
        shown = [(name, value) for name, value in response.attributes.items() if value]
        # A few attributes read best one to a line; more run on as one paragraph (as the
        # adjudication screen shows them): nine of them, one to a line, pushed the response
        # itself below the fold of an 80x24 screen.
        one_per_line = len(shown) <= ATTRIBUTE_LINES
        for i, (name, value) in enumerate(shown):
            meta.append("\n" if one_per_line or i == 0 else " · ")
            meta.append(f"{printable(name)}: ", style="dim")
            meta.append(printable(value))
        show = applied | {s.code for s in suggestions or () if s.suggested}
        labels = {code.id: printable(code.label) for code in codebook.codes}
        body = highlighted(response.text, suggestions or (), colours, show)
        if response.is_empty:
            body = Text("(empty response)", style="dim italic")
        elif segments:
            from codewell.tui.widgets.code_list import code_key
            from codewell.tui.widgets.segment_selection import segment_lines, segmented

            body = segmented(response.text, segments, colours, base=body)
            keys = {code.id: code_key(i) for i, code in enumerate(codebook.codes)}
            body.append("\n")
            body.append_text(segment_lines(response.text, segments, labels,
                                           keys, colours))
        context = Text()
        if memo:
            context.append("memo: ", style="bold")
            context.append(printable(memo))
        for coder, (codes, their_memo) in others.items():
            context.append(f"\n{printable(coder)}: " if context else f"{printable(coder)}: ", style="bold dim")
            context.append(", ".join(labels.get(c, c) for c in sorted(codes)) or "no codes")
            if their_memo:
                context.append(f" — memo: {printable(their_memo)}", style="italic")
        content = Text()
        content.append_text(meta)
        content.append("\n\n")
        content.append_text(body)
        if context:
            content.append("\n\n")
            context.stylize("dim")
            content.append_text(context)
        if content == self._content:
            return
        self._content = content
        before, size = self._lines, self.virtual_size
        self._wrap()
        if self.scroll_offset.y or self.virtual_size != size:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.refresh()
            return
        # Only the lines that differ: the next response's text replaces the last one's in the
        # first rows, and the blank rows under both (most of the view) are not drawn again.
        changed = [y for y in range(max(len(before), len(self._lines)))
                   if y >= len(before) or y >= len(self._lines) or before[y] != self._lines[y]]
        if changed:
            self.refresh_lines(changed[0], changed[-1] - changed[0] + 1)

    def _wrap(self) -> None:
        """Cut the content into lines of the view's width (again when the view's size changes).

        The virtual height is never less than the view's: a response that fits then leaves the
        virtual size as it was, and a new response is a repaint of this widget, not a new layout
        of the whole screen (a layout repaints every widget on it).
        """
        region = self.content_region  # inside the padding; a scrollbar takes its column from it
        self._wrapped_at = region.size
        width = region.width
        lines = self._cut(width)
        if len(lines) > region.height:
            width -= self.styles.scrollbar_size_vertical
            lines = self._cut(width)
        self._lines = lines
        self._strips.clear()
        plain, at = self._content.plain, 0
        self._starts = []
        for line in lines:
            found = plain.find(line.plain, at) if line.plain else -1
            at = found if found >= 0 else at
            self._starts.append(at)
            at += len(line.plain)
        size = Size(width, max(len(lines), region.height))
        if size != self.virtual_size:
            self.virtual_size = size

    def _cut(self, width: int) -> list[Text]:
        return list(self._content.wrap(self.app.console, width, overflow="fold")) if width > 0 else []

    def on_resize(self) -> None:
        if self.content_region.size != self._wrapped_at:
            self._wrap()
            self.refresh()

    def render_line(self, y: int) -> Strip:
        row = y + int(self.scroll_offset.y)
        width, base = self.scrollable_content_region.width, self.visual_style.rich_style
        if row >= len(self._lines):
            return Strip.blank(width, base)
        if base != self._drawn_on:  # a new theme or colour: the drawn lines are stale
            self._strips.clear()
            self._drawn_on = base
        selection = self.text_selection
        if selection is None and row in self._strips:
            return self._strips[row]
        line = self._lines[row]
        if selection is not None and (span := selection.get_span(row)) is not None:
            line = line.copy()
            start, end = span
            line.stylize(self.screen.get_component_rich_style("screen--selection"), start,
                         len(line) if end == -1 else end)
        strip = one_line(line, width, base).apply_offsets(0, row)
        if selection is None:
            self._strips[row] = strip
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected stretch of the response as written (its own spaces and line breaks)."""
        if not self._lines:
            return None
        plain = self._content.plain
        return plain[self._offset(selection.start, 0):self._offset(selection.end, len(plain))], "\n"

    def _offset(self, point: Offset | None, default: int) -> int:
        if point is None:
            return default
        row = min(max(point.y, 0), len(self._lines) - 1)
        return self._starts[row] + min(max(point.x, 0), len(self._lines[row].plain))

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()
