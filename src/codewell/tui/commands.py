"""The command palette: the coding screen's keys plus what has no key (order, filter, codes).

Key actions are read from the screen's bindings, so the palette and the keys cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from codewell.tui.keys import screen_bindings
from codewell.tui.literal import printable
from codewell.tui.session_list import ORDER_WORDS

Command = tuple[str, str, Callable[[], object]]


def coding_commands(app, screen) -> Iterator[Command]:
    """(title, help, callback) for everything the coding screen can do, in palette order."""
    from codewell.tui.screens.coding import CodingScreen

    if not isinstance(screen, CodingScreen):
        return
    session = screen.session
    yield ("Add a code", "Inductive coding: a new code, saved as a new codebook version",
           app.add_code)
    focused = screen.focused_code()
    if focused is not None:
        for kind, words in (("rename", "Rename"), ("edit", "Edit the definition and notes of"),
                            ("merge", "Merge"), ("retire", "Retire")):
            yield (f"Codebook: {words} {focused.label}",
                   "A new codebook version with a reason (acts on the code under the cursor)",
                   partial(app.change_codebook, kind, focused))
    on = session.suggestions_on
    yield (f"Turn suggestions {'off' if on else 'on'}",
           "Decisions record whether suggestions were on", partial(app.set_suggestions, not on))
    for name, words in ORDER_WORDS.items() if session.set_name is None else ():
        yield (f"Order: {words}", "Change the order of the response list",
               partial(app.change_order, name))
    for name, words in (("all", "all responses"), ("uncoded", "uncoded only"), ("coded", "done only"),
                        ("flagged", "flagged only"), ("memo", "with a memo")):
        yield (f"Filter: {words}", "Show only some responses in the list",
               partial(app.change_filter, name))
    for code in session.codebook.codes:
        yield (f"Filter: coded {code.label}", f"Responses you have coded '{code.id}'",
               partial(app.change_filter, f"code:{code.id}"))
    for chosen in session.project.sets() if session.set_name is None else ():
        yield (f"Filter: set {chosen.name}", f"Responses of reliability set '{chosen.name}'",
               partial(app.change_filter, f"set:{chosen.name}"))
    for code in session.codebook.codes if session.suggestions_on else ():
        yield (f"Filter: suggested {code.label}", f"Responses where '{code.id}' is suggested",
               partial(app.change_filter, f"suggested:{code.id}"))
        yield (f"Review by code: {code.label}",
               f"Accept or reject '{code.id}' where it is suggested, in bulk",
               partial(app.review, code.id))
    for code in session.codebook.codes:
        yield (f"Toggle code: {code.label}", f"Apply or remove '{code.id}' on this response",
               partial(screen.toggle_code, code.id))
    for binding in screen_bindings(screen, getattr(app, "keymap", {})):
        if binding.action.startswith("toggle("):
            continue
        if screen.check_action(binding.action, ()):
            yield (binding.tooltip or binding.description, f"key: {app.get_key_display(binding)}",
                   partial(screen.run_action, binding.action))


class CodewellCommands(Provider):
    """Offers :func:`coding_commands` in Textual's command palette (ctrl+p)."""

    async def discover(self) -> Hits:
        for title, help_text, callback in coding_commands(self.app, self.screen):
            # A Content, not a str: a str is read as markup, and a code labelled "[/]" crashed the palette.
            yield DiscoveryHit(Content(printable(title)), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in coding_commands(self.app, self.screen):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlighted(matcher, title), callback, text=title, help=help_text)


def _highlighted(matcher: Matcher, title: str) -> Content:
    """The title with the query's letters marked, read as plain text: Textual's own highlight
    reads the title as markup, so a code labelled "[/]" ended the search (MarkupError) and the
    palette said "No matches found" for it and every command after it."""
    content = Content(printable(title))  # one character for one, so match offsets still hold
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
