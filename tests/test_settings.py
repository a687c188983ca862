"""The settings file: a keymap by binding id, and clear errors for every way it can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewell.cli.coding_cmds import user_keymap
from codewell.errors import CodewellError
from codewell.settings import load_settings, settings_path


def test_no_file_means_defaults() -> None:
    assert not settings_path().exists()
    assert user_keymap() == {}


def test_keymap_is_read_and_checked_against_binding_ids() -> None:
    settings_path().write_text('[keymap]\n"suggest.accept" = "y"\n"adjudicate.save" = "ctrl+s"\n')
    assert user_keymap() == {"suggest.accept": "y", "adjudicate.save": "ctrl+s"}


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ('[keymap]\n"suggest.acept" = "y"\n', "no key binding with id 'suggest.acept'",
         "did you mean 'suggest.accept'?"),
        ("[keymapp]\n", "unknown setting 'keymapp'", "did you mean 'keymap'?"),
        ('[keymap\n"a" = "b"\n', "not valid TOML", None),
        ('[keymap]\n"suggest.accept" = 3\n', "maps binding ids to keys", None),
    ],
)
def test_bad_settings_name_the_file(text: str, message: str, hint: str | None) -> None:
    settings_path().write_text(text)
    with pytest.raises(CodewellError) as caught:
        user_keymap()
    assert str(settings_path()) in caught.value.message and message in caught.value.message
    assert caught.value.hint == hint


async def test_the_settings_keymap_reaches_the_coding_screen(tmp_path: Path) -> None:
    from codewell.tui.app import make_app
    from tui_fixtures import make_project, stored

    settings_path().write_text('[keymap]\n"code.toggle_1" = "x"\n')
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False, keymap=user_keymap())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("x")
        await pilot.pause()
    decisions, *_ = stored(study)
    assert [(d.action, d.code) for d in decisions] == [("apply", app.session.codebook.codes[0].id)]


def test_an_explicit_path_and_an_empty_keymap(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[keymap]\n")
    assert load_settings(path).keymap == {}
