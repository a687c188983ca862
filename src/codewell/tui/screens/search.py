"""`/`: find responses by what they say, in the project's full-text index, off the UI thread.

Words, ``word*`` and ``"a phrase"`` (see :meth:`codewell.project.Project.search`); a response id
typed exactly is found too. A query that cannot be read says why in place of the results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from codewell.errors import CodewellError
from codewell.tui.literal import printable
from codewell.values import Response
from codewell.tui.widgets.filter_choice import FilterChoice

LIMIT = 30
#: Index hits asked for, so that a filtered working set still fills the list.
WIDE = 10 * LIMIT


def search_responses(query: str, position: Mapping[str, int], find: Callable[..., list[Response]],
                     limit: int = LIMIT) -> list[int]:
    """Positions (``position``: id -> position in the working set) of an id typed exactly, then
    of the index's hits (``find``, the project's search) in import order; a
    :class:`SearchSyntaxError` passes through."""
    if not query.strip():
        return []
    found = [position[query.strip()]] if query.strip() in position else []
    found += [position[r.id] for r in find(query, limit=WIDE) if r.id in position]
    return list(dict.fromkeys(found))[:limit]


class SearchScreen(FilterChoice[int]):
    """Dismisses with the chosen response's position in the working set, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="search.cancel")]

    def __init__(self, responses: Sequence[Response], position: Mapping[str, int],
                 find: Callable[..., list[Response]]) -> None:
        super().__init__()
        self.responses = responses
        self.position = position
        self.find = find
        self._shown_for: str | None = None  # the field's text when the list was last filled

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -tall"):
            yield Label("Search responses (enter opens the highlighted one)", classes="dialog-title")
            yield Input(placeholder="words from the response", id="search-query")
            yield Label("", id="search-error", markup=False)
            yield OptionList(id="search-results")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter typed before the results of what is in the field came in: search now, here,
        and open the first hit (an index lookup), rather than choose nothing and say nothing."""
        if self._shown_for == event.value:
            return  # the list is what the field says: choose its highlighted result
        event.prevent_default()
        try:
            positions = search_responses(event.value, self.position, self.find)
        except CodewellError as error:
            self._show([], str(error))
            return
        if positions:
            self.dismiss(positions[0])
        else:
            self._show([], "No response matches that." if event.value.strip() else "")

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str) -> None:
        try:
            positions, problem = search_responses(query, self.position, self.find), ""
        except CodewellError as error:  # a query it cannot read, or a project that cannot search
            positions, problem = [], str(error)
        self.app.call_from_thread(self._show, positions, problem, query)

    def _show(self, positions: list[int], problem: str = "", query: str | None = None) -> None:
        if not self.is_attached:  # chosen or cancelled while the search ran
            return
        self._shown_for = query
        self.query_one("#search-error", Label).update(problem if self.query_one(Input).value.strip() else "")
        options = self.query_one(OptionList)
        options.clear_options()
        for position in positions:
            response = self.responses[position]
            prompt = Text(printable(response.id), style="bold")
            prompt.append(printable(" " + " ".join(response.text[:200].split())))
            options.add_option(Option(prompt, id=str(position)))
        if options.option_count:
            options.highlighted = 0

    def result_for(self, option_id: str) -> int:
        return int(option_id)
