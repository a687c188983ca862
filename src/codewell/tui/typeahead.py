"""Keys typed straight after choosing a dialog from the command palette belong to that dialog.

A fast typist picks "Add a code" in the palette with Enter and types the label at once. The
palette closes and the dialog opens a few event-loop turns later; meanwhile those keys reach the
closing palette's search field (and are lost with it) or the coding screen (where a letter is a
command). So after Enter in the palette, keys are held, then handed over in the order typed: to
the dialog, once one that takes typed-ahead keys is on top; or, when the palette closed without
opening one (a filter, an order) or stayed open (Enter only highlighted a command), to whatever
screen is on top, as if they had never been held.
"""

from __future__ import annotations

import time

from textual import events
from textual.app import App
from textual.command import CommandPalette

from codewell.tui.literal import LiteralNotify

TICK = 0.05
# An Enter that leaves the palette open (it only highlighted a command) holds keys this long.
STILL_OPEN = 0.3
# After the palette closed, the chosen command has run (and pushed its dialog) within this.
AFTER_CLOSE = 0.15
# Never hold keys longer than this, however slow the machine.
LIMIT = 1.5


class PaletteTypeahead(LiteralNotify, App[None]):
    """Mixed into the app: holds keys after Enter in the command palette (see the module)."""

    _held: list[events.Key] | None = None
    _held_since = 0.0
    _closed_at: float | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held is not None:
                self._held.append(event)
                return
            if event.key == "enter" and isinstance(self.screen, CommandPalette):
                self._held, self._held_since, self._closed_at = [], time.monotonic(), None
                self.set_timer(TICK, self._hand_over_held)
        await super().on_event(event)

    def on_command_palette_closed(self, event: CommandPalette.Closed) -> None:
        if self._held is not None:
            self._closed_at = time.monotonic()

    def _hand_over_held(self) -> None:
        if not self.is_running or not self.screen_stack:
            # Quitting: the keys have nowhere to go. (Under Pilot the shutdown runs beside the
            # message loop, and this timer met an empty screen stack: seen in the test suite.)
            self._held = None
            return
        now, screen = time.monotonic(), self.screen
        takes_typeahead = getattr(screen, "TAKES_TYPEAHEAD", False)
        waiting = (now - self._held_since < STILL_OPEN if self._closed_at is None
                   else now - self._closed_at < AFTER_CLOSE)
        if not takes_typeahead and waiting and now - self._held_since < LIMIT:
            self.set_timer(TICK, self._hand_over_held)
            return
        held, self._held = self._held or [], None
        for key in held:
            again = events.Key(key.key, key.character)
            if takes_typeahead:
                screen.post_message(again)
            else:
                again.set_sender(self)
                self.post_message(again)
