"""Column names that R, SPSS and Stata all accept, made from any label, deterministically.

The rule (documented in the README, relied on by scripts):

1. Accents are dropped (``café`` -> ``cafe``); every run of characters other than ASCII letters,
   digits and ``_`` becomes one ``_``; leading and trailing ``_`` go.
2. A name that is empty or does not start with a letter gets ``v_`` in front (``2nd`` ->
   ``v_2nd``); a reserved word of R, SPSS or Stata (``if``, ``by``, ``in``, ``int`` ..., and
   Stata's string types ``str1`` ... ``str2045``) gets ``_`` appended.
3. A name longer than 29 characters keeps its first 22 characters and ends in ``_`` plus 6 hex
   digits of the SHA-1 of the original label, so two long labels that share their start still
   get different names, and the same label always the same name. Stata allows 32, but a Stata
   file names each variable's value labels after the variable with a counter appended
   (pyreadstat: ``name`` + ``0``, ``1``, ... ``999``), and that name must fit 32 as well.
4. A name already taken (compared ignoring case, as SPSS does) gets ``_2``, ``_3`` ... (cut to
   fit 29 characters), in column order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 29
_KEEP = 22
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_]+")
_RESERVED = frozenset(word.casefold() for word in (
    # R
    "if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL",
    "Inf", "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_", "in",
    # SPSS
    "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH",
    # Stata
    "byte", "double", "float", "int", "long", "using", "str", "strL", "_all", "_n", "_N", "_b",
    "_coef", "_cons", "_pi", "_pred", "_rc", "_skip",
))
# Stata also reserves every string type name, str1 ... str2045 (a survey's "STR5" column).
_STATA_STRING_TYPE = re.compile(r"str[0-9]+", re.IGNORECASE)


def variable_name(label: str) -> str:
    """Rules 1-3 for one label (uniqueness is :class:`NameSet`'s job)."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    name = _NOT_ALLOWED.sub("_", ascii_text).strip("_")
    name = re.sub("_{2,}", "_", name)
    if not name or not name[0].isalpha():
        name = f"v_{name}".rstrip("_")
    if name.casefold() in _RESERVED or _STATA_STRING_TYPE.fullmatch(name):
        name += "_"
    if len(name) > MAX_LENGTH:
        digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:6]
        name = f"{name[:_KEEP].rstrip('_')}_{digest}"
    return name


class NameSet:
    """Hands out unique variable names in column order (rule 4)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {name.casefold() for name in taken}

    def add(self, label: str) -> str:
        base = variable_name(label)
        name, count = base, 1
        while name.casefold() in self._taken:
            count += 1
            suffix = f"_{count}"
            name = base[:MAX_LENGTH - len(suffix)] + suffix
        self._taken.add(name.casefold())
        return name
