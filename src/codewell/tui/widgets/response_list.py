"""The sidebar of responses, drawn line by line so 100,000 rows cost no more than 30.

Only visible lines are rendered (``ScrollView`` + ``render_line``); the widget holds a reference
to the session's row list and asks it for marks, so nothing is copied per response.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from codewell.values import Status
from codewell.tui.session import CodingSession
from codewell.tui.literal import printable

MARKS = {Status.UNCODED: "·", Status.DONE: "✓", Status.SKIPPED: "»", Status.FLAGGED: "⚑"}
WIDTH = 60
# Rows kept in view on the side the coder came from when the list turns a page.
CONTEXT = 3


class ResponseList(ScrollView, can_focus=False):
    """Status mark, memo mark, id and the start of the text of each response in the list."""

    class Selected(Message):
        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(self, session: CodingSession, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._drawn_row: int | None = None
        self._drawn_text = ""  # the current row's text as last drawn

    def reload(self) -> None:
        """After the rows changed (filter, order): new height, current row in view."""
        self.virtual_size = Size(WIDTH, len(self.session.rows))
        self._drawn_row = None
        self.follow()
        self.refresh()

    def follow(self) -> None:
        """Keep the current response visible; redraw only the rows that changed when not scrolling.

        The screen calls this on every key; a key that changes nothing here (``a``, a code) must
        not repaint the current row: a dirty row on the left widens the frame to every widget
        between it and the code rows.
        """
        row = self.session.row_of.get(self.session.current)
        text = self.line_text(row) if row is not None else ""
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_offset.y)
        # Out of view, the list turns a page (the current row CONTEXT rows from the edge it
        # came in at), not a row: scrolled a row at a time, every Enter at the foot of the list
        # repainted all of it, which doubled the cost of an Enter's frame.
        context = min(CONTEXT, height - 1)
        if row is not None and row < top:
            self.scroll_to(y=max(row - height + 1 + context, 0), animate=False, immediate=True)
            self.refresh()
        elif row is not None and row >= top + height:
            self.scroll_to(y=max(row - context, 0), animate=False, immediate=True)
            self.refresh()
        elif row != self._drawn_row or text != self._drawn_text:
            for changed in {self._drawn_row, row} - {None}:
                self.refresh_line(changed)
        self._drawn_row, self._drawn_text = row, text

    def line_text(self, row: int) -> str:
        session = self.session
        response = session.responses[session.rows[row]]
        mark = MARKS[session.status_of(response.id)]
        if session.is_flagged(response.id):
            mark = "⚑"
        memo = "✎" if response.id in session.memos else " "
        snippet = " ".join(response.text[:WIDTH].split())
        return printable(f"{mark}{memo}{response.id} {snippet}")

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = y + int(scroll_y)
        width = self.scrollable_content_region.width
        if row >= len(self.session.rows):
            return Strip.blank(width, self.visual_style.rich_style)
        current = self.session.rows[row] == self.session.current
        style = self.visual_style.rich_style + (Style(reverse=True, bold=True) if current else Style())
        text = self.line_text(row)[int(scroll_x):int(scroll_x) + width]
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def on_click(self, event) -> None:
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < len(self.session.rows):
            self.post_message(self.Selected(self.session.rows[row]))
