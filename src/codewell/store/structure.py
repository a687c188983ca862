"""What a project file must hold before any statement can read it: every column and key of the
schema's tables, and a stored codebook that reads as one and keeps its own rules.

Checked on every open (:meth:`~codewell.store.database.Database.check_integrity`) and by
``codewell check`` (:mod:`codewell.store.integrity`); a file edited by hand fails here with one
clear finding instead of a database error deep in some command.
"""

from __future__ import annotations

import json
import warnings

from sqlalchemy import Connection, UniqueConstraint, inspect
from sqlalchemy.engine import Inspector
from sqlalchemy.exc import SAWarning

from codewell.codebook import codebook_from_dict
from codewell.store import schema


def unreadable_codebook(body: str) -> str | None:
    """Why a stored codebook body cannot be read as every command reads it, or None. Valid JSON is
    not enough: a hand edit can leave JSON that is not a codebook (no codes, a code without a label)."""
    try:
        found = json.loads(body)
    except ValueError:
        return "is not readable JSON"
    try:
        codebook = codebook_from_dict(found)
    except (ValueError, KeyError, TypeError) as error:
        return f"is not a codebook ({type(error).__name__}: {error})"
    return _codes_problem([(code.id, code.parent) for code in codebook.codes])


def _codes_problem(codes: list[tuple[object, object]]) -> str | None:
    """Why codes read from a stored codebook break its rules, or None. Every command keys codings,
    export columns and agreement rows by code id: two codes with one id export the second as
    ``understanding_2`` and drop the first's codings without a word, an empty id is a column with
    no name, and a parent that is no code, or a loop of parents, cannot be drawn as a tree."""
    parents: dict[object, object] = {}
    for code_id, parent in codes:
        if not isinstance(code_id, str) or not code_id.strip():
            return f"is not a codebook (a code has the id {code_id!r}, not a name)"
        if code_id in parents:
            return f"is not a codebook (two codes have the id {code_id!r})"
        parents[code_id] = parent
    for code_id, parent in parents.items():
        if parent is not None and parent not in parents:
            return f"is not a codebook (the code {code_id!r} has the parent {parent!r}, which is not a code)"
        above, steps = parent, 0
        while above is not None and steps <= len(parents):
            above, steps = parents.get(above), steps + 1
        if above is not None:
            return f"is not a codebook (the code {code_id!r} is its own ancestor)"
    return None


def missing_columns(conn: Connection) -> list[str]:
    """``table.column`` for each column of the schema that a table in the file lacks (dropped or
    renamed by hand): every statement naming it would fail, so it is found before any runs."""
    found = inspect(conn)
    names = _schema_tables(found)
    held = {name: {column["name"] for column in columns}
            for (_, name), columns in found.get_multi_columns(filter_names=names).items()}
    return [f"{name}.{column.name}" for name in names for column in schema.metadata.tables[name].columns
            if column.name not in held.get(name, ())]


def missing_keys(conn: Connection) -> list[str]:
    """Each primary key or unique rule of the schema that a table in the file lacks ("primary key
    responses(pk)"): a table rebuilt by hand (``CREATE TABLE ... AS SELECT``, a DB browser's
    "modify table") can lose them, and then new rows get no key (an imported response with a NULL
    ``pk``, which no decision can point at) and SQLite refuses every statement that checks a
    foreign key into that table ("foreign key mismatch"). Every project open runs this, so each
    kind of rule is read for all tables at once (one catalog query each on a server, where a query
    per table and kind added about 100 ms to every open)."""
    found = inspect(conn)
    names = _schema_tables(found)
    keys = {name: tuple(key.get("constrained_columns") or ())
            for (_, name), key in found.get_multi_pk_constraint(filter_names=names).items()}
    held: dict[str, set[tuple[str, ...]]] = {name: set() for name in names}
    with warnings.catch_warnings():  # the search's expression index cannot be reflected, and need not be
        warnings.simplefilter("ignore", SAWarning)
        for (_, name), uniques in found.get_multi_unique_constraints(filter_names=names).items():
            held[name] |= {tuple(unique["column_names"]) for unique in uniques}
        for (_, name), indexes in found.get_multi_indexes(filter_names=names).items():
            held[name] |= {tuple(index["column_names"]) for index in indexes if index.get("unique")}
    missing = []
    for name in names:
        table = schema.metadata.tables[name]
        wanted = tuple(column.name for column in table.primary_key.columns)
        if keys.get(name, ()) != wanted:
            missing.append(f"primary key {name}({', '.join(wanted)})")
        rules = [tuple(column.name for column in constraint.columns) for constraint in table.constraints
                 if isinstance(constraint, UniqueConstraint)] + [(column.name,) for column in table.columns if column.unique]
        missing += [f"unique rule {name}({', '.join(rule)})" for rule in dict.fromkeys(rules) if rule not in held[name]]
    return missing


def _schema_tables(found: Inspector) -> list[str]:
    """The schema's tables that the file holds (a missing table is reported on its own)."""
    present = set(found.get_table_names())
    return [name for name in schema.metadata.tables if name in present]
