"""Persistence for one project. Only :mod:`codewell.project` imports this package.

Everything that speaks SQL lives here; the rest of codewell sees dataclasses. Work is done in
units of work (:meth:`Database.read`, :meth:`Database.write`): one transaction each.
"""

from codewell.store.backup import default_backup_path
from codewell.store.database import Database, create_database, open_database
from codewell.store.unit import Unit

__all__ = ["Database", "Unit", "create_database", "default_backup_path", "open_database"]
