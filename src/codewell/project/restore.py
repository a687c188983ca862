"""codewell restore: a backup back in place of a project, losing nothing on either side.

The backup is first copied (a consistent snapshot, even of a backup being written) and opened as
a project: a file that is not a codewell project, a damaged one, or one from a newer codewell is
refused before the project is touched. The project as it was is kept beside it
(``NAME-before-restore-DATE-TIME.cw``), so a restore can itself be undone; how the copy gets in
without SQLite replaying an old journal over it is :mod:`codewell.store.restore`'s part.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from codewell.errors import CodewellError, DamagedProjectError, DataFileError, OutputError, ProjectError
from codewell.store.backup import backup_sqlite, default_backup_path
from codewell.store.postgres import is_url
from codewell.projectfiles import has_sqlite_header
from codewell.store.restore import copy_into, created_at, hold_exclusively, move_aside


#: The end of a name codewell gives a backup (``study-backup-20260101-120000``, ``-before-restore-...-2``).
_DATED = re.compile(r"-(backup|before-restore)-\d{8}-\d{6}(-\d+)?$")
#: What SQLite says of a file it cannot read as a database (a truncated or scribbled copy).
_UNREADABLE = ("malformed", "not a database", "corrupt")


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did, for the CLI to print and scripts to read."""

    project: str
    backup: str
    kept: str | None  # a copy of the project as it was, when there was a readable one
    set_aside: tuple[str, ...]  # files renamed out of the way (an unreadable project, stray journals)
    responses: int
    coders: dict[str, int]  # decisions per coder in what was restored
    upgraded: bool  # the backup came from an older codewell and was upgraded on the way in
    # (the backup's project, the replaced one) by when each was created, when they differ: a
    # backup of another study went in without a word (the replaced one is kept all the same)
    other_project: tuple[str, str] | None = None


def restore(backup: str | Path, project: str | Path) -> RestoreReport:
    """Put ``backup`` in place of ``project`` (which need not exist); see the module docstring."""
    if is_url(project) or is_url(backup):
        raise DataFileError("restore puts a backup file back in place of a project file",
                            hint="a PostgreSQL project is restored with the server's tools (pg_restore), "
                                 "or from a file with codewell migrate FILE.cw URL")
    backup, project = Path(backup), Path(project)
    if backup.is_dir():
        raise DataFileError(f"{backup}: is a folder, not a backup file", hint="name the file codewell backup wrote")
    if not backup.is_file():
        raise DataFileError(f"{backup}: no such backup", hint="codewell backup PROJECT writes one")
    if project.is_dir():  # it would be renamed aside and a file put in its place
        raise DataFileError(f"{project}: is a folder, not a project file",
                            hint=f"name the project file to restore, e.g. {project / 'study.cw'}")
    if project.exists() and backup.resolve() == project.resolve():
        raise DataFileError(f"{backup}: is the project itself")
    if project.exists() and _DATED.search(project.stem) and not _DATED.search(backup.stem):
        raise DataFileError(f"{project}: is a backup (codewell named it), not the project to restore it over",
                            hint=f"the backup comes first: codewell restore {project} {backup}")
    if not has_sqlite_header(backup):
        raise DataFileError(f"{backup}: is not a codewell project file (it is not an SQLite database)",
                            hint="restore a file that codewell backup wrote")
    if not project.parent.is_dir():
        raise DataFileError(f"{project}: folder {project.parent} does not exist")
    if not os.access(project.parent, os.W_OK):  # the working copy and the kept project go there
        raise OutputError(f"{project}: its folder {project.parent} cannot be written, so nothing can be restored there",
                          hint="restore into a folder you can write")
    readable = project.exists() and has_sqlite_header(project)  # read before any lock is held
    checked = project.with_name(f".{project.name}.restore-{os.getpid()}.tmp")
    try:
        _discard(checked)
        _copy(backup, checked, project)
        responses, coders, upgraded = _check(checked, backup)
        restored = created_at(checked)
        kept, set_aside, replaced = _put_in_place(checked, project, readable)
    finally:
        _discard(checked)
    other = (restored, replaced) if restored and replaced and restored != replaced else None
    return RestoreReport(str(project), str(backup), kept, set_aside, responses, coders, upgraded, other)


def _copy(backup: Path, checked: Path, project: Path) -> None:
    """The working copy of ``backup``; a backup SQLite cannot read through is named as damaged,
    not the hidden working copy with a hint about free space."""
    try:
        backup_sqlite(backup, checked)
    except ProjectError as error:
        reason = error.message.replace(str(checked), "", 1).split(" (", 1)[-1].removesuffix(")")
        if any(sign in reason for sign in _UNREADABLE):
            raise DamagedProjectError(f"{backup}: is damaged ({reason}); restoring it would put the damage back",
                                      hint="choose an earlier backup") from None
        raise OutputError(f"{project}: cannot write the restored copy beside it ({reason})",
                          hint="check free space and permissions, then try again; nothing was changed") from None


def _check(checked: Path, backup: Path) -> tuple[int, dict[str, int], bool]:
    """Open the copy as a project (which upgrades an older one); errors name the backup."""
    from codewell.project import Project

    try:
        with Project.open(checked) as opened:
            if opened.damage:
                raise DamagedProjectError(f"{checked}: failed its integrity check ({opened.damage}); "
                                          "restoring it would put the damage back",
                                          hint="choose an earlier backup")
            summary = opened.summary()
            upgraded = bool(opened.notes)
    except CodewellError as error:
        error.message = error.message.replace(str(checked), str(backup))
        raise
    return summary["responses"], {name: c["decisions"] for name, c in summary["coders"].items()}, upgraded


def _put_in_place(checked: Path, project: Path, readable: bool
                  ) -> tuple[str | None, tuple[str, ...], str | None]:
    """(where the project as it was is kept, what was set aside, when it was created)."""
    if readable:
        holder = hold_exclusively(project)
        try:
            replaced = created_at(holder)
            keep = _free_name(default_backup_path(project), "-backup-", "-before-restore-")
            try:
                kept = backup_sqlite(project, keep, source=holder)
            except ProjectError:  # too damaged to copy: it is set aside whole instead
                kept = None
            if kept is not None:
                copy_into(checked, holder)
                return str(kept), (), replaced
        finally:
            holder.close()
    set_aside = move_aside(project)
    os.replace(checked, project)
    return None, tuple(str(path) for path in set_aside), None


def _free_name(dated: Path, old: str, new: str) -> Path:
    """``dated`` with ``old`` read as ``new``, numbered when a file of that name exists (two
    restores in one second)."""
    base = dated.with_name(dated.name.replace(old, new))
    name, number = base, 1
    while name.exists():
        number += 1
        name = base.with_name(f"{base.stem}-{number}{base.suffix}")
    return name


def _discard(checked: Path) -> None:
    """The checked copy, its journals and the copy an upgrade of it kept."""
    for path in [checked, *checked.parent.glob(f"{checked.name}-*"), *checked.parent.glob(f"{checked.name}.schema*")]:
        path.unlink(missing_ok=True)
