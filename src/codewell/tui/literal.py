"""User text on screen exactly as written: never read as markup, never sent to the terminal as a
control code.

Responses, code labels, memos, ids and whatever a coder typed reach the screen through here.
Rich markup in them ("[bold]", "[/]") is text, not style: a stray "[/]" typed into the go-to
dialog crashed the app. A control character (an escape sequence pasted from a terminal, a tab,
a lone carriage return) is shown as a visible stand-in, one character for one, so evidence and
passage offsets into the text still point at the same characters: an escape sequence in a
response cleared the coder's screen, and Rich silently drops carriage returns, which moved every
highlight after one by a character.
"""

from __future__ import annotations

import re

from textual.app import App
from textual.notifications import SeverityLevel

# C0 controls but the line feed, DEL, and the C1 controls (a terminal may read U+009B as CSI).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_LONE_CR = re.compile(r"\r(?!\n)")
_STAND_INS = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}  # ␛ for escape
_STAND_INS |= {0x09: " ", 0x0D: " ", 0x7F: "\u2421"} | {code: "\ufffd" for code in range(0x80, 0xA0)}


def printable(text: str) -> str:
    """``text`` with every control character but the line feed replaced by one visible character:
    a tab by a space, a carriage return by a line break on its own and by a space before one."""
    if not _CONTROL.search(text):
        return text
    return _LONE_CR.sub("\n", text).translate(_STAND_INS)


class LiteralNotify(App):
    """Mixed into codewell's apps: notifications show their text as written.

    codewell's messages never use markup, and many quote what a user wrote (a code's label, a
    reason, an id), so markup is off for every one, whatever the caller asked.
    """

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout,
                       markup=False)
