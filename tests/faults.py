"""Helpers the fault suite shares: child processes that code, hold locks or run out of disk.

Everything here runs real processes against real SQLite files; nothing is mocked. The counts are
small by default so CI stays fast; ``CODEWELL_FAULT_FULL=1`` runs the full counts that
docs/RELIABILITY.md reports (see that file for the command).
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

FULL = os.environ.get("CODEWELL_FAULT_FULL") == "1"


def scale(ci: int, full: int) -> int:
    return full if FULL else ci


def codewell(*args: str, file_limit: int | None = None, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real ``codewell`` command; ``file_limit`` caps the bytes it may write (ulimit -f)."""
    def limit() -> None:
        if file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run([sys.executable, "-m", "codewell", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit, env={**os.environ, **(env or {})})


def codewell_refusing_a_screen(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a ``codewell`` command that must refuse before its screen opens: with no terminal the
    screen would wait for ever, so on a timeout the process and everything it started are ended
    and the timeout is raised."""
    process = subprocess.Popen([sys.executable, "-m", "codewell", *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_python(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args], capture_output=True,
                          text=True, timeout=timeout)


def start_python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class HeldLock:
    """Another process's write transaction on the project, held until released (or ``seconds``)."""

    def __init__(self, path: Path | str, seconds: float = 30.0) -> None:
        self.process = start_python("""
            import sqlite3, sys, time
            conn = sqlite3.connect(sys.argv[1], isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            deadline = time.monotonic() + float(sys.argv[2])
            while time.monotonic() < deadline:
                time.sleep(0.05)
            conn.execute("ROLLBACK")
        """, str(path), str(seconds))
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"
        self.started = time.monotonic()

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)

    def __enter__(self) -> HeldLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def copy_project(template: Path, path: Path) -> Path:
    """A private copy of a project built once per module, for one test to damage."""
    source, target = sqlite3.connect(template), sqlite3.connect(path)
    source.backup(target)
    target.close()
    source.close()
    os.chmod(path, 0o600)
    return path


def damage(path: Path | str, sql: str) -> None:
    """Edit the file as a person with a DB browser would: foreign keys not enforced."""
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()


def file_bytes(path: Path | str) -> bytes:
    """The project's bytes after a checkpoint-free read (the -wal beside it counts too)."""
    main = Path(path).read_bytes()
    wal = Path(f"{path}-wal")
    return main + (wal.read_bytes() if wal.exists() else b"")


def table_rows(path: Path | str, table: str) -> list[tuple]:  # type: ignore[type-arg]
    if "://" in str(path):  # a project on the test server (tests/pg_support.py)
        import psycopg

        with psycopg.connect(str(path)) as server:
            return server.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    finally:
        conn.close()


def corrupt_responses_page(path: Path) -> None:
    """Scribble over the middle of the responses table's root page, as a failing disk might."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'responses'").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 64)


def codewell_on_read_only_mount(mounted: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run codewell where ``mounted`` (a file or a folder) is on a read-only mount.

    File modes mean nothing to root (CI runs as root), so a private mount namespace with a
    read-only bind mount is the honest way to make a path unwritable for everyone. Skips with the
    reason when this machine cannot make one.
    """
    import shlex

    import pytest

    target = shlex.quote(str(mounted))
    command = " ".join(shlex.quote(str(a)) for a in [sys.executable, "-m", "codewell", *args])
    script = f"mount --bind {target} {target} && mount -o remount,bind,ro {target} && exec {command}"
    try:
        result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                                timeout=120)
    except FileNotFoundError:
        pytest.skip("unshare (util-linux) is not installed: read-only mounts cannot be made here")
    if result.returncode != 0 and ("unshare failed" in result.stderr or "mount:" in result.stderr):
        pytest.skip(f"no private mount namespace here: {result.stderr.strip()}")
    return result
