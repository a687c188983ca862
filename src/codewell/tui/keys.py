"""A screen's own key bindings as the user has them, through public API only.

The help screens and the palettes list what a screen's keys do. Textual's merged binding map is
private, so the list comes from the screen class's declared ``BINDINGS`` (those with a public id:
the contract users remap) with the app's keymap, which the app keeps, applied by binding id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode


def screen_bindings(screen: DOMNode, keymap: Mapping[str, str]) -> list[Binding]:
    """Bindings declared by ``screen``'s class (or a widget's) that have an id, keys as ``keymap``
    remaps them."""
    found: list[Binding] = []
    seen: set[str] = set()
    for cls in type(screen).__mro__:
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id and binding.id not in seen:
                seen.add(binding.id)
                found.append(replace(binding, key=keymap[binding.id]) if binding.id in keymap else binding)
    return found
