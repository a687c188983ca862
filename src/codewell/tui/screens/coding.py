"""The coding screen: one response, its codes, and every key a coder needs.

Each action commits through the session (and so the project) first, then redraws and posts
:class:`DecisionSaved`; nothing is shown as saved before the store has it. When another process
holds the project's write lock, the key is not lost: its change waits in an outbox, shown in the
header, and a worker stores it (same uids, so exactly once) as soon as the lock is free. The
keys that open a dialog for typing (add a code, go to, search, the code picker, a memo) and
those dialogs are :mod:`codewell.tui.screens.coding_dialogs`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from codewell.errors import CodewellError
from codewell.tui.keys import screen_bindings
from codewell.tui.screens.coding_dialogs import CodingDialogs
from codewell.tui.screens.storing import StoringScreen
from codewell.tui.session import CodingSession
from codewell.values import Code, Decision, Status
from codewell.tui.widgets.code_list import CodeList, CodeRow, code_colour
from codewell.tui.widgets.codebook_panel import CodebookPanel
from codewell.tui.widgets.header import CodingHeader
from codewell.tui.widgets.response_list import ResponseList
from codewell.tui.widgets.response_view import ResponseView

TOGGLE = Binding.Group("Toggle", compact=True)
CODING_BINDINGS = [
    *(Binding(str(n), f"toggle({n})", f"Toggle code {n}", id=f"code.toggle_{n}", group=TOGGLE,
              tooltip=f"Apply or remove code {n}") for n in range(1, 10)),
    Binding("0", "more_codes", "Codes 10+", id="code.more", show=False,
            tooltip="Codes after the ninth: 0, then the code's letter"),
    Binding("right_square_bracket", "code_cursor(1)", "Next code", id="code.cursor_next", show=False,
            key_display="]", tooltip="Move the code cursor down (the codebook panel follows it)"),
    Binding("left_square_bracket", "code_cursor(-1)", "Previous code", id="code.cursor_previous",
            show=False, key_display="[", tooltip="Move the code cursor up"),
    Binding("space", "toggle_cursor", "Toggle", id="code.toggle_cursor", show=False,
            tooltip="Apply or remove the code under the cursor"),
    Binding("plus", "add_code", "Add code", id="code.add", show=False, key_display="+",
            tooltip="Add a code (inductive coding): a new codebook version"),
    Binding("d", "codebook_panel", "Codebook", id="codebook.panel", show=False,
            tooltip="Show or hide what the code under the cursor means"),
    Binding("a", "accept", "Accept", id="suggest.accept",
            tooltip="Apply every suggested code to this response"),
    Binding("A", "accept_evidence", "Accept as quotes", id="suggest.accept_evidence", show=False,
            tooltip="Apply every suggested code to the sentence of its evidence (a segment, ready to quote)"),
    Binding("v", "select_segment", "Segment", id="segment.select", show=False,
            tooltip="Select a passage by keyboard and code it (a segment)"),
    Binding("enter", "done", "Done", id="response.done", tooltip="Mark done, go to the next"),
    Binding("n", "next", "Next", id="nav.next", tooltip="Next response in the list"),
    Binding("p", "previous", "Prev", id="nav.previous", tooltip="Previous response in the list"),
    Binding("s", "skip", "Skip", id="response.skip", tooltip="Mark skipped, go to the next"),
    Binding("f", "flag", "Flag", id="response.flag", tooltip="Flag or unflag for later"),
    Binding("u", "undo", "Undo", id="decision.undo", tooltip="Undo your last code decision"),
    Binding("c", "picker", "Codes", id="code.picker", show=False, tooltip="Toggle a code by name"),
    Binding("m", "memo", "Memo", id="response.memo", show=False,
            tooltip="Write a memo on this response"),
    Binding("slash", "search", "Search", id="search.fuzzy", show=False, key_display="/",
            tooltip='Find responses: words, word*, "a phrase"'),
    Binding("g", "goto", "Go to id", id="nav.goto", show=False, tooltip="Go to a response by its id"),
    Binding("question_mark", "help", "Help", id="app.help", key_display="?", tooltip="All keys"),
    Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit (everything is already saved)"),
]


class CodingScreen(CodingDialogs, StoringScreen):
    """Header, sidebar list, response, codes, footer."""

    BINDINGS = CODING_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]

    def __init__(self, session: CodingSession) -> None:
        super().__init__(id="coding")
        self.session = session
        self._quit_warned = False
        self._end_said: tuple[int, int] | None = None  # (position, direction) an end was named at

    def compose(self) -> ComposeResult:
        yield CodingHeader(id="header")
        with Horizontal(id="body"):
            yield ResponseList(self.session, id="response-list")
            with Vertical(id="main"):
                yield ResponseView(id="response-view")
                yield CodeList(id="code-list")
            yield CodebookPanel(id="codebook-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(CodingHeader).show(project_name=self.session.project.name, coder=self.session.coder,
                                          blind=self.session.blind, set_name=self.session.set_name or "")
        self.query_one(CodeList).set_codes(self.session.codebook.codes)
        self.query_one(CodebookPanel).display = False
        self.query_one(ResponseList).reload()
        self.call_after_refresh(self.redraw)

    # -- drawing --------------------------------------------------------------------------------
    def colours(self) -> dict[str, str]:
        return {code.id: code_colour(code, i) for i, code in enumerate(self.session.codebook.codes)}

    def redraw(self) -> None:
        """Draw the current response everywhere (a handful of widgets, whatever the list size)."""
        session = self.session
        response = session.response
        suggestions = session.suggestions_for(response.id)
        applied = session.codes_of(response.id)
        others = session.others_on(response.id)
        self.query_one(ResponseView).show(
            response, session.current, session.total, session.status_of(response.id),
            session.codebook, self.colours(), applied, suggestions,
            session.memos.get(response.id), others, flagged=session.is_flagged(response.id),
            segments=session.segments_of(response.id), outside_filter=not session.rows)
        self.query_one(CodeList).show(applied, suggestions)
        self.query_one(ResponseList).follow()
        self.redraw_header()

    def redraw_header(self) -> None:
        session, header = self.session, self.query_one(CodingHeader)
        if (session.done, session.total) == (header.state.done, header.state.total):
            # The pace is as of the last response done: recomputed on every key, a fast coder's
            # rate changed on each one and repainted the header for nothing else.
            header.show(model_state=self.app.model_state)
            return
        header.show(done=session.done, total=session.total, rate=session.rate_per_hour(),
                    eta=session.eta_seconds(), model_state=self.app.model_state)

    def redraw_codes(self) -> None:
        response = self.session.response
        self.query_one(CodeList).show(self.session.codes_of(response.id),
                                      self.session.suggestions_for(response.id))

    def codebook_changed(self) -> None:
        self.query_one(CodeList).set_codes(self.session.codebook.codes)
        self.show_code_details()
        self.call_after_refresh(self.redraw)
        self.refresh_bindings()

    def rows_changed(self) -> None:
        self.query_one(ResponseList).reload()
        self.redraw()

    # -- keys -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle":
            return int(parameters[0]) <= len(self.session.codebook.codes)
        if action == "more_codes":
            return len(self.session.codebook.codes) > 9
        if action == "review" and not self.session.suggestions_on:
            return None
        return True

    # -- how the outbox shows (StoringScreen does the storing) --------------------------------------
    def waiting_changed(self) -> None:
        self.query_one(CodingHeader).show(waiting=len(self.outbox))

    def refused(self, error: CodewellError) -> None:
        self.app.catch_up(now=True)

    def reconnecting_changed(self, reconnecting: bool) -> None:
        self.query_one(CodingHeader).show(reconnecting=reconnecting)

    def toggle_code(self, code: str) -> None:
        self.query_one(CodeList).set_cursor(code)
        self.show_code_details()
        rid = self.session.response.id
        on_passages = [key for key in self.session.segments_of(rid) if key[0] == code]
        if on_passages and (code, None, None) not in self.session.spans.get(rid, ()):
            self.notify(f"{code} is coded on {len(on_passages)} passage(s) of this response: press v to change "
                        "them (its key there removes the selected passage), or u to undo.", timeout=5)
            return
        self.store(lambda: self.session.plan_toggle(code, rid), lambda _: self.redraw_codes())

    def action_toggle(self, n: int) -> None:
        codes = self.session.codebook.codes
        if 0 < n <= len(codes):
            self.toggle_code(codes[n - 1].id)

    def action_accept(self) -> None:
        rid = self.session.response.id
        if self.session.suggestions_for(rid) is None:
            self.notify(self.session.why_no_suggestions(rid), timeout=4)
            return
        # Only the code rows change: the codes accepted were suggested, so their evidence is
        # already marked in the response, and nothing else on screen depends on them.
        self.store(lambda: self.session.plan_accept(rid), lambda _: self.redraw_codes())

    def action_accept_evidence(self) -> None:
        from codewell.tui.widgets.segment_selection import sentence_around

        response = self.session.response
        suggestions = self.session.suggestions_for(response.id)
        if suggestions is None:
            self.notify(self.session.why_no_suggestions(response.id), timeout=4)
            return
        spans = {s.code: sentence_around(response.text, s.evidence[0].start, s.evidence[0].end)
                 for s in suggestions if s.suggested and s.evidence}
        self.store(lambda: self.session.plan_accept_evidence(spans, response.id), lambda _: self.redraw())

    def action_select_segment(self) -> None:
        from codewell.tui.screens.segment import SegmentScreen
        from codewell.tui.widgets.segment_selection import Selection

        response = self.session.response
        held = self.session.segments_of(response.id)
        selection = Selection.first_sentence(response.text, held[-1][2] if held else 0)
        if selection is None:
            self.notify("This response has no text to select.", timeout=3)
            return
        self.app.push_screen(SegmentScreen(self, selection), lambda _: self.redraw())

    def _mark_and_move(self, status: Status) -> None:
        rid = self.session.response.id

        def after(_: object) -> None:
            if status is Status.DONE:
                self.app.retrain()
            row = self.session.row_of.get(self.session.index_of.get(rid, -1))
            if row is not None:  # its mark only: a whole-list repaint was a third of an Enter
                self.query_one(ResponseList).refresh_line(row)

        if self.store(lambda: self.session.plan_mark(status, rid), after) == "failed":
            return
        if not self.session.move(1) and not (self.found_more() and self.session.move(1)):
            self.notify("That was the last response in the list.", timeout=3)
        self.moved()

    def found_more(self) -> bool:
        """At the end of the list, take in responses another process imported meanwhile."""
        added = self.session.look_for_more()
        if added:
            self.query_one(ResponseList).reload()
            self.notify(f"{added} response(s) were imported in another session; the list now holds "
                        f"{self.session.total}.", timeout=5)
        return bool(added)

    def moved(self) -> None:
        if not self.outbox:  # changes waiting mean the project is busy or away: look next time
            self.app.catch_up()
        self.redraw()
        # After the screen has the new response: the suggestion worker then never delays the key.
        self.call_after_refresh(self.app.prefetch_suggestions)

    def action_done(self) -> None:
        self._mark_and_move(Status.DONE)

    def action_skip(self) -> None:
        self._mark_and_move(Status.SKIPPED)

    def action_flag(self) -> None:
        rid = self.session.response.id

        def after(_: object) -> None:
            self.redraw()
            self.query_one(ResponseList).refresh()

        self.store(lambda: self.session.plan_flag(rid), after)

    # -- every code from the keyboard, and what it means --------------------------------------------
    def action_more_codes(self) -> None:
        from codewell.tui.screens.code_keys import CodeKeyScreen

        codes = self.session.codebook.codes
        if len(codes) <= 9:
            self.notify("Every code has a number key (1-9).", timeout=2)
            return

        def chosen(code: str | None) -> None:
            if code is not None:
                self.toggle_code(code)

        self.app.push_screen(CodeKeyScreen(codes), chosen)

    def action_code_cursor(self, step: int) -> None:
        self.query_one(CodeList).move_cursor(step)
        self.show_code_details()

    def action_toggle_cursor(self) -> None:
        code = self.query_one(CodeList).cursor_code
        if code is not None:
            self.toggle_code(code.id)

    def action_codebook_panel(self) -> None:
        panel = self.query_one(CodebookPanel)
        panel.display = not panel.display
        self.show_code_details()

    def focused_code(self) -> Code | None:
        """The code under the cursor: what the codebook panel and codebook changes act on."""
        return self.query_one(CodeList).cursor_code

    def show_code_details(self) -> None:
        panel = self.query_one(CodebookPanel)
        if panel.display:
            panel.show(self.query_one(CodeList).cursor_code, self.session.codebook)

    def action_next(self) -> None:
        self._move(1, "That is the last response in the list.")

    def action_previous(self) -> None:
        self._move(-1, "That is the first response in the list.")

    def _move(self, step: int, at_the_end: str) -> None:
        """Move along the list; at either end say so once (a silent key read as a lost one)."""
        if self.session.move(step) or (step > 0 and self.found_more() and self.session.move(step)):
            self._end_said = None
            self.moved()
        elif self._end_said != (self.session.current, step):
            self._end_said = (self.session.current, step)
            self.notify(at_the_end if self.session.rows else "No response matches this filter.", timeout=2)

    def action_undo(self) -> None:
        def after(decision: object) -> None:
            if not isinstance(decision, Decision):
                self.notify("Nothing to undo.", timeout=2)
                return
            position = self.session.index_of.get(decision.response_id)
            if position is not None and position != self.session.current:
                self.session.go_to(position)
                self.moved()
            else:
                self.redraw()

        self.store(self.session.plan_undo, after)

    def jump(self, position: int | None) -> None:
        if position is not None:
            self.session.go_to(position)
            self.moved()

    def action_help(self) -> None:
        from codewell.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) of this screen's own keys, as the keymap has them."""
        rows: list[tuple[str, str, str]] = []
        toggles = []
        for binding in screen_bindings(self, getattr(self.app, "keymap", {})):
            if binding.group is TOGGLE:
                toggles.append(self.app.get_key_display(binding))
                continue
            rows.append((self.app.get_key_display(binding), binding.tooltip or binding.description,
                         binding.id))
        if toggles:
            rows.insert(0, (f"{toggles[0]}-{toggles[-1]}", "Apply or remove the code with that number",
                            "code.toggle_1..9"))
        return rows

    def action_quit(self, key: str = "q") -> None:
        """Quit, but first say once what quitting would lose: changes still waiting for the
        project, or a memo typed and not yet saved (ctrl+q reaches here from inside the memo)."""
        from codewell.tui.screens.memo import MemoScreen

        memo = self.app.screen
        unsaved_memo = isinstance(memo, MemoScreen) and memo.unsaved
        if (self.outbox or unsaved_memo) and not self._quit_warned:
            self._quit_warned = True
            if self.outbox:
                self.notify(f"{len(self.outbox)} change(s) are still waiting for the project and would be lost. "
                            f"Press {key} again to quit anyway.", title="Not saved yet", severity="warning",
                            timeout=8)
            if unsaved_memo:
                self.notify(f"Your memo on {memo.response_id} is not saved: enter saves it. "
                            f"Press {key} again to quit without it.", title="Not saved yet",
                            severity="warning", timeout=8)
            return
        self.app.exit()

    # -- mouse and messages ---------------------------------------------------------------------
    def on_code_row_clicked(self, event: CodeRow.Clicked) -> None:
        self.toggle_code(event.code)

    def on_response_list_selected(self, event: ResponseList.Selected) -> None:
        self.jump(event.position)
