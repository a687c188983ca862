"""The top two lines: who codes what, how far along, how fast, and what the model is doing."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from codewell.tui.widgets.lines import one_line
from codewell.tui.literal import printable

BAR_CELLS = 20


def progress_bar(done: int, total: int, cells: int = BAR_CELLS) -> str:
    """A text bar that reads the same with or without colour."""
    filled = round(cells * done / total) if total else 0
    return "█" * filled + "░" * (cells - filled)


def duration(seconds: float) -> str:
    """The time left as the header says it: "~5m", "~1h05m", "under a minute", or "0m" when none is.

    Minutes are rounded to the nearest, and anything under one says so: rounded down, 51
    responses to go at a fast coder's pace read "~0m left", as though the work were over.
    """
    if seconds <= 0:
        return "0m"
    if seconds < 60:
        return "under a minute"
    minutes = math.floor(seconds / 60 + 0.5)
    if minutes < 60:
        return f"~{minutes}m"
    return f"~{minutes // 60}h{minutes % 60:02d}m"


@dataclass(frozen=True)
class HeaderState:
    """Everything the header shows; ``reconnecting``: the server was lost, not merely busy."""

    project_name: str = ""
    coder: str = ""
    blind: bool = False
    set_name: str = ""
    done: int = 0
    total: int = 0
    rate: float | None = None
    eta: float | None = None
    model_state: str = ""
    waiting: int = 0
    reconnecting: bool = False


def header_lines(state: HeaderState) -> tuple[Text, Text]:
    """Mode and model first, the project name last (a narrow terminal cuts the name); then
    progress, rate and time left."""
    line = Text()
    line.append("coder ")
    line.append(printable(state.coder), style="bold")
    if state.blind:
        line.append(" [BLIND]", style="bold reverse")
    if state.set_name:
        line.append(f" [SET {printable(state.set_name)}]", style="bold reverse")
    line.append(f" · {state.model_state} · ")
    if state.waiting:
        what = ("reconnecting…" if state.reconnecting
                else "waiting for the project (held by another process):")
        line.append(f"{what} {state.waiting} change{'s' if state.waiting > 1 else ''} kept",
                    style="bold reverse")
        line.append(" · ")
    line.append(printable(state.project_name), style="bold")
    progress = Text()
    share = f"{100 * state.done / state.total:.0f}%" if state.total else "–"
    progress.append(f"{state.done}/{state.total} done ")
    progress.append(progress_bar(state.done, state.total), style="green")
    progress.append(f" {share}")
    if state.rate is not None:
        progress.append(f"  {state.rate:.0f}/h")
    if state.eta is not None:
        progress.append(f"  {duration(state.eta)} left")
    return line, progress


class CodingHeader(Widget):
    """Project, coder and mode on the first line; progress, rate and time left on the second.

    Drawn by hand (:func:`one_line`), and repainted only when what it shows changes: the
    screen tells it everything on every key (the rate changes by the second), but most keys
    change nothing it shows, and a repaint of the header widens every frame to the top line.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = HeaderState()
        self._lines = header_lines(self.state)
        self._drawn: tuple[int, Style, tuple[Strip, Strip]] | None = None

    def show(self, **changes: object) -> None:
        """Change the fields named (see :class:`HeaderState`); repaint if the text changed."""
        state = replace(self.state, **changes)  # type: ignore[arg-type]
        if state == self.state:
            return
        self.state = state
        lines = header_lines(state)
        if lines != self._lines:
            self._lines = lines
            self._drawn = None
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width, base = self.content_region.width, self.visual_style.rich_style
        if y > 1:
            return Strip.blank(width, base)
        if self._drawn is None or self._drawn[:2] != (width, base):
            fill = Style(bgcolor=base.bgcolor)  # as Textual fills a line: the background only
            self._drawn = (width, base, (one_line(self._lines[0], width, base, fill),
                                         one_line(self._lines[1], width, base, fill)))
        return self._drawn[2][y]
