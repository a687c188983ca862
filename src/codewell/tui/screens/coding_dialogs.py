"""The coding screen's keys that open a dialog for what is typed next, and those dialogs.

Adding a code, going to an id, searching, choosing a code by name and writing a memo each open a
dialog that takes typing (``gIS002⏎``). A fast typist's keys after the opening one must land in
that dialog, in order, so these keys are opened as the key is read rather than through the
bindings (:meth:`CodingDialogs.on_key`); what each dialog gives back is then stored or followed
here. A memo is checked against the stored one before it is saved, since the same coder may have
written one in another terminal meanwhile. Mixed into
:class:`~codewell.tui.screens.coding.CodingScreen`, which owns the session and stores changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from codewell.tui.session import CodingSession

# The keys whose dialog takes what is typed next (``gIS002⏎``): opened as the key is read.
TYPED_INTO = frozenset({"add_code", "goto", "search", "picker", "memo"})


class CodingDialogs:
    """The dialogs of the coding screen (``self`` is a CodingScreen)."""

    session: CodingSession

    def on_key(self, event: events.Key) -> None:
        """Keys typed ahead of a dialog belong to it, in the order typed.

        A fast typist's next keys are already on their way to this screen's widgets when the key
        that opens a dialog (add a code, go to, search, the code picker, a memo) is read;
        bindings run only once a key has bubbled to the app, too late for them. So that key
        opens its dialog here, at once, and the keys after it, arriving here while the dialog is
        on top, are handed to it.
        """
        active = self.app.screen
        if active is not self and getattr(active, "TAKES_TYPEAHEAD", False):
            event.stop()
            event.prevent_default()
            active.post_message(events.Key(event.key, event.character))
            return
        found = self.active_bindings.get(event.key)
        if active is self and found is not None and found.binding.action in TYPED_INTO:
            event.stop()
            event.prevent_default()
            getattr(self, f"action_{found.binding.action}")()

    def action_add_code(self) -> None:
        self.app.add_code()

    def action_search(self) -> None:
        from codewell.tui.screens.search import SearchScreen

        session = self.session
        self.app.push_screen(SearchScreen(session.responses, session.index_of, session.project.search), self.jump)

    def action_goto(self) -> None:
        from codewell.tui.screens.goto import GotoScreen

        def go(response_id: str | None) -> None:
            self.jump(None if response_id is None else self.session.index_of[response_id])

        self.app.push_screen(GotoScreen(self.session.index_of), go)

    def action_picker(self) -> None:
        from codewell.tui.widgets.code_picker import CodePicker

        def chosen(code: str | None) -> None:
            if code is not None:
                self.toggle_code(code)

        applied = self.session.codes_of(self.session.response.id)
        self.app.push_screen(CodePicker(self.session.codebook.codes, applied), chosen)

    def action_memo(self) -> None:
        from codewell.tui.screens.memo import MemoScreen

        response_id = self.session.response.id

        def open_memo(started: str, draft: str | None = None) -> None:
            def save(text: str | None) -> None:
                if text is None or response_id != self.session.response.id:
                    return
                now = self.session.stored_memo(response_id)
                if now != started and text != now:  # the same coder's other terminal wrote meanwhile
                    self.redraw()
                    self.notify(f"Your memo on {response_id} was changed in another session while you wrote; "
                                f"it now reads: {now or '(no memo)'}. Yours is still in the box: enter saves it "
                                "in place of that one, escape keeps that one.", title="Memo not saved",
                                severity="warning", timeout=15)
                    open_memo(now, text)
                    return
                self.store(lambda: self.session.plan_memo(text, response_id), lambda _: self.redraw())

            self.app.push_screen(MemoScreen(response_id, started, draft=draft), save)

        # As stored now, not as read when the screen opened: the same coder in another terminal
        # may have written one since, and adding to the old text would have replaced it.
        open_memo(self.session.stored_memo(response_id))
