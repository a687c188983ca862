"""Messages that cross widgets and threads: workers compute, messages deliver, the UI applies."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from codewell.values import CodeSuggestion, Decision


class DecisionSaved(Message):
    """Decisions the project has committed; posted only after ``record`` returned them."""

    def __init__(self, decisions: tuple[Decision, ...]) -> None:
        super().__init__()
        self.decisions = decisions


class ModelTrained(Message):
    """A new fitted model, whole: an immutable value the app swaps in for the old one.

    ``model`` is a :class:`codewell.suggest.model.FittedModel` (typed ``Any``: suggest loads
    lazily); ``seconds`` is how long the request took, reading the decisions included.
    """

    def __init__(self, model: Any, seconds: float) -> None:
        super().__init__()
        self.model = model
        self.seconds = seconds


class SuggestionsReady(Message):
    """Suggestions for some responses, by response id, and the model value that made them.

    Naming the model lets the app drop late results of a model it has since replaced.
    """

    def __init__(self, suggestions: dict[str, tuple[CodeSuggestion, ...]], model: Any) -> None:
        super().__init__()
        self.suggestions = suggestions
        self.model = model


class OrderReady(Message):
    """Positions of the working set in an order the engine computed (uncertain first)."""

    def __init__(self, name: str, positions: list[int]) -> None:
        super().__init__()
        self.name = name
        self.positions = positions
