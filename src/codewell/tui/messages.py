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
    """A new model is ready in the suggestion process; it replaces the old one whole.

    ``model`` is a :class:`codewell.suggest.remote.ModelInfo` (typed ``Any``: suggest loads
    lazily): the model's generation, mode and size, not the model, which stays in that process;
    ``seconds`` is how long the request took, reading the decisions included.
    """

    def __init__(self, model: Any, seconds: float) -> None:
        super().__init__()
        self.model = model
        self.seconds = seconds


class SuggestionsReady(Message):
    """Suggestions for some responses, by response id, and the generation of the model that made
    them: a model the app has since replaced only fills gaps, never overrides the newer one's.

    ``missed``: ids asked of a model the suggestion process no longer keeps (none came back).
    """

    def __init__(self, suggestions: dict[str, tuple[CodeSuggestion, ...]], generation: int,
                 missed: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.suggestions = suggestions
        self.generation = generation
        self.missed = missed


class OrderReady(Message):
    """Positions of the working set in an order the engine computed (uncertain first)."""

    def __init__(self, name: str, positions: list[int]) -> None:
        super().__init__()
        self.name = name
        self.positions = positions
