"""The coding screen: one response, its codes, and every key a coder needs.

Each action commits through the session (and so the project) first, then redraws and posts
:class:`DecisionSaved`; nothing is shown as saved before the store has it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from codewell.errors import CodewellError
from codewell.values import Decision, Status
from codewell.tui.messages import DecisionSaved
from codewell.tui.session import CodingSession
from codewell.tui.widgets.code_list import CodeList, CodeRow, code_colour
from codewell.tui.widgets.header import CodingHeader
from codewell.tui.widgets.response_list import ResponseList
from codewell.tui.widgets.response_view import ResponseView

TOGGLE = Binding.Group("Toggle", compact=True)
CODING_BINDINGS = [
    *(Binding(str(n), f"toggle({n})", f"Toggle code {n}", id=f"code.toggle_{n}", group=TOGGLE,
              tooltip=f"Apply or remove code {n}") for n in range(1, 10)),
    Binding("a", "accept", "Accept", id="suggest.accept",
            tooltip="Apply every suggested code to this response"),
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
            tooltip="Find responses by their words (typo-tolerant)"),
    Binding("g", "goto", "Go to id", id="nav.goto", show=False, tooltip="Go to a response by its id"),
    Binding("question_mark", "help", "Help", id="app.help", key_display="?", tooltip="All keys"),
    Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit (everything is already saved)"),
]
SUGGESTION_ACTIONS = {"accept", "review"}


class CodingScreen(Screen):
    """Header, sidebar list, response, codes, footer."""

    BINDINGS = CODING_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]

    def __init__(self, session: CodingSession) -> None:
        super().__init__(id="coding")
        self.session = session

    def compose(self) -> ComposeResult:
        yield CodingHeader(id="header")
        with Horizontal(id="body"):
            yield ResponseList(self.session, id="response-list")
            with Vertical(id="main"):
                yield ResponseView(id="response-view")
                yield CodeList(id="code-list")
        yield Footer()

    def on_mount(self) -> None:
        header = self.query_one(CodingHeader)
        header.project_name = self.session.project.name
        header.coder = self.session.coder
        header.blind = self.session.blind
        self.query_one(CodeList).set_codes(self.session.codebook.codes)
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
        others = {coder: (codings.get(response.id, frozenset()), memos.get(response.id))
                  for coder, (codings, memos) in session.others.items()}
        self.query_one(ResponseView).show(
            response, session.current, session.total, session.status_of(response.id),
            session.codebook, self.colours(), applied, suggestions,
            session.memos.get(response.id), others)
        self.query_one(CodeList).show(applied, suggestions)
        self.query_one(ResponseList).follow()
        self.redraw_header()

    def redraw_header(self) -> None:
        header = self.query_one(CodingHeader)
        header.done = self.session.done
        header.total = self.session.total
        header.rate = self.session.rate_per_hour()
        header.eta = self.session.eta_seconds()
        header.model_state = self.app.model_state

    def redraw_codes(self) -> None:
        response = self.session.response
        self.query_one(CodeList).show(self.session.codes_of(response.id),
                                      self.session.suggestions_for(response.id))

    def codebook_changed(self) -> None:
        self.query_one(CodeList).set_codes(self.session.codebook.codes)
        self.call_after_refresh(self.redraw)
        self.refresh_bindings()

    def rows_changed(self) -> None:
        self.query_one(ResponseList).reload()
        self.redraw()

    # -- keys -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle":
            return int(parameters[0]) <= len(self.session.codebook.codes)
        if action in SUGGESTION_ACTIONS and not self.session.suggestions_on:
            return None
        return True

    def _commit(self, change: Callable[[], list[Decision]]) -> list[Decision]:
        """Run a storing change; show an error instead of crashing if the store refuses it."""
        try:
            decisions = change()
        except CodewellError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return []
        if decisions:
            self.post_message(DecisionSaved(tuple(decisions)))
        return decisions

    def toggle_code(self, code: str) -> None:
        if self._commit(lambda: [self.session.toggle(code)]):
            self.redraw_codes()

    def action_toggle(self, n: int) -> None:
        codes = self.session.codebook.codes
        if 0 < n <= len(codes):
            self.toggle_code(codes[n - 1].id)

    def action_accept(self) -> None:
        if self.session.suggestions_for(self.session.response.id) is None:
            self.notify("Suggestions are not ready yet.", timeout=2)
            return
        if self._commit(self.session.accept_suggestions):
            self.redraw()

    def _mark_and_move(self, status: Status) -> None:
        try:
            self.session.mark(status)
        except CodewellError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        if status is Status.DONE:
            self.app.retrain()
        if not self.session.move(1):
            self.notify("That was the last response in the list.", timeout=3)
        self.moved()

    def moved(self) -> None:
        self.redraw()
        # After the screen has the new response: the suggestion worker then never delays the key.
        self.call_after_refresh(self.app.prefetch_suggestions)

    def action_done(self) -> None:
        self._mark_and_move(Status.DONE)

    def action_skip(self) -> None:
        self._mark_and_move(Status.SKIPPED)

    def action_flag(self) -> None:
        flagged = self.session.status_of(self.session.response.id) is Status.FLAGGED
        try:
            self.session.mark(Status.UNCODED if flagged else Status.FLAGGED)
        except CodewellError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        self.redraw()

    def action_next(self) -> None:
        if self.session.move(1):
            self.moved()

    def action_previous(self) -> None:
        if self.session.move(-1):
            self.moved()

    def action_undo(self) -> None:
        decisions = self._commit(lambda: [d for d in [self.session.undo()] if d is not None])
        if not decisions:
            self.notify("Nothing to undo.", timeout=2)
            return
        position = self.session.index_of.get(decisions[0].response_id)
        if position is not None and position != self.session.current:
            self.session.go_to(position)
            self.moved()
        else:
            self.redraw()

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

        def save(text: str | None) -> None:
            if text is None or response_id != self.session.response.id:
                return
            try:
                self.session.save_memo(text)
            except CodewellError as error:
                self.notify(str(error), title="Not saved", severity="error")
                return
            self.redraw()

        self.app.push_screen(MemoScreen(response_id, self.session.memos.get(response_id, "")), save)

    def jump(self, position: int | None) -> None:
        if position is not None:
            self.session.go_to(position)
            self.moved()

    def action_search(self) -> None:
        from codewell.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.session.responses), self.jump)

    def action_goto(self) -> None:
        from codewell.tui.screens.goto import GotoScreen

        def go(response_id: str | None) -> None:
            self.jump(None if response_id is None else self.session.index_of[response_id])

        self.app.push_screen(GotoScreen(self.session.index_of), go)

    def action_help(self) -> None:
        from codewell.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) of this screen's own keys, as the keymap has them."""
        rows: list[tuple[str, str, str]] = []
        toggles = []
        for _, binding in self._bindings:
            if not binding.id:
                continue
            if binding.group is TOGGLE:
                toggles.append(self.app.get_key_display(binding))
                continue
            rows.append((self.app.get_key_display(binding), binding.tooltip or binding.description,
                         binding.id))
        if toggles:
            rows.insert(0, (f"{toggles[0]}-{toggles[-1]}", "Apply or remove the code with that number",
                            "code.toggle_1..9"))
        return rows

    def action_quit(self) -> None:
        self.app.exit()

    # -- mouse and messages ---------------------------------------------------------------------
    def on_code_row_clicked(self, event: CodeRow.Clicked) -> None:
        self.toggle_code(event.code)

    def on_response_list_selected(self, event: ResponseList.Selected) -> None:
        self.jump(event.position)
