"""`/`: find responses by what they say, typo-tolerant (rapidfuzz), searched off the UI thread."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from codewell.values import Response
from codewell.tui.widgets.filter_choice import FilterChoice

LIMIT = 30


def search_responses(query: str, responses: tuple[Response, ...], limit: int = LIMIT) -> list[int]:
    """Positions of the responses whose text or id best contains ``query``, best first."""
    from rapidfuzz import fuzz, process, utils

    if not query.strip():
        return []
    texts = [f"{r.id} {r.text}" for r in responses]
    hits = process.extract(query, texts, scorer=fuzz.partial_ratio, processor=utils.default_process,
                           limit=limit, score_cutoff=60)
    return [position for _, _, position in hits]


class SearchScreen(FilterChoice[int]):
    """Dismisses with the chosen response's position in the working set, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="search.cancel")]

    def __init__(self, responses: tuple[Response, ...]) -> None:
        super().__init__()
        self.responses = responses

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -tall"):
            yield Label("Search responses (enter opens the highlighted one)", classes="dialog-title")
            yield Input(placeholder="words from the response", id="search-query")
            yield OptionList(id="search-results")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str) -> None:
        positions = search_responses(query, self.responses)
        self.app.call_from_thread(self._show, positions)

    def _show(self, positions: list[int]) -> None:
        if not self.is_attached:  # chosen or cancelled while the search ran
            return
        options = self.query_one(OptionList)
        options.clear_options()
        for position in positions:
            response = self.responses[position]
            prompt = Text(response.id, style="bold")
            prompt.append(" " + " ".join(response.text[:200].split()))
            options.add_option(Option(prompt, id=str(position)))
        if options.option_count:
            options.highlighted = 0

    def result_for(self, option_id: str) -> int:
        return int(option_id)
