"""Persistence for one project. Only :mod:`codewell.project` imports this package.

Everything that speaks SQL lives here; the rest of codewell sees dataclasses.
"""

from codewell.store.database import Database, open_database, create_database

__all__ = ["Database", "open_database", "create_database"]
