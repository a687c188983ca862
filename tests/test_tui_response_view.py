"""The response view draws wrapped lines itself: what it shows, how it scrolls and rewraps, and
what a coder copies when they select text (the response as written, not its wrapped lines)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from textual.app import App, ComposeResult
from textual.geometry import Offset
from textual.selection import Selection

from codewell.tui.widgets.response_view import ResponseView
from codewell.values import Code, Codebook, CodeSuggestion, Evidence, Response, Status

TEXT = ("Seeing the scan helped her understand why the operation was needed.  She asked better "
        "questions afterwards,\nand the second visit was calmer than the first one had been.")
BOOK = Codebook(title="t", codes=(Code(id="understanding", label="Understanding"),))


class ViewApp(App):
    def compose(self) -> ComposeResult:
        yield ResponseView()


def show(view: ResponseView, text: str = TEXT, suggestions=None, memo=None, others=None) -> None:
    response = Response(id="R7", text=text, row=9, attributes={"role": "radiographer"})
    view.show(response, 6, 40, Status.UNCODED, BOOK, {"understanding": "red"}, frozenset(),
              suggestions, memo, others or {})


@asynccontextmanager
async def shown(size: tuple[int, int], **what):
    """A view alone on a screen of ``size``, showing the response (``what``: see :func:`show`)."""
    app = ViewApp()
    async with app.run_test(size=size) as pilot:
        view = app.query_one(ResponseView)
        show(view, **what)
        await pilot.pause()
        yield app, pilot, view


def screen_lines(app: App) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


async def test_the_response_its_place_and_context_are_shown_wrapped_to_the_width():
    others = {"bo": (frozenset({"understanding"}), None)}
    async with shown((40, 20), memo="check the wording", others=others) as (app, pilot, view):
        lines = screen_lines(app)
        assert lines[0].startswith("R7  (7 of 40, row 9)  uncoded")
        assert lines[1] == "role: radiographer" and lines[2] == ""
        assert all(len(line) <= 40 for line in lines)
        words = " ".join(line for line in lines if line)
        assert "helped her understand why the operation" in words
        assert "memo: check the wording" in words and "bo: Understanding" in words


async def test_a_narrower_view_rewraps_and_scrolls_to_what_is_below():
    async with shown((60, 6)) as (app, pilot, view):
        wide = view.virtual_size.height
        await pilot.resize_terminal(30, 6)
        for _ in range(100):  # a loaded machine may take a few frames to lay the new width out
            await pilot.pause(0.02)
            if view.virtual_size.height > wide:
                break
        assert view.virtual_size.height > wide
        assert "calmer" not in "\n".join(screen_lines(app))
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "calmer" in "\n".join(screen_lines(app))


async def test_a_new_response_starts_at_its_top():
    async with shown((30, 6)) as (app, pilot, view):
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        show(view, text="A short one.")
        await pilot.pause()
        assert view.scroll_offset.y == 0 and screen_lines(app)[0].startswith("R7")


async def test_a_shorter_response_after_a_longer_one_leaves_nothing_of_it_on_screen():
    async with shown((30, 20)) as (app, pilot, view):
        longer = screen_lines(app)
        show(view, text="Calmer now.", memo="short")  # only the lines that differ are repainted
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[:2] == longer[:2] and lines[2:6] == ["", "Calmer now.", "", "memo: short"]
        assert not any(lines[6:]), "a line of the longer response was left on screen"
        show(view)  # and back: every line of the longer one drawn again
        await pilot.pause()
        assert screen_lines(app) == longer


async def test_selecting_across_wrapped_lines_copies_the_text_as_written():
    async with shown((30, 20)) as (app, pilot, view):
        plain = view._content.plain
        rows = [line.plain for line in view._lines]
        first = next(i for i, row in enumerate(rows) if "Seeing" in row)
        last = next(i for i, row in enumerate(rows) if "calmer" in row)
        start = Offset(rows[first].index("Seeing"), first)
        end = Offset(rows[last].index("calmer") + len("calmer"), last)
        copied, _ = view.get_selection(Selection(start, end))
        assert copied == plain[plain.index("Seeing"):plain.index("calmer") + len("calmer")]
        assert "needed.  She" in copied and "afterwards,\nand" in copied  # its own spaces and breaks
        everything, _ = view.get_selection(Selection(None, None))
        assert everything == plain


async def test_evidence_stays_marked_in_the_drawn_lines():
    start = TEXT.index("understand")
    suggestion = CodeSuggestion("understanding", 0.9, True, evidence=(
        Evidence(start, start + len("understand"), "understand", "keyword"),))
    async with shown((50, 20), suggestions=(suggestion,)) as (app, pilot, view):
        marked = [segment for strip in app.screen._compositor.render_strips() for segment in strip
                  if segment.style and segment.style.underline]
        assert "".join(segment.text for segment in marked) == "understand"


async def test_a_mouse_drag_over_wrapped_lines_selects_the_text_as_written():
    """The real selection path: a drag from one drawn line to another, read back as the screen
    would copy it (offsets drawn into each line say which character is under the mouse)."""
    async with shown((30, 20)) as (app, pilot, view):
        rows = [line.plain for line in view._lines]
        first = next(i for i, row in enumerate(rows) if "Seeing" in row)
        last = next(i for i, row in enumerate(rows) if "asked" in row)
        start = (rows[first].index("Seeing"), first)
        end = (rows[last].index("asked") + len("asked"), last)
        await pilot.mouse_down(ResponseView, offset=start)
        await pilot.hover(ResponseView, offset=end)
        await pilot.mouse_up(ResponseView, offset=end)
        await pilot.pause()
        copied = app.screen.get_selected_text()
        plain = view._content.plain
        assert copied is not None and copied.startswith("Seeing the scan")
        assert plain[plain.index("Seeing"):].startswith(copied) and "\n" not in copied
        assert copied.rstrip().endswith("She asked")  # Textual takes the cell under the mouse too


async def test_a_new_theme_redraws_the_lines_in_its_colours():
    async with shown((40, 10)) as (app, pilot, view):
        def background() -> object:
            return app.screen._compositor.render_strips()[3]._segments[0].style.bgcolor

        dark = background()
        app.theme = "textual-light"
        await pilot.pause()
        assert background() != dark
