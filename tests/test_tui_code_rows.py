"""Code rows drawn by hand (one line, cut with an ellipsis) and their evidence quote, which
follows the row's width as the terminal is resized."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from codewell.tui.widgets.code_list import CodeRow
from codewell.tui.widgets.lines import one_line
from codewell.values import Code, CodeSuggestion, Evidence

SENTENCE = "Seeing the scan helped her understand why the operation was needed."
UNDERSTANDING = Code(id="understanding", label="Understanding", group="benefit")


def test_one_line_fills_the_width_exactly_and_keeps_each_pieces_style():
    text = Text("[x] ")
    text.append("Understanding", style="bold")
    text.append(" risk", style="dim")
    strip = one_line(text, 30, Style())
    assert strip.cell_length == 30
    assert strip.text == "[x] Understanding risk".ljust(30)
    styles = {segment.text: segment.style for segment in strip if segment.text.strip()}
    assert styles["Understanding"].bold and not styles["[x] "].bold
    assert styles[" risk"].dim


def test_one_line_cuts_a_long_row_with_an_ellipsis_in_the_last_style():
    text = Text("1  ")
    text.append("Interpretation difficulty", style="italic")
    strip = one_line(text, 12, Style())
    assert strip.text == "1  Interpre…" and strip.cell_length == 12
    assert list(strip)[-1].style.italic


def test_one_line_lays_wide_characters_by_their_cells():
    strip = one_line(Text("■ 患者の画像"), 8, Style())
    assert strip.cell_length == 8 and strip.text.endswith("…")


class RowApp(App):
    def compose(self) -> ComposeResult:
        yield CodeRow(UNDERSTANDING, 0)


def row_line(app: App) -> str:
    return app.screen._compositor.render_strips()[0].text


async def test_the_evidence_quote_follows_the_width_of_the_terminal():
    start = SENTENCE.index("understand")
    suggestion = CodeSuggestion("understanding", 0.9, True, evidence=(
        Evidence(0, len(SENTENCE), SENTENCE, "sentence"),
        Evidence(start, start + len("understand"), "understand", "keyword")))
    app = RowApp()
    async with app.run_test(size=(60, 3)) as pilot:
        app.query_one(CodeRow).show(False, suggestion)
        await pilot.pause()
        narrow = row_line(app)
        assert "Understanding" in narrow and "“" not in narrow  # no room: no quote, not "“……"
        await pilot.resize_terminal(140, 3)
        await pilot.pause()
        wide = row_line(app)
        assert "“" in wide and "understand" in wide.split("“", 1)[1]
        await pilot.resize_terminal(60, 3)
        await pilot.pause()
        assert row_line(app) == narrow
