"""The column: what every export writer (CSV, XLSX, Parquet, SPSS, Stata) is handed.

A layout (:mod:`codewell.io.export_layouts`) turns the coded dataset into a list of columns once;
each writer then says in its own format what a column is. Keeping that shared vocabulary here
lets the writers stay independent of one another and of how the layouts are built.

Missing is ``None`` in every kind; a ``flag`` is 0/1 (a code cell, ``non_answer``); times are
kept as given and read as UTC (:func:`utc`), since a spreadsheet cell has no time zone. An
``ordinal`` column (a survey column holding a rating scale) keeps its answers as written, blank
as ``""`` or ``None``, beside its ``categories`` lowest first: Parquet writes it as an ordered
category, the other formats as the text it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from collections.abc import Sequence
from typing import Any, Literal

ColumnKind = Literal["text", "flag", "bool", "int", "float", "timestamp", "ordinal"]
Role = Literal["", "code", "attribute"]
CODE_VALUES = "0 = not applied; 1 = applied; empty = not finished by the coder"


@dataclass
class Column:
    """One output column: its name, what its values are, the values (None = missing), its label.

    ``role`` says what the column is to the formats that can say more than CSV: a ``code``
    column gets the value labels 0 = not applied, 1 = applied; an ``attribute`` column (a survey
    column, text as imported) is typed by the SPSS and Stata writers: numbers, or a labelled
    categorical variable (:mod:`codewell.io.stats_attributes`). For Parquet and XLSX the layout
    hands over an attribute column of numbers already as ``int`` or ``float``
    (:mod:`codewell.io.attribute_kinds`), and one the SPSS file would hold as an ordinal scale as
    ``ordinal`` with its ``categories`` in scale order.
    """

    name: str
    kind: ColumnKind
    values: list[Any]
    label: str = ""
    role: Role = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttributeType:
    """What a survey column is over the whole project, for the formats that type it (Parquet,
    XLSX): its kind and, for an ``ordinal`` one, its answers lowest first. Learnt before the
    streamed export's first block, since a block alone cannot tell (its ``Agree`` answers may
    meet a ``Maybe`` in the next)."""

    kind: ColumnKind
    categories: tuple[str, ...] = ()


def utc(value: datetime) -> datetime:
    """``value`` in UTC; a time without a zone is taken to be UTC already."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def provenance(coders: Sequence[str], codebook_version: int | None) -> str:
    """Whose coding a file holds, for its label: a one-coder wide file names its code columns
    ``understanding`` ..., so without this ana's file and the consensus file look the same."""
    version = f", codebook version {codebook_version}" if codebook_version is not None else ""
    return f"codewell: coded by {', '.join(coders) or 'no coder'}{version}"
