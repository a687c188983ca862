"""The small exception hierarchy every layer shares.

Core modules raise a specific :class:`CodewellError`; the CLI turns it into one ``Error: ...``
line on stderr (plus the hint) and a non-zero exit, the TUI into a notification. Nothing here
imports anything, so any module may use it.
"""

from __future__ import annotations


class CodewellError(Exception):
    """A problem the user can act on: a message, and optionally a hint such as "did you mean ...".

    ``exit_code`` lets the CLI distinguish bad input (2) from a broken project (3).
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def __rich__(self) -> str:
        """How a terminal app that stops on this error shows it: Textual prints an exception that
        has this method as this, instead of a traceback, so a project found damaged mid-screen
        ends with the same one line as at the command line. (Rich markup escaped.)"""
        return "Error: " + str(self).replace("[", "\\[")


class CodebookError(CodewellError):
    """A codebook file that cannot be read or does not validate."""


class DataFileError(CodewellError):
    """A survey export, labelled file or codings file that cannot be used as given."""


class ProjectError(CodewellError):
    """A project file that cannot be opened or would be damaged by the request."""

    exit_code = 3


class NotAProjectError(ProjectError):
    """The path exists but is not a codewell project."""


class SchemaTooNewError(ProjectError):
    """The project was written by a newer codewell than this one."""


class UnknownNameError(CodewellError):
    """A coder, code, response id or column name that does not exist (usually with a hint)."""


class SearchSyntaxError(CodewellError):
    """A search query that cannot be read (an unclosed quote, nothing to search for)."""


class AgreementError(CodewellError):
    """Reliability data from which a coefficient cannot be computed."""


class ArchiveError(CodewellError):
    """An exchange archive (REFI-QDA .qdpx/.qdc) that is unsafe or malformed."""


class OutputError(CodewellError):
    """A file codewell was asked to write cannot be written there (folder, permissions, full disk)."""


class ModelError(CodewellError):
    """Training data from which no classifier can be built."""


class ProjectBusyError(ProjectError):
    """Another process held the project's write lock for longer than this command would wait."""


class ProjectUnavailableError(ProjectBusyError):
    """The project's server was reached and then lost (restarted): a retry with the same ids is safe."""


class ProjectReadOnlyError(ProjectError):
    """The project file (or its folder) cannot be written by this user."""


class DamagedProjectError(ProjectError):
    """The project file failed its integrity check: it is refused for writing."""


class StorageFullError(ProjectError):
    """The disk (or the user's file-size limit) is full: nothing was written."""
