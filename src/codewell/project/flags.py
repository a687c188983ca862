"""Flags in the project facade: a coder marks a response to come back to; the flag stays when
the response is marked done (it is not a status)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.store import Unit


class Flags:
    """Flagging for a :class:`~codewell.project.Project` (``self`` is one)."""

    def set_flag(self: Project, coder: str, response_id: str, on: bool, *, wait: float | None = None,
                 on_wait: Callable[[], None] | None = None) -> None:
        from codewell.project.coding import check_coder_name

        check_coder_name(coder)

        def work(unit: Unit) -> None:
            unit.set_flag(coder, self._pks_in(unit, [response_id])[response_id], on)

        self._write(work, wait=wait, on_wait=on_wait)

    def flags(self: Project, coder: str) -> set[str]:
        """The responses ``coder`` flagged (as this project's viewer may see them)."""
        return self._db.read(lambda unit: set(self._visible(unit, coder, dict.fromkeys(unit.flags(coder)))))
