"""The top two lines: who codes what, how far along, how fast, and what the model is doing."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

BAR_CELLS = 20


def progress_bar(done: int, total: int, cells: int = BAR_CELLS) -> str:
    """A text bar that reads the same with or without colour."""
    filled = round(cells * done / total) if total else 0
    return "█" * filled + "░" * (cells - filled)


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m"


class CodingHeader(Widget):
    """Project, coder and mode on the first line; progress, rate and time left on the second."""

    project_name: reactive[str] = reactive("")
    coder: reactive[str] = reactive("")
    blind: reactive[bool] = reactive(False)
    set_name: reactive[str] = reactive("")
    done: reactive[int] = reactive(0)
    total: reactive[int] = reactive(0)
    rate: reactive[float | None] = reactive(None)
    eta: reactive[float | None] = reactive(None)
    model_state: reactive[str] = reactive("")
    waiting: reactive[int] = reactive(0)
    reconnecting: reactive[bool] = reactive(False)  # the server was lost, not merely busy

    def render(self) -> Text:
        """Mode and model first, the project name last: a narrow terminal cuts the name."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("coder ")
        line.append(self.coder, style="bold")
        if self.blind:
            line.append(" [BLIND]", style="bold reverse")
        if self.set_name:
            line.append(f" [SET {self.set_name}]", style="bold reverse")
        line.append(f" · {self.model_state} · ")
        if self.waiting:
            state = ("reconnecting…" if self.reconnecting
                     else "waiting for the project (held by another process):")
            line.append(f"{state} {self.waiting} change{'s' if self.waiting > 1 else ''} kept",
                        style="bold reverse")
            line.append(" · ")
        line.append(self.project_name, style="bold")
        line.append("\n")
        share = f"{100 * self.done / self.total:.0f}%" if self.total else "–"
        line.append(f"{self.done}/{self.total} done ")
        line.append(progress_bar(self.done, self.total), style="green")
        line.append(f" {share}")
        if self.rate is not None:
            line.append(f"  {self.rate:.0f}/h")
        if self.eta is not None:
            line.append(f"  ~{duration(self.eta)} left")
        return line
