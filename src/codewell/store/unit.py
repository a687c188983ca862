"""A unit of work: one transaction and everything a command reads or writes inside it.

Caches (coder ids) live on the unit and die with it, so nothing read inside a transaction that
rolled back can leak into the next one.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from codewell.store import schema
from codewell.store.changes import ChangeOps
from codewell.store.events import EventOps
from codewell.store.flags import FlagOps
from codewell.store.integrity import IntegrityOps
from codewell.store.pages import PageOps
from codewell.store.records import RecordOps
from codewell.store.reference import ReferenceOps
from codewell.store.search import SearchOps
from codewell.store.sets import SetOps


class Unit(RecordOps, EventOps, SetOps, ChangeOps, FlagOps, SearchOps, PageOps, IntegrityOps,
           ReferenceOps):
    """The store's operations, bound to one open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._coder_ids: dict[str, int] = {}

    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self.conn.execute(select(schema.meta.c.key, schema.meta.c.value))}

    def login_coder(self) -> str | None:
        """The coder a server login codes as (``codewell team add``), or None: a project file,
        or the owner's login, which may code as anyone."""
        if self.conn.dialect.name != "postgresql":
            return None
        from sqlalchemy import func

        from codewell.store.postgres import ROLE_KEY

        return self.conn.execute(select(schema.meta.c.value).where(
            schema.meta.c.key == ROLE_KEY + func.current_user())).scalar()
