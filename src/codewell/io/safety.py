"""Make exported text safe to open: spreadsheet formula neutralisation and personal identifiers.

**Formulas.** This concerns CSV only: XLSX cells are written as typed text, which no
spreadsheet evaluates, and Parquet, SPSS and Stata files hold no formulas. A spreadsheet opening
a CSV runs a cell such as ``=HYPERLINK("http://x", "click")`` as a formula, so such cells get a
leading apostrophe, which spreadsheets show as text. To avoid corrupting ordinary answers (a
bulleted "- improves understanding" is text, not a formula), the rule is narrower than
"anything starting with a sign":

* a cell starting with ``=`` or ``@`` (after any spaces), or with a tab, carriage return or line
  feed, is always neutralised;
* a cell starting with ``+`` or ``-`` is neutralised only when it looks like a formula: it holds
  ``(``, ``|``, ``!`` or ``=`` (a function call, a DDE link, a sheet reference, a comparison), or
  the sign is followed by a cell reference (``+A1``) or by a number or a cell reference and an
  operator (``-2+3``, ``+A1*2``);
* a plain number (``-5``, ``+3.5``) is never changed.

**Personal identifiers.** Free text from clinicians can carry a patient's NHS number, a phone
number or an e-mail address. Structured identifiers are character patterns with checksums, so
they are found with regular expressions (an NHS number only counts when its modulus-11 check
digit is valid, which keeps ordinary ten-digit numbers out). Names come from a user's list and
are matched with spaCy's ``PhraseMatcher`` over the tokenizer of the shared blank English pipeline
(:func:`codewell.text.pipeline`): matching whole tokens, case-insensitively, means "Ann" finds
"ann" and "Ann's" but never "Annual".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

PiiKind = Literal["EMAIL", "PHONE", "NHS_NUMBER", "POSTCODE", "NAME"]

_ALWAYS = ("=", "@")
_CONTROL_START = ("\t", "\r", "\n")
_SIGNS = ("+", "-")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_SIGNED_FORMULA = re.compile(
    r"[(|!=]|^[+-]\s*(?:\$?[A-Za-z]{1,3}\$?\d+|\d[\d.,]*%?)\s*(?:[-+*/^&<>%]|$)")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# NHS numbers are ten digits, usually written 3-3-4; the check digit is verified afterwards.
_NHS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# UK numbers: +44 or a leading 0, then 9 or 10 more digits in groups split by spaces or hyphens.
_PHONE = re.compile(
    r"(?:(?<![\w+])\+44[ -]?(?:\(0\)[ -]?)?\d(?:[ -]?\d){8,9}"
    r"|\(0\d{2,4}\)[ -]?\d(?:[ -]?\d){4,7}"
    r"|(?<![\w+])0\d(?:[ -]?\d){8,9})(?!\d)"
)
# UK postcodes: outward code, optional space, inward code (whose letters never use C I K M V).
_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)
_PRIORITY = {"EMAIL": 0, "NHS_NUMBER": 1, "PHONE": 2, "POSTCODE": 3, "NAME": 4}


@dataclass(frozen=True)
class PiiMatch:
    """One identifier found in a text: ``text[start:end]`` (code points), and its kind."""

    start: int
    end: int
    kind: PiiKind
    text: str


def needs_neutralising(value: str) -> bool:
    """True for a CSV text cell a spreadsheet could run as a formula (see the module docstring)."""
    if value.startswith(_CONTROL_START):
        return True
    start = value.lstrip(" ")
    if start.startswith(_ALWAYS):
        return True
    if not start.startswith(_SIGNS) or _PLAIN_NUMBER.match(start):
        return False
    return bool(_SIGNED_FORMULA.search(start))


def neutralise(value: str) -> str:
    """The CSV cell with a leading apostrophe when it could run as a formula, else unchanged."""
    return "'" + value if needs_neutralising(value) else value


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS modulus-11 check: weights 10..2 on the first nine digits give the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_pii(text: str, names: Sequence[str] = ()) -> list[PiiMatch]:
    """Every identifier in ``text``, in order, without overlaps.

    Where two patterns claim the same characters the earlier, then longer, then more specific
    one wins (an e-mail beats the name inside it; an NHS number beats a phone number).
    """
    found: list[PiiMatch] = []
    for match in _EMAIL.finditer(text):
        found.append(PiiMatch(match.start(), match.end(), "EMAIL", match.group()))
    for match in _NHS.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            found.append(PiiMatch(match.start(), match.end(), "NHS_NUMBER", match.group()))
    for match in _PHONE.finditer(text):
        if _is_uk_phone(match.group()):
            found.append(PiiMatch(match.start(), match.end(), "PHONE", match.group()))
    for match in _POSTCODE.finditer(text):
        found.append(PiiMatch(match.start(), match.end(), "POSTCODE", match.group()))
    if names:
        found.extend(_find_names(text, tuple(names)))
    return _without_overlaps(found)


def redact(text: str, matches: Iterable[PiiMatch]) -> str:
    """``text`` with every match replaced by its kind in brackets, e.g. ``[NHS_NUMBER]``."""
    pieces: list[str] = []
    cursor = 0
    for match in sorted(matches, key=lambda m: m.start):
        if match.start < cursor:
            continue
        pieces.append(text[cursor:match.start])
        pieces.append(f"[{match.kind}]")
        cursor = match.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _is_uk_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+44"):
        national = digits[2:]
        national = national[1:] if candidate[3:].lstrip(" -").startswith("(0)") else national
    else:
        national = digits[1:]
    return len(national) in (9, 10) and national[0] != "0"


def _without_overlaps(found: list[PiiMatch]) -> list[PiiMatch]:
    found.sort(key=lambda m: (m.start, -(m.end - m.start), _PRIORITY[m.kind]))
    kept: list[PiiMatch] = []
    for match in found:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def _find_names(text: str, names: tuple[str, ...]) -> list[PiiMatch]:
    from codewell.text import pipeline

    cleaned = tuple(sorted({name.strip() for name in names if name.strip()}))
    if not cleaned:
        return []
    shared = pipeline()
    with shared.lock:
        matcher = _name_matcher(cleaned, shared.nlp)  # the pipeline's vocabulary starts afresh now and then
        doc = shared.nlp.make_doc(text)
        spans = [(doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text))
                 for _, start, end in matcher(doc)]
    return [PiiMatch(start, end, "NAME", text[start:end]) for start, end in spans]


@lru_cache(maxsize=4)
def _name_matcher(names: tuple[str, ...], nlp: Any) -> Any:
    """A case-insensitive phrase matcher for one list of names, on ``nlp``'s tokenizer and
    vocabulary (the caller holds the pipeline's lock)."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("NAME", [nlp.make_doc(name) for name in names])
    return matcher
