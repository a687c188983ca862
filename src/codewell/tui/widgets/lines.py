"""Rich text as one terminal line, drawn by hand: what the hand-drawn widgets (code rows, the
response view) are made of."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


@lru_cache(maxsize=256)
def _style(style: str | Style) -> Style:
    return Style.parse(style) if isinstance(style, str) else style


def one_line(text: Text, width: int, base: Style, fill: Style | None = None) -> Strip:
    """``text`` as one terminal line of ``width`` cells on ``base``, cut with an ellipsis; the
    cells after the text are drawn in ``fill`` (default ``base``).

    A third of the cost of Textual's general path (rich text to content, wrapping, cropping) for
    the one thing a code row needs, and a fast coder redraws a dozen rows per response.
    """
    plain, spans = text.plain, text.spans
    root = base + _style(text.style) if text.style else base
    # One sweep over the span edges: a span covers the pieces from its start to its end, and the
    # styles of those covering a piece add up in span order (as rich renders them).
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for index, span in enumerate(spans):
        if span.end > span.start:
            starts.setdefault(span.start, []).append(index)
            ends.setdefault(span.end, []).append(index)
    cuts = sorted({0, len(plain), *starts, *ends})
    active: set[int] = set()
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        active.difference_update(ends.get(start, ()))
        active.update(starts.get(start, ()))
        style = root
        for index in sorted(active):
            style += _style(spans[index].style)
        segments.append(Segment(plain[start:end], style))
    strip = Strip(segments)
    if strip.cell_length > width > 0:
        last = segments[-1].style if segments else base
        strip = Strip([*strip.crop(0, width - 1), Segment("…", last)])
    return strip.extend_cell_length(width, base if fill is None else fill)
