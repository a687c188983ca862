"""Stored values read back into ours, refusing what codewell never writes.

A project file can be edited by hand (a DB browser, a script); a row that no longer holds what
codewell wrote must become one clear "damaged" error naming the row, not a traceback deep in an
export.
"""

from __future__ import annotations

import json

from codewell.errors import DamagedProjectError
from codewell.store.faults import BACKUP_HINT
from codewell.values import Status


def damaged(what: str, hint: str = BACKUP_HINT) -> DamagedProjectError:
    return DamagedProjectError(f"the project file is damaged ({what})", hint=hint)


def attributes(stored: str, response_id: str | None = None) -> dict[str, str]:
    """A response's attributes: codewell stores one JSON object of text values per response."""
    try:
        value = json.loads(stored)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        whose = f"response {response_id!r}" if response_id is not None else "a response"
        raise damaged(f"the attributes of {whose} are not a JSON object of text values")
    return value


def response_text(response_id: object, text: object, pk: int) -> tuple[str, str]:
    """A response's id and text, which codewell always stores as text: a blob or NULL left by a
    hand edit was a traceback in export, report, agree and the coding screen."""
    if type(response_id) is str and type(text) is str:
        return response_id, text
    which, value = ("id", response_id) if type(response_id) is not str else ("text", text)
    kind = ("NULL" if value is None else "binary data" if isinstance(value, bytes)
            else "a number" if isinstance(value, int | float) else f"a {type(value).__name__}")
    whose = f"response {response_id!r}" if type(response_id) is str else f"the response stored as row {pk}"
    raise damaged(f"the {which} of {whose} is {kind}, not text",
                  hint="codewell check PROJECT lists every such row; restore your latest backup "
                       "(codewell restore BACKUP PROJECT)")


def status(stored: str, response_id: str) -> Status:
    try:
        return Status(stored)
    except ValueError:
        raise damaged(f"response {response_id!r} has the status {stored!r}, which codewell never "
                      f"writes (expected one of {', '.join(s.value for s in Status if s is not Status.UNCODED)})") from None


def code_list(stored: str, what: str, hint: str = BACKUP_HINT) -> tuple[str, ...]:
    """A JSON list of code ids (a reference row's codes, the codes a reference labels)."""
    if not is_code_list(stored):
        raise damaged(f"{what} are not a JSON list of code ids", hint)
    return tuple(json.loads(stored))


def is_code_list(stored: str) -> bool:
    try:
        value = json.loads(stored)
    except (TypeError, ValueError):
        return False
    return isinstance(value, list) and all(isinstance(code, str) for code in value)
