"""Review by code: every response where one code is suggested but undecided, most likely first.

The coder marks rows (space, or `*` for all) and accepts or rejects them together; each one is
still stored as its own decision, in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from codewell.errors import CodewellError
from codewell.values import Status
from codewell.tui.messages import DecisionSaved
from codewell.tui.literal import printable
from codewell.tui.session import CodingSession
from codewell.tui.widgets.code_list import evidence_quote

if TYPE_CHECKING:
    from codewell.suggest.remote import ModelInfo

CHUNK = 64


def candidates(session: CodingSession, code: str, decided: set[tuple[str, str]]) -> list[tuple[int, float]]:
    """(position, probability) of responses where ``code`` is suggested and not decided yet.

    Not decided: the coder has no event for this code on the response and has not marked it done.
    """
    found = []
    for position, response in enumerate(session.responses):
        if session.statuses.get(response.id) is Status.DONE or (response.id, code) in decided:
            continue
        for suggestion in session.suggestions_for(response.id) or ():  # none on an open set
            if suggestion.code == code and suggestion.suggested:
                found.append((position, suggestion.probability))
    found.sort(key=lambda item: (-item[1], item[0]))
    return found


class ReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("space", "mark", "Mark row", id="review.mark",
                tooltip="space marks or unmarks the highlighted row; a and r then act on every marked row"),
        Binding("a", "decide('apply')", "Accept marked", id="review.accept"),
        Binding("r", "decide('remove')", "Reject marked", id="review.reject"),
        Binding("asterisk", "mark_all", "Mark all", id="review.mark_all", key_display="*"),
        Binding("escape,q", "back", "Back", id="review.back"),
    ]

    def __init__(self, session: CodingSession, code: str, model: ModelInfo, fresh: set[str]) -> None:
        """``model``: the app's model when review opened, the one model this screen asks (in the
        suggestion process); ``fresh``: ids that model has already suggested for (the app keeps
        it up to date)."""
        super().__init__(id="review")
        self.session = session
        self.fresh = fresh
        self.code = session.codebook.get(code)
        self.model = model
        self.probabilities: dict[int, float] = {}
        self.marked: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Label(f"Review '{self.code.label}': computing suggestions…", id="review-title", markup=False)
        yield OptionList(id="review-list")
        yield Static("", id="review-text")  # the whole highlighted response, read before a bulk accept
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        missing = [p for p, r in enumerate(self.session.responses) if r.id not in self.fresh]
        self.fill_suggestions(missing)

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def fill_suggestions(self, positions: list[int]) -> None:
        """Ask the suggestion process (all chunks at once, answers in order); only waits here."""
        from codewell.suggest.remote import shared_suggester

        worker = get_current_worker()
        responses = self.session.responses
        suggester = shared_suggester()
        chunks = [positions[start:start + CHUNK] for start in range(0, len(positions), CHUNK)]
        asked = [([responses[p].id for p in chunk],
                  suggester.suggest(self.model.generation, [responses[p].text for p in chunk]))
                 for chunk in chunks]
        found = {}
        for ids, future in asked:
            results = future.result()
            if worker.is_cancelled:
                return
            if results is None:  # a newer model replaced ours: ask it instead
                self.app.call_from_thread(self.ask_newer)
                return
            found.update(zip(ids, results))
        self.app.call_from_thread(self.show_rows, found)

    def ask_newer(self) -> None:
        newer = getattr(self.app, "model", None)
        if not self.is_attached:
            return
        if newer is None or newer is self.model:  # nothing newer to ask: list what is known
            self.show_rows({})
            return
        self.model, self.fresh = newer, self.app.fresh  # type: ignore[attr-defined]
        self.fill_suggestions([p for p, r in enumerate(self.session.responses) if r.id not in self.fresh])

    def show_rows(self, found: dict) -> None:
        if getattr(self.app, "model", None) is self.model:
            self.session.suggestions.update(found)
            self.fresh.update(found)
        else:  # a newer model arrived meanwhile: keep whatever it has already said
            newer = getattr(self.app, "fresh", set())
            self.session.suggestions.update({k: v for k, v in found.items() if k not in newer})
        if not self.is_attached:  # left before the suggestions were ready
            return
        decided = {(d.response_id, d.code) for d in self.session.project.decisions(self.session.coder)}
        self.probabilities = dict(candidates(self.session, self.code.id, decided))
        self.fill()

    def fill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self.prompt(p), str(p)) for p in self.probabilities])
        options.highlighted = 0 if self.probabilities else None
        self.update_title()

    def prompt(self, position: int) -> Text:
        """A row: mark (text, so it reads without colour), probability, id, evidence, the text."""
        probability = self.probabilities[position]
        response = self.session.responses[position]
        suggestion = [s for s in self.session.suggestions[response.id] if s.code == self.code.id][0]
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("[x] " if position in self.marked else "[ ] ", style="bold")
        text.append(f"{probability:4.0%} ", style="bold")
        text.append(f"{printable(response.id):<8} ", style="bold")
        if suggestion.evidence:
            text.append_text(evidence_quote(suggestion, 50))
            text.append("  ")
        text.append(printable(" ".join(response.text[:300].split())), style="dim")
        return text

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        response = self.session.responses[int(event.option.id or 0)]
        self.query_one("#review-text", Static).update(Text(printable(f"{response.id}: {response.text}")))

    def update_title(self) -> None:
        self.query_one("#review-title", Label).update(
            f"Review '{self.code.label}': {len(self.probabilities)} suggested, not yet decided · "
            f"{len(self.marked)} marked · space marks, * marks all, a accepts, r rejects, escape returns")

    def _set_marks(self, positions: list[int], on: bool) -> None:
        (self.marked.update if on else self.marked.difference_update)(positions)
        options = self.query_one(OptionList)
        if len(positions) > 50:  # one rebuild beats thousands of single-row replacements
            highlighted = options.highlighted
            self.fill()
            options.highlighted = highlighted
            return
        index = {p: i for i, p in enumerate(self.probabilities)}
        for position in positions:
            options.replace_option_prompt_at_index(index[position], self.prompt(position))
        self.update_title()

    def highlighted_position(self) -> int | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return int(options.get_option_at_index(options.highlighted).id)

    def action_mark(self) -> None:
        position = self.highlighted_position()
        if position is not None:
            self._set_marks([position], position not in self.marked)
            options = self.query_one(OptionList)
            options.highlighted = min((options.highlighted or 0) + 1, options.option_count - 1)

    def action_mark_all(self) -> None:
        everything = list(self.probabilities)
        self._set_marks(everything, len(self.marked) < len(everything))

    def action_decide(self, action: str) -> None:
        positions = [p for p in self.probabilities if p in self.marked]
        highlighted = self.highlighted_position()
        if not positions and highlighted is not None:
            positions = [highlighted]
        if not positions:
            return
        verb = "Accept" if action == "apply" else "Reject"
        if len(positions) == 1:
            self.decide(action, positions)
            return
        from codewell.tui.screens.confirm import ConfirmScreen

        question = f"{verb} '{self.code.label}' for {len(positions)} responses?"
        self.app.push_screen(ConfirmScreen(question),
                             lambda yes: self.decide(action, positions) if yes else None)

    def decide(self, action: str, positions: list[int]) -> None:
        items = [(self.session.responses[p].id, self.code.id, action, self.probabilities.get(p), True)
                 for p in positions]
        try:
            decisions = self.session.record_many(items)
        except CodewellError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        self.post_message(DecisionSaved(tuple(decisions)))
        for position in positions:
            self.probabilities.pop(position, None)
            self.marked.discard(position)
        self.fill()
        self.notify(f"{'Accepted' if action == 'apply' else 'Rejected'} {len(decisions)}", timeout=2)

    def action_back(self) -> None:
        self.dismiss(None)
