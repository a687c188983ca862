"""Read a zip archive from another tool without trusting it (REFI-QDA ``.qdpx``), and parse its XML safely.

A ``.qdpx`` is a zip of a project XML file and the sources it refers to. Nothing here extracts to
disk, yet an entry whose path would leave a target folder (``../../evil``, ``/etc/passwd``,
``C:\\x``) marks a malicious or broken archive, so the whole archive is refused (zip-slip). Zip
bombs are stopped twice: by the declared sizes and file count before anything is read, and by
counting the bytes actually inflated while reading, because a header can lie; each entry's size
and compression ratio are bounded too (:mod:`codewell.io.xml_safety`). A document that declares a
DTD is refused before parsing (REFI-QDA never needs one; it is how entity attacks start), and XML
is parsed with entity expansion, network access and DTD loading all off besides.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import Any

from codewell.errors import ArchiveError, CodewellError
from codewell.io.xml_safety import ArchiveLimits, check_members, check_xml_bytes

MAX_FILES = 250_000
MAX_BYTES = 1 << 30  # 1 GiB inflated, in total
MAX_XML_BYTES = 256 << 20
_CHUNK = 1 << 16
# A project.qde holds every source's text when a tool inlines them: allow long text runs.
_XML_LIMITS = ArchiveLimits(max_text_run=MAX_XML_BYTES)


class SafeArchive:
    """A zip archive opened for reading, checked entry by entry before anything is inflated.

    ``names`` maps each entry's path, case-folded, to its exact name, so callers can find
    ``Sources/x.txt`` whether a tool wrote ``sources/`` or ``Sources/``.
    """

    def __init__(self, path: str | Path, *, max_files: int = MAX_FILES,
                 max_bytes: int = MAX_BYTES) -> None:
        self.path = Path(path)
        self.budget = max_bytes
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise ArchiveError(f"{self.path}: no such file") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError(f"{self.path}: not a zip archive ({exc})",
                               hint="a .qdpx file is a zip archive made by a QDA tool") from None
        try:
            self.names = self._check(max_files, max_bytes)
        except ArchiveError:
            self.zip.close()
            raise

    def _check(self, max_files: int, max_bytes: int) -> dict[str, str]:
        # A media source (a long interview recording) may be large; the ratio check still
        # applies to every entry, and read() counts what is really inflated.
        limits = ArchiveLimits(max_members=max_files, max_member_bytes=max_bytes,
                               max_total_bytes=max_bytes)
        check_members(self.zip, str(self.path), ArchiveError, limits)
        names: dict[str, str] = {}
        for info in self.zip.infolist():
            _check_entry_name(self.path, info)
            if info.flag_bits & 0x1:
                raise ArchiveError(f"{self.path}: entry '{info.filename}' is encrypted")
            if not info.is_dir():
                names[info.filename.casefold()] = info.filename
        return names

    def read(self, name: str) -> bytes:
        """The inflated bytes of one entry, counted against the archive's byte budget."""
        chunks: list[bytes] = []
        try:
            with self.zip.open(name) as handle:
                while chunk := handle.read(_CHUNK):
                    self.budget -= len(chunk)
                    if self.budget < 0:
                        raise ArchiveError(f"{self.path}: entry '{name}' inflates past the size "
                                           "limit; refusing a possible zip bomb")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveError(f"{self.path}: entry '{name}' is damaged ({exc})") from None
        return b"".join(chunks)

    def find(self, name: str) -> str | None:
        """The exact entry name for ``name`` compared case-insensitively, or None."""
        return self.names.get(name.casefold())

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_entry_name(archive: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    unsafe = (
        name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or ".." in name.replace("\\", "/").split("/")
        or "\x00" in name
    )
    if unsafe:
        raise ArchiveError(f"{archive}: entry '{name}' points outside the archive folder; "
                           "refusing the whole archive (zip-slip)")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ArchiveError(f"{archive}: entry '{name}' is a symbolic link; refusing the archive")


def parse_xml(data: bytes, where: str, error: type[CodewellError] = ArchiveError) -> Any:
    """Parse XML with every external-resource door shut; errors name ``where`` and the line."""
    from lxml import etree

    check_xml_bytes(data, where, error, _XML_LIMITS)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = f", line {exc.lineno}" if exc.lineno else ""
        raise error(f"{where}{line}: not well-formed XML ({' '.join(exc.msg.split())})") from None
    if root.getroottree().docinfo.doctype:
        raise error(f"{where}: declares a DTD, which REFI-QDA files never need; refusing it")
    return root
