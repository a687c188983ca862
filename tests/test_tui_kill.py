"""kill -9 right after a toggle shows as saved: the decision is in the store.

A real process runs the app in a pseudo-terminal; the test presses `1`, waits until the screen
shows the box ticked, kills the process at once and reads the project file back.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from codewell.project import Project
from tui_fixtures import make_project

RUNNER = """
import sys
from codewell.tui.app import make_app
make_app(sys.argv[1], "ana", suggestions=False).run()
"""


def read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_kill_9_after_a_toggle_loses_nothing(tmp_path: Path) -> None:
    location = make_project(tmp_path)
    runner = tmp_path / "run_app.py"
    runner.write_text(RUNNER)
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    process = subprocess.Popen([sys.executable, str(runner), str(location)], stdin=slave,
                               stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    try:
        started = read_until(master, b"R001", 30)
        assert b"R001" in started, started[-500:]
        os.write(master, b"1")
        shown = read_until(master, b"[x]", 15)
        assert b"[x]" in shown
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert process.returncode == -signal.SIGKILL
    with Project.open(location) as project:
        assert project.codings("ana") == {"R001": frozenset({project.codebook.ids[0]})}
