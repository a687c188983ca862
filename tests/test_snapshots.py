"""Layout snapshots (pytest-textual-snapshot): coding screen, small terminal, help, palette.

Fixed data, sizes and no model (suggestions off), so only a layout change moves them. Review
the SVG diff before running with --snapshot-update.
"""

from __future__ import annotations

import pytest

from codewell.tui.app import make_app
from tui_fixtures import code_as, make_project


@pytest.fixture
def app(tmp_path):
    location = make_project(tmp_path)
    code_as(location, "ana", {"R001": ("understanding", "communication")}, memos={"R002": "tone?"})
    return make_app(str(location), "ana", suggestions=False)


def test_coding_screen(app, snap_compare):
    assert snap_compare(app, terminal_size=(100, 32), press=["4"])


def test_coding_screen_80x24_blind(tmp_path, snap_compare):
    location = make_project(tmp_path)
    assert snap_compare(make_app(str(location), "ben", blind=True), terminal_size=(80, 24))


def test_help(app, snap_compare):
    assert snap_compare(app, terminal_size=(100, 40), press=["question_mark"])


def test_palette(app, snap_compare):
    assert snap_compare(app, terminal_size=(100, 32), press=["ctrl+p", *"order"])
