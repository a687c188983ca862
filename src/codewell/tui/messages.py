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
    """A freshly fitted suggester from the training worker (``Any``: suggest loads lazily)."""

    def __init__(self, suggester: Any, seconds: float) -> None:
        super().__init__()
        self.suggester = suggester
        self.seconds = seconds


class SuggestionsReady(Message):
    """Suggestions for some responses, by response id, from model number ``generation``.

    Carrying the generation lets the app drop late results of a model it has since replaced.
    """

    def __init__(self, suggestions: dict[str, tuple[CodeSuggestion, ...]], generation: int) -> None:
        super().__init__()
        self.suggestions = suggestions
        self.generation = generation


class OrderReady(Message):
    """Positions of the working set in an order the engine computed (uncertain first)."""

    def __init__(self, name: str, positions: list[int]) -> None:
        super().__init__()
        self.name = name
        self.positions = positions
