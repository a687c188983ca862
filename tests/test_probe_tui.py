"""What a hostile tester found on the screens, pressed as a user presses it (Textual Pilot, real keys).

Each test is a failure seen in a real terminal (tmux) before its fix: text that is not what it
looks like (markup, escape sequences), keys lost to a dialog that was not ready yet, and so on.
"""

from __future__ import annotations

import pytest

from codewell.project import Project
from codewell.tui.app import make_app
from codewell.tui.literal import printable
from codewell.values import Code, Codebook
from tui_fixtures import make_project, screen_text, stored, write_responses

SIZE = (100, 30)

HOSTILE_CODEBOOK = Codebook(
    title="Hostile [bold]codebook",
    codes=tuple(
        Code(f"c{n}", label, "[dim]grp[/]", f"Means [b]{label}[/b] \x1b[31mred\x1b[0m", keywords=(f"kw{n}",))
        for n, label in enumerate(["[bold]Bold code[/]", "Emoji 😀", "中文代码", "Tab\tcode", "[/]",
                                   "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve [red]"], 1)),
)
HOSTILE_ROWS = [
    ("[b]Nurse[/b]", "Ward [/]", "Markup [bold]not bold[/] and [/] alone kw1"),
    ("Radiographer", "Hospital", "Escape \x1b[2J clear \x1b]0;title\x07 and \x1b[31mred\x1b[0m kw2"),
    ("Radiographer", "Hospital", "Tabs\there and a CR\r\nline and a lone\rreturn kw3"),
]


@pytest.fixture
def study(tmp_path):
    return make_project(tmp_path)


@pytest.fixture
def hostile(tmp_path):
    location = tmp_path / "hostile.cw"
    with Project.create(location, HOSTILE_CODEBOOK) as project:
        project.import_responses(write_responses(tmp_path / "hostile.csv", HOSTILE_ROWS))
    return location


def quiet(location, coder="ana", **options):
    return make_app(str(location), coder, suggestions=False, **options)


def test_printable_keeps_offsets_and_shows_controls():
    text = "a\tb\x1b[2J\r\nc\rd\x9be"
    shown = printable(text)
    assert len(shown) == len(text)
    assert shown == "a b␛[2J \nc\nd\ufffde"
    assert printable("plain [bold]") == "plain [bold]"


async def test_markup_typed_into_go_to_is_shown_not_read(study):
    """A "[/]" typed into go-to crashed the app with MarkupError."""
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"[/]", "enter")
        await pilot.pause()
        assert app.screen.query_one("#goto-error").render().plain == "No response '[/]'"


async def test_hostile_text_shows_literally_and_sends_no_escape_to_the_terminal(hostile):
    """Markup in labels, groups, attributes and responses is text; an escape sequence in a
    response or a definition is shown as a visible ␛, never written to the terminal (it cleared
    the coder's screen)."""
    app = quiet(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        shown = screen_text(app)
        for literal in ("[bold]Bold code[/]", "[dim]grp[/]", "[b]Nurse[/b]", "Ward [/]", "[/] alone",
                        "Means [b][bold]Bold code[/][/b]", "␛[31mred␛[0m"):
            assert literal in shown
        await pilot.press("n")
        await pilot.pause()
        shown = screen_text(app)
        assert "Escape ␛[2J clear ␛]0;title" in shown and "\x1b" not in shown
        assert "\x1b" not in "".join(s.text for s in app.screen._compositor.render_strips())
        await pilot.press("n")
        await pilot.pause()
        assert "Tabs here and a CR" in screen_text(app) and "\t" not in screen_text(app)
        await pilot.press("0")
        await pilot.pause()
        assert "Twelve [red]" in screen_text(app)
        await pilot.press("escape", "5", "ctrl+p")  # the palette names the code under the cursor
        await pilot.pause(0.3)
        assert "Codebook: Rename [/]" in screen_text(app)  # a MarkupError in the palette's worker
        await pilot.press(*"renam")  # searching highlights the title: the same error, "No matches found"
        await pilot.pause(0.3)
        assert "Codebook: Rename [/]" in screen_text(app) and "No matches" not in screen_text(app)


async def test_a_code_labelled_with_markup_is_added_and_announced_as_typed(study):
    """Adding a code labelled "[/] odd" stored it, then crashed the app on the notification
    that quoted the label (MarkupError); an escape in a notification reached the terminal."""
    app = quiet(study)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"[/] odd", "tab")
        app.screen.query_one("#code-id").value = ""
        await pilot.press(*"odd", "enter", "enter", "enter")
        await pilot.pause(0.3)
        assert "Added '[/] odd' (codebook version 2)" in screen_text(app)
        app.notify("title \x1b[2J", title="[b]")
        await pilot.pause(0.3)
        assert "title ␛[2J" in screen_text(app)
    with Project.open(study) as project:
        assert project.codebook.get("odd").label == "[/] odd"


def type_fast(app, keys: str | list[str]) -> None:
    """Keys as a fast typist's terminal delivers them: all queued before the app handles one."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def until(pilot, condition, limit: float = 5.0) -> None:
    """Pause until ``condition()`` holds (a loaded machine takes longer), at most ``limit`` s."""
    for _ in range(int(limit / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


async def test_keys_typed_straight_after_a_dialog_key_reach_its_field(study):
    """`gR005⏎` typed at speed said "No response ''": the id went nowhere while the go-to field
    waited for focus. The same held for `/` (search), `c` (code picker) and `m` (memo); and a
    search's enter before its results were in did nothing at all."""
    app = quiet(study)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        coding = app.screen
        type_fast(app, ["g", *"r005", "enter"])
        await until(pilot, lambda: app.screen is coding and app.session.response.id == "R005")
        type_fast(app, ["c", *"anxiety", "enter"])
        await until(pilot, lambda: app.screen is coding and "anxiety" in app.session.codes_of("R005"))
        type_fast(app, ["m", *"quick note", "enter"])
        await until(pilot, lambda: app.screen is coding and app.session.memos.get("R005") == "quick note")
        type_fast(app, ["slash", *"thousand words", "enter"])
        await until(pilot, lambda: app.screen is coding and app.session.response.id == "R013")
    _, _, memos, codings = stored(study)
    assert memos["R005"] == "quick note" and codings["R005"] == frozenset({"anxiety"})


_SCREEN = """
import sys
import typer
from textual.app import App
from codewell.cli.coding_cmds import run_screen

class Screen(App):
    def on_mount(self) -> None:
        if sys.argv[1] == "crash":
            raise RuntimeError("boom")
        self.exit()

command = typer.Typer()

@command.command()
def main(how: str) -> None:
    run_screen(Screen())

command()
"""


@pytest.mark.parametrize(("how", "code"), [("crash", 1), ("quit", 0)])
def test_a_screen_that_crashed_ends_the_command_with_a_non_zero_exit(tmp_path, how, code):
    """``codewell code`` and ``adjudicate`` returned 0 after the screen died with a traceback, so
    a wrapper script read a crash as a clean finish."""
    import os
    import subprocess
    import sys

    script = tmp_path / "screen.py"
    script.write_text(_SCREEN, encoding="utf-8")
    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"}
    done = subprocess.run([sys.executable, str(script), how], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == code, done.stderr
    assert ("boom" in done.stdout + done.stderr) is (how == "crash")
