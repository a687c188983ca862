"""User settings: one small TOML file in codewell's data folder, read when a screen opens.

Only what a user may reasonably change lives here. Today that is the keymap: each key binding
has a public id (``code.toggle_1``, ``suggest.accept``, ``response.done`` ... listed by ``?`` in
the apps and in the README) and the file can give it other keys::

    [keymap]
    "suggest.accept" = "y"
    "response.done" = "enter,space"

A missing file means the defaults. A malformed file is an error naming the file and line, so a
typo never silently leaves a user with keys they did not expect.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from codewell.errors import CodewellError
from codewell.fuzzy import did_you_mean

FILE_NAME = "settings.toml"
KNOWN_TABLES = ("keymap",)


@dataclass(frozen=True)
class Settings:
    keymap: dict[str, str] = field(default_factory=dict)


def settings_path() -> Path:
    from codewell.locations import data_dir

    return data_dir() / FILE_NAME


def load_settings(path: Path | None = None, binding_ids: Collection[str] = ()) -> Settings:
    """Read the settings file; ``binding_ids``, when given, are the ids the keymap may name."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CodewellError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise CodewellError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    for table in data:
        if table not in KNOWN_TABLES:
            raise CodewellError(f"{path}: unknown setting '{table}'", did_you_mean(table, KNOWN_TABLES))
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) and v for v in keymap.values()):
        raise CodewellError(f"{path}: [keymap] maps binding ids to keys, e.g. \"suggest.accept\" = \"y\"")
    for binding_id in keymap:
        if binding_ids and binding_id not in binding_ids:
            raise CodewellError(f"{path}: no key binding with id '{binding_id}'",
                                did_you_mean(binding_id, binding_ids))
    return Settings(keymap=dict(keymap))
