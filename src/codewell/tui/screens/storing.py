"""A screen that stores before it shows, and keeps keys that meet a busy project.

Every change goes through :meth:`StoringScreen.store`: the store commits it, then the screen
shows it and posts :class:`DecisionSaved`. When another process holds the project's write lock
(or a server connection is lost), the change waits in an outbox, in key order, and a worker
stores it as soon as it can; its uids were fixed when planned, so it lands exactly once. The
coding and segment screens share this one mechanism.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from textual import work
from textual.screen import Screen

from codewell.errors import CodewellError, ProjectBusyError, ProjectUnavailableError
from codewell.tui.messages import DecisionSaved
from codewell.tui.session import QUICK_WAIT, Write
from codewell.values import Decision

#: One try of the outbox worker, and how long it waits before telling the coder more.
OUTBOX_WAIT = 1.0
TELL_AFTER = 30.0


class StoringScreen(Screen):
    """Commit, then show; a busy project queues the change and keeps the key."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        # Changes waiting for a busy project, in key order: (plan, what to do once stored).
        self.outbox: deque[tuple[Callable[[], Write | None], Callable[[object], None]]] = deque()
        self._flushing = False

    def store(self, plan: Callable[[], Write | None], after: Callable[[object], None]) -> str:
        """Store the change ``plan`` makes, then run ``after`` with what was stored.

        Returns "saved", "queued" (the project is busy: the change waits in the outbox, in key
        order, and is stored by a background worker as soon as the lock is free) or "failed".
        """
        if self.outbox:
            self.outbox.append((plan, after))
            self.waiting_changed()
            return "queued"
        try:
            write = plan()
            if write is None:
                after(None)
                return "saved"
            result = write.store(QUICK_WAIT)
        except ProjectBusyError as error:
            self.outbox.append((lambda: write, after))
            self.reconnecting_changed(isinstance(error, ProjectUnavailableError))
            self.waiting_changed()
            self._start_flushing()
            return "queued"
        except CodewellError as error:
            self.notify(str(error), title="Not saved", severity="error")
            self.refused(error)
            return "failed"
        self._applied(write, after, result)
        return "saved"

    def _applied(self, write: Write, after: Callable[[object], None], result: object) -> None:
        write.apply(result)
        if isinstance(result, list) and result and isinstance(result[0], Decision):
            self.post_message(DecisionSaved(tuple(result)))
        elif isinstance(result, Decision):
            self.post_message(DecisionSaved((result,)))
        after(result)

    def _start_flushing(self) -> None:
        if not self._flushing:
            self._flushing = True
            self.flush_outbox()

    @work(thread=True, group="outbox", exit_on_error=False)
    def flush_outbox(self) -> None:
        """Store the queued changes in order, waiting as long as the lock is held."""
        started, told = time.monotonic(), False
        while self.outbox:
            plan, after = self.outbox[0]
            try:
                write = self.app.call_from_thread(plan)
                result = None
                while write is not None:
                    try:
                        result = write.store(OUTBOX_WAIT)
                        break
                    except ProjectBusyError as error:
                        self.app.call_from_thread(self.reconnecting_changed,
                                                  isinstance(error, ProjectUnavailableError))
                        if not told and time.monotonic() - started > TELL_AFTER:
                            told = True
                            self.app.call_from_thread(
                                self.notify, f"Still waiting for the project; your {len(self.outbox)} "
                                "change(s) are kept and will be saved as soon as it is free.",
                                title="Project busy", severity="warning", timeout=10)
            except CodewellError as error:
                self.app.call_from_thread(self.notify, str(error), title="Not saved", severity="error")
                self.app.call_from_thread(self.refused, error)
            else:
                if write is None:
                    self.app.call_from_thread(after, None)
                else:
                    self.app.call_from_thread(self._applied, write, after, result)
            self.outbox.popleft()
            self.app.call_from_thread(self.waiting_changed)
        self.app.call_from_thread(self._flush_finished)

    def _flush_finished(self) -> None:
        self._flushing = False
        if self.outbox:  # a key queued after the worker's last look
            self._start_flushing()
        self.waiting_changed()
        self.redraw()

    def refused(self, error: CodewellError) -> None:
        """The store refused a change (already shown as "Not saved"); a screen may look for the
        cause, such as a codebook changed by another session."""

    def waiting_changed(self) -> None:
        """Show how many changes wait (``len(self.outbox)``); the screen knows where."""

    def reconnecting_changed(self, reconnecting: bool) -> None:
        """Show whether the wait is for a lost server rather than a lock."""

    def redraw(self) -> None:
        """Draw the screen again once the outbox is empty."""
