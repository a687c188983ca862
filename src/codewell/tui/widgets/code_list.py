"""The codebook as rows the coder acts on: key, label, group, decision, suggestion, evidence."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from codewell.suggest.evidence import quote
from codewell.tui.literal import printable
from codewell.tui.widgets.lines import one_line
from codewell.values import Code, CodeSuggestion

BAR_CELLS = 10
# The fewest cells an evidence quote is worth drawing in: narrower, it would read "“……".
QUOTE_ROOM = 12
FALLBACK_COLOURS = ("#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1",
                    "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F", "#BAB0AC")


def code_colour(code: Code, position: int) -> str:
    """The code's own colour, else one from a fixed palette so colours stay put between runs."""
    return code.colour or FALLBACK_COLOURS[position % len(FALLBACK_COLOURS)]


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def code_key(position: int) -> str:
    """The keys that toggle the code at ``position``: 1-9, then 0 and a letter (0a = the tenth)."""
    if position < 9:
        return str(position + 1)
    if position - 9 < len(LETTERS):
        return "0" + LETTERS[position - 9]
    return ""


def position_of_letter(letter: str) -> int | None:
    """The code position that ``0`` then ``letter`` toggles."""
    index = LETTERS.find(letter)
    return None if index < 0 or len(letter) != 1 else 9 + index


def evidence_quote(suggestion: CodeSuggestion, width: int) -> Text:
    """The suggestion's evidence in about ``width`` cells, italic, its carrying words in bold:
    the sentence that carries the code, shortened around those words, or (a response of one
    sentence, on screen just above) the words alone."""
    sentence = next((e for e in suggestion.evidence if e.source == "sentence"), None)
    words = [e for e in suggestion.evidence if e.source != "sentence"]
    text = Text("“", style="italic")
    if sentence is None:
        text.append(printable("; ".join(dict.fromkeys(" ".join(e.text.split()) for e in words))), style="bold italic")
    else:
        spans = [(e.start - sentence.start, e.end - sentence.start) for e in words]
        for piece, carrying in quote(sentence.text, (0, len(sentence.text)), spans, max(width, QUOTE_ROOM)):
            text.append(printable(piece), style="bold italic" if carrying else "italic")
    text.append("”", style="italic")
    return text


def probability_bar(probability: float, cells: int = BAR_CELLS) -> str:
    filled = round(cells * max(0.0, min(1.0, probability)))
    return "■" * filled + "·" * (cells - filled)


class CodeRow(Widget):
    """One code; a click toggles it like its number key does. Drawn as one line by hand
    (:func:`one_line`): no layout, no restyle, and its text is built only when it changes."""

    class Clicked(Message):
        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    def __init__(self, code: Code, position: int) -> None:
        super().__init__(classes="code-row")
        self.code = code
        self.position = position
        self.colour = code_colour(code, position)
        self._shown: tuple[bool, CodeSuggestion | None, bool] | None = None
        self._text = Text()
        self._drawn: tuple[int, Style, Strip] | None = None
        self.under_cursor = False

    @property
    def applied(self) -> bool:
        """Whether the row shows the code as applied (that is, stored)."""
        return bool(self._shown and self._shown[0])

    def show(self, applied: bool, suggestion: CodeSuggestion | None) -> None:
        """Redraw only on change. One line, no CSS class change: no re-layout, no restyle."""
        if self._shown == (applied, suggestion, self.under_cursor):
            return
        self._shown = (applied, suggestion, self.under_cursor)
        self._text = self.line(applied, suggestion)
        self._drawn = None
        self.refresh()

    def on_resize(self) -> None:
        """The evidence quote is cut to the row's width: a new width, a new quote."""
        if self._shown is not None:
            applied, suggestion, _ = self._shown
            self._text = self.line(applied, suggestion)
            self._drawn = None
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.visual_style.rich_style
        if y:
            return Strip.blank(width, base)
        if self._drawn is None or self._drawn[:2] != (width, base):
            self._drawn = (width, base, one_line(self._text, width, base))
        return self._drawn[2]

    def line(self, applied: bool, suggestion: CodeSuggestion | None) -> Text:
        """Key, checkbox, suggestion bar and mark, label, group, evidence: a narrow screen cuts the end."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("›" if self.under_cursor else " ", style="bold")
        text.append(f"{code_key(self.position):<2} ", style="bold")
        text.append("[x] " if applied else "[ ] ", style="bold green" if applied else "")
        if suggestion is not None:
            text.append(probability_bar(suggestion.probability), style=self.colour)
            text.append(f"{suggestion.probability:4.0%} ")
            # ◆ suggested; ◇ (dim) a close call the model will not suggest: apart, without colour.
            text.append("◆ " if suggestion.suggested else "◇ " if suggestion.tentative else "  ",
                        style="bold" if suggestion.suggested else "dim")
        text.append("■ ", style=self.colour)
        text.append(printable(self.code.label), style="bold" if applied else "")
        if self.code.group:
            text.append(f"  {printable(self.code.group)}", style="dim")
        room = (self.size.width or 100) - text.cell_len - 4
        if suggestion is not None and suggestion.evidence and room >= QUOTE_ROOM:
            text.append("  ")
            text.append_text(evidence_quote(suggestion, room))
        return text

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.code.id))


class CodeList(VerticalScroll, can_focus=False):
    """All codes of the current codebook version, in codebook order (which gives the keys)."""

    cursor = 0
    rows: tuple[CodeRow, ...] = ()  # kept, not queried: a DOM query on every key cost more than the rows' own work

    def set_codes(self, codes: tuple[Code, ...]) -> None:
        self.codes = codes
        self.cursor = min(self.cursor, max(len(codes) - 1, 0))
        self.remove_children()
        self.rows = tuple(CodeRow(code, i) for i, code in enumerate(codes))
        if self.rows:
            self.rows[self.cursor].under_cursor = True
        self.mount_all(self.rows)

    @property
    def cursor_code(self) -> Code | None:
        codes = getattr(self, "codes", ())
        return codes[self.cursor] if codes else None

    def move_cursor(self, step: int) -> None:
        codes = getattr(self, "codes", ())
        if codes:
            self.set_cursor(codes[(self.cursor + step) % len(codes)].id)

    def set_cursor(self, code_id: str) -> None:
        """Put the cursor on ``code_id`` and redraw the two rows that change."""
        for row in self.rows:
            if row.code.id == code_id:
                self.cursor = row.position
            row.under_cursor = row.code.id == code_id
            if row._shown is not None:
                row.show(row._shown[0], row._shown[1])
            if row.under_cursor:
                self.scroll_to_widget(row, animate=False)

    def show(self, applied: frozenset[str], suggestions: tuple[CodeSuggestion, ...] | None) -> None:
        by_code = {s.code: s for s in suggestions or ()}
        for row in self.rows:
            row.show(row.code.id in applied, by_code.get(row.code.id))
