"""`v`: code a passage of the response instead of all of it, by keyboard alone.

The selection starts at a sentence and is shaped by words and sentences (see
:mod:`codewell.tui.widgets.segment_selection`); a code key applies that code to exactly the
selected passage (pressed again on the same passage, it removes it), and the screen stays open so
the next passage can be coded at once. Every change goes through the coding screen's store, so a
busy project queues it in the same outbox and it is saved exactly once; ``u`` undoes as on the
coding screen. Escape (or ``v``) goes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from codewell.tui.literal import printable
from codewell.tui.widgets.code_list import code_key
from codewell.tui.widgets.segment_selection import Selection, segment_lines, segmented

if TYPE_CHECKING:
    from codewell.tui.screens.coding import CodingScreen

SEGMENT_BINDINGS = [
    *(Binding(str(n), f"apply({n})", f"Code {n}", id=f"segment.code_{n}", show=False,
              tooltip=f"Apply code {n} to the selected passage (again: remove it)") for n in range(1, 10)),
    Binding("right,l", "end_by(1, 'word')", "+word", id="segment.end_next_word",
            tooltip="End one word later"),
    Binding("left,h", "end_by(-1, 'word')", "-word", id="segment.end_previous_word",
            tooltip="End one word earlier"),
    Binding("shift+right,L", "end_by(1, 'sentence')", "+sentence", id="segment.end_next_sentence",
            show=False, tooltip="End at the next sentence's end"),
    Binding("shift+left,H", "end_by(-1, 'sentence')", "-sentence", id="segment.end_previous_sentence",
            show=False, tooltip="End at the previous sentence's end"),
    Binding("b", "start_by(-1, 'word')", "start -word", id="segment.start_previous_word", show=False,
            tooltip="Start one word earlier"),
    Binding("w", "start_by(1, 'word')", "start +word", id="segment.start_next_word", show=False,
            tooltip="Start one word later"),
    Binding("B", "start_by(-1, 'sentence')", "start -sentence", id="segment.start_previous_sentence",
            show=False, tooltip="Start at the previous sentence"),
    Binding("W", "start_by(1, 'sentence')", "start +sentence", id="segment.start_next_sentence",
            show=False, tooltip="Start at the next sentence inside the selection"),
    Binding("down,j", "move(1)", "Next sentence", id="segment.next_sentence",
            tooltip="Select the next sentence"),
    Binding("up,k", "move(-1)", "Prev sentence", id="segment.previous_sentence", show=False,
            tooltip="Select the previous sentence"),
    Binding("tab", "next_segment", "Next §", id="segment.next_segment",
            tooltip="Select the next passage already coded (a code key then removes that code from it)"),
    Binding("c", "picker", "Code…", id="segment.picker", tooltip="Apply a code chosen by name"),
    Binding("u", "undo", "Undo", id="segment.undo", tooltip="Undo your last code decision"),
    Binding("escape,v", "leave", "Back", id="segment.leave", tooltip="Back to the coding screen"),
]


class SegmentScreen(Screen[None]):
    """The response's text with the selection and its segments; code keys code the selection."""

    BINDINGS = SEGMENT_BINDINGS
    AUTO_FOCUS = None  # nothing takes the arrow keys from the selection
    DEFAULT_CSS = """
    SegmentScreen #segment-title { height: auto; padding: 0 1; background: $boost; }
    SegmentScreen #segment-scroll { height: 1fr; padding: 0 1; }
    SegmentScreen #segment-selected { height: auto; padding: 0 1; }
    SegmentScreen #segment-codes { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, coding: CodingScreen, selection: Selection) -> None:
        super().__init__(id="segment")
        self.coding = coding
        self.session = coding.session
        self.response_id = self.session.response.id
        self.selection = selection

    def compose(self) -> ComposeResult:
        yield Static(id="segment-title")
        with VerticalScroll(id="segment-scroll"):
            yield Static(id="segment-text")
            yield Static(id="segment-list")
        yield Static(id="segment-selected")
        yield Static(id="segment-codes")
        yield Footer()

    def on_mount(self) -> None:
        codes = self.session.codebook.codes[:9]
        keys = Text()
        for n, code in enumerate(codes, start=1):
            keys.append(f"{n}", style="bold")
            keys.append(f" {printable(code.label)}  ")
        self.query_one("#segment-codes", Static).update(keys)
        self.redraw()

    def redraw(self) -> None:
        text = self.selection.text
        colours = self.coding.colours()
        segments = self.session.segments_of(self.response_id)
        title = Text()
        title.append(f"Passage of {printable(self.response_id)}", style="bold")
        title.append("  a code key codes the selection · ←/→ end by word · b/w start by word · "
                     "↑/↓ sentence · esc back", style="dim")
        self.query_one("#segment-title", Static).update(title)
        self.query_one("#segment-text", Static).update(
            segmented(text, segments, colours, (self.selection.start, self.selection.end)))
        codes = self.session.codebook.codes
        labels = {code.id: code.label for code in codes}
        keys = {code.id: code_key(i) for i, code in enumerate(codes)}
        self.query_one("#segment-list", Static).update(segment_lines(text, segments, labels, keys, colours))
        selected = Text()
        selected.append(f"selected {self.selection.start}–{self.selection.end}: ", style="bold")
        passage = printable(" ".join(self.selection.passage.split()))
        selected.append(f"“{passage if len(passage) <= 120 else passage[:119] + '…'}”", style="reverse")
        self.query_one("#segment-selected", Static).update(selected)
        self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        """Keep the selection in view in a long answer: scroll to where its start falls, in
        proportion to the text (wrapped lines hold roughly equal numbers of characters)."""
        scroll = self.query_one("#segment-scroll", VerticalScroll)
        lines = self.query_one("#segment-text", Static).size.height
        if lines <= scroll.size.height or not self.selection.text:
            return
        line = lines * self.selection.start // len(self.selection.text)
        top, bottom = scroll.scroll_offset.y, scroll.scroll_offset.y + scroll.size.height - 1
        if not top <= line < bottom:
            scroll.scroll_to(y=max(0, line - scroll.size.height // 3), animate=False)

    # -- shaping the selection ------------------------------------------------------------------
    def action_end_by(self, step: int, unit: str) -> None:
        self.selection.end_by(step, unit)
        self.redraw()

    def action_start_by(self, step: int, unit: str) -> None:
        self.selection.start_by(step, unit)
        self.redraw()

    def action_move(self, step: int) -> None:
        self.selection.move_sentence(step)
        self.redraw()

    def action_next_segment(self) -> None:
        held = sorted({(start, end) for _, start, end in self.session.segments_of(self.response_id)})
        if not held:
            self.notify("No passage of this response is coded yet.", timeout=2)
            return
        current = (self.selection.start, self.selection.end)
        self.selection.start, self.selection.end = next((span for span in held if span > current), held[0])
        self.redraw()

    # -- coding it ------------------------------------------------------------------------------
    def apply_code(self, code: str) -> None:
        start, end, rid = self.selection.start, self.selection.end, self.response_id
        self.coding.store(lambda: self.session.plan_segment(code, start, end, rid), lambda _: self.redraw())

    def action_apply(self, n: int) -> None:
        codes = self.session.codebook.codes
        if 0 < n <= len(codes):
            self.apply_code(codes[n - 1].id)

    def action_picker(self) -> None:
        from codewell.tui.widgets.code_picker import CodePicker

        def chosen(code: str | None) -> None:
            if code is not None:
                self.apply_code(code)

        self.app.push_screen(CodePicker(self.session.codebook.codes, self.session.codes_of(self.response_id)),
                             chosen)

    def action_undo(self) -> None:
        def after(decision: object) -> None:
            if decision is None:
                self.notify("Nothing to undo.", timeout=2)
            elif getattr(decision, "response_id", self.response_id) != self.response_id:
                self.dismiss(None)  # the undone decision was on another response: show it there
                position = self.session.index_of.get(decision.response_id)  # type: ignore[attr-defined]
                if position is not None:
                    self.session.go_to(position)
                    self.coding.moved()
                return
            self.redraw()

        self.coding.store(self.session.plan_undo, after)

    def action_leave(self) -> None:
        self.dismiss(None)
