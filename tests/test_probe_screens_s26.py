"""What a new user met on the coding screen (probe s26), driven by real keys where it is a screen:
the advice `a` gives in a reliability set is a command that works; the time left never reads
"0m" while work is left; and `--order uncertain` never silently stays in file order because
suggestions are off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from codewell.cli.app import app as cli
from codewell.errors import CodewellError
from codewell.project import Project
from codewell.tui.app import make_app
from codewell.tui.widgets.header import duration
from faults import codewell_refusing_a_screen, file_bytes
from test_sets import make_study
from tui_fixtures import make_project, screen_text

SIZE = (100, 40)


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def notices(app) -> str:
    return "\n".join(n.message for n in app._notifications)


# -- 1. `a` in a reliability set without suggestions ------------------------------------------

async def test_a_in_a_set_without_suggestions_gives_a_command_that_works(tmp_path: Path) -> None:
    """It said "its owner can allow them with sample --allow-suggestions": for the set's own name
    that is refused (a drawn set never changes); only a new set can allow them."""
    study = make_study(tmp_path, n=20)
    with Project.open(study) as project:
        project.draw_set(6, seed=1)
    app = make_app(str(study), "ana", set_name="irr")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        said = notices(app)
    assert "Suggestions are off in reliability set 'irr'" in said and "never changes" in said
    hinted = re.search(r"codewell (sample .*--allow-suggestions)", said)
    assert hinted, said
    assert "--name NEW_NAME" in hinted.group(1)
    drawn = run(*hinted.group(1).replace("NEW_NAME", "irr2").split())
    assert drawn.exit_code == 0, drawn.output
    with Project.open(study) as project:
        assert project.reliability_set("irr2").allow_suggestions


# -- 2. the time left -------------------------------------------------------------------------

def minutes_shown(text: str) -> float:
    """The header's duration back as minutes ("under a minute" between 0 and 1)."""
    if text == "under a minute":
        return 0.5
    hours, minutes = re.fullmatch(r"~?(?:(\d+)h)?(\d+)m", text).groups()  # type: ignore[union-attr]
    return int(hours or 0) * 60 + int(minutes)


@pytest.mark.parametrize("seconds, shown", [
    (0, "0m"), (0.4, "under a minute"), (59.9, "under a minute"), (60, "~1m"), (89, "~1m"),
    (91, "~2m"), (3569, "~59m"), (3571, "~1h00m"), (3900, "~1h05m"), (36_000, "~10h00m"),
])
def test_duration_examples(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


@given(st.floats(min_value=1e-6, max_value=1e7, allow_nan=False))
def test_a_time_left_is_never_zero_minutes(seconds: float) -> None:
    assert duration(seconds) != "0m" and minutes_shown(duration(seconds)) > 0


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False),
       st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_more_time_left_never_reads_as_less(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert minutes_shown(duration(low)) <= minutes_shown(duration(high))
    assert re.fullmatch(r"0m|under a minute|~\d+m|~\d+h[0-5]\dm", duration(high))


async def test_a_fast_coder_with_responses_to_go_never_reads_0m_left(tmp_path: Path) -> None:
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter", "enter")       # three done in well under a minute
        await pilot.pause()
        header = screen_text(app).splitlines()[1]
    assert "3/20 done" in header and "/h" in header
    assert "0m left" not in header and "under a minute left" in header


# -- 4. --order uncertain with suggestions off ------------------------------------------------

@pytest.mark.parametrize("options, off", [(("--blind",), "--blind"), (("--no-suggestions",), "--no-suggestions"),
                                          (("--blind", "--no-suggestions"), "--no-suggestions")])
def test_order_uncertain_without_suggestions_is_refused_in_one_line(tmp_path: Path, options, off) -> None:
    """The list stayed in file order, silently: the model that ranks it never ran. A real
    process: the screen must never open."""
    study = make_project(tmp_path)
    before = file_bytes(study)
    result = codewell_refusing_a_screen("code", str(study), "--coder", "ana", *options, "--order", "uncertain",
                                        timeout=20)
    stdout, stderr = result.stdout, result.stderr
    assert result.returncode == 2
    assert stderr.strip() == (
        f"Error: --order uncertain needs suggestions, which {off} turns off: the suggestion model is "
        "what finds the uncertain responses (add --suggestions, or leave out --order)")
    assert stdout == ""
    assert file_bytes(study) == before


def test_the_refusal_s_advice_opens_the_screen_in_that_order(tmp_path: Path) -> None:
    study = make_project(tmp_path)
    with pytest.raises(CodewellError, match="needs suggestions"):
        make_app(str(study), "ana", blind=True, order="uncertain")
    app = make_app(str(study), "ana", blind=True, suggestions=True, order="uncertain")
    try:
        assert app.requested_order == "uncertain" and app.session.suggestions_on
    finally:
        app.project.close()


async def test_palette_order_uncertain_with_suggestions_off_says_what_to_do(tmp_path: Path) -> None:
    """It said "the model is not ready yet; the order changes when it is", and no model was coming."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"most uncertain first")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        said = notices(app)
        assert "needs suggestions on" in said and "Turn suggestions on" in said
        assert "not ready yet" not in said
        assert app.session.order_name == "file" and app.requested_order == "file"
        assert not app.workers                            # nothing waits for a model that never comes


async def test_order_uncertain_says_the_list_is_in_file_order_until_the_model_comes(tmp_path: Path) -> None:
    """With suggestions on, the order arrives with the model, seconds later: said, not left to guess."""
    study = make_project(tmp_path)
    app = make_app(str(study), "ana", order="uncertain")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "File order until the model is ready" in notices(app)
