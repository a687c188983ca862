"""Quotes for a paper: the passages a coder coded with one code, with who said them.

A paper quotes the passage that carries a code, not the whole answer, so a segment coding gives its
segment (``text[start:end]``, code points) and a whole-response coding the whole response. Each
quote carries the respondent id and the response's attributes (profession, site …), which is how
papers attribute a quote. Passages are in response order, then by position.

For pasting (``table`` and ``md``) runs of whitespace, line breaks included, become one space and
a passage cut out of a longer answer is marked with an ellipsis where it was cut; ``csv`` and
``json`` keep the passage and its offsets exactly as stored (in ``csv`` a cell a spreadsheet would
run as a formula gets a leading apostrophe, as in every CSV codewell writes).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from codewell.errors import UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.io.safety import neutralise
from codewell.values import CodedDataset, Status

FORMATS = ("table", "md", "csv", "json")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Quote:
    """One coded passage: ``text`` is ``response[start:end]`` (start/end None: the whole response)."""

    response_id: str
    text: str
    start: int | None
    end: int | None
    length: int  # of the whole response, so a reader can tell where the passage sits
    attributes: dict[str, str] = field(default_factory=dict)

    def for_pasting(self) -> str:
        """The passage on one line, with an ellipsis at each end cut from the response."""
        passage = " ".join(self.text.split())
        if self.start:
            passage = ELLIPSIS + passage
        if self.end is not None and self.end < self.length:
            passage += ELLIPSIS
        return passage

    def attribution(self) -> str:
        details = "; ".join(f"{name}: {value}" for name, value in self.attributes.items() if value)
        return f"{self.response_id}, {details}" if details else self.response_id


def quotes_for(ds: CodedDataset, coder: str, code: str) -> list[Quote]:
    """Every passage ``coder`` coded with ``code`` on a response they finished, in response order
    then by position: as in the frequencies, a skipped or flagged response is not yet a decision."""
    if code not in ds.codebook.ids:
        raise UnknownNameError(f"no code '{code}' in the codebook", did_you_mean(code, ds.codebook.ids))
    by_id = {r.id: r for r in ds.responses}
    statuses = ds.statuses.get(coder, {})
    quotes = []
    for segment in ds.segments.get(coder, ()):
        response = by_id.get(segment.response_id)
        if segment.code != code or response is None or statuses.get(segment.response_id) is not Status.DONE:
            continue
        text = response.text if segment.start is None else response.text[segment.start:segment.end]
        quotes.append(Quote(response.id, text, segment.start, segment.end, len(response.text),
                            dict(response.attributes)))
    return quotes


def render_quotes(ds: CodedDataset, coder: str, code: str, fmt: str = "table") -> str:
    """The quotes for ``code`` in one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise UnknownNameError(f"unknown report format '{fmt}' (use one of {', '.join(FORMATS)})",
                               did_you_mean(fmt, FORMATS))
    quotes = quotes_for(ds, coder, code)
    label = ds.codebook.get(code).label
    if fmt == "json":
        return json.dumps({"code": code, "label": label, "coder": coder,
                           "quotes": [asdict(q) for q in quotes]}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        names = list(dict.fromkeys(name for q in quotes for name in q.attributes))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        # Text cells a spreadsheet would run as a formula get an apostrophe, as in every CSV codewell writes.
        writer.writerow([neutralise(name) for name in ["id", "start", "end", "quote", *names]])
        writer.writerows([neutralise(q.response_id), "" if q.start is None else q.start,
                          "" if q.end is None else q.end, neutralise(q.text),
                          *(neutralise(q.attributes.get(name, "")) for name in names)] for q in quotes)
        return buffer.getvalue()
    count = f"{len(quotes)} quote{'s' * (len(quotes) != 1)}"
    if fmt == "md":
        lines = [f"### {label} (`{code}`): {count}, coded by {coder}", ""]
        for quote in quotes:
            lines += [f"> “{quote.for_pasting()}” ({quote.attribution()})", ""]
        return "\n".join(lines)
    lines = [f"{label} ({code}): {count}, coded by {coder}", ""]
    lines += [f"“{quote.for_pasting()}” ({quote.attribution()})" for quote in quotes]
    return "\n".join(lines) + "\n"
