"""What makes a coder name usable: one rule for the facade and for every importer.

Coder names become column headers (``ana_understanding``), REFI-QDA users and parts of messages,
so they stay short and plain. Imports check names while reading (before anything is stored) and
the facade checks them again on every write; both ask this module.
"""

from __future__ import annotations

MAX_CODER_NAME = 64


def coder_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a coder's name ("is blank", ...), or None when it can."""
    if not name.strip():
        return "is blank"
    if len(name) > MAX_CODER_NAME:
        return f"is {len(name)} characters long (at most {MAX_CODER_NAME})"
    if "," in name:
        return "contains a comma"
    if name != name.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "has surrounding spaces or control characters"
    return None
