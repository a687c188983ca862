"""Bounds for zip archives and XML from outside (XLSX workbooks, REFI-QDA files), checked before parsing.

An XLSX or ``.qdpx`` file is a zip of XML documents, and both layers can be turned against a
reader. A zip bomb declares (or really has) a tiny compressed size and an enormous inflated one;
an XML document can declare a DTD whose entities expand a kilobyte into gigabytes ("billion
laughs") or pull in a local file (external entities). The parsers we use are configured not to
expand entities, but those settings live inside third-party code (openpyxl picks its parser at
import time), so this module checks the bytes itself first:

- every member's declared size, the archive's total and the compression ratio are bounded before
  a byte is inflated; Python's ``zipfile`` never inflates past a member's declared size (it stops
  and fails the CRC check), so the declared size bounds what a lying header can cost;
- each XML member is streamed once in chunks (constant memory) to refuse a DTD in its prolog,
  and a single text run (a cell, an attribute value) longer than a spreadsheet cell could be.

Nothing here imports an XML library, so the checks cost no start-up time.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from codewell.errors import CodewellError

_MiB = 1 << 20
PROLOG_BYTES = 64 << 10  # a DOCTYPE must come before the root element, which must start in here
_CHUNK = 1 << 20  # at most max_text_run, so that a longer run always spans chunk borders
_XML_SUFFIXES = (".xml", ".rels", ".vml", ".qde", ".qdc")
_ROOT_START = re.compile(rb"<[A-Za-z_:\x80-\xff]")


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may hold. The defaults fit any honest survey workbook.

    A million-row sheet is a few hundred MB of XML; honest XML compresses 5-30 times, a sheet of
    identical cells rarely more than 150, while a bomb compresses thousands of times.
    ``ratio_from`` keeps tiny, very regular members (a styles part) out of the ratio check.
    """

    max_members: int = 10_000
    max_member_bytes: int = 512 * _MiB
    max_total_bytes: int = 1024 * _MiB
    max_ratio: int = 200
    ratio_from: int = 4 * _MiB
    max_text_run: int = 8 * _MiB


def check_members(archive: zipfile.ZipFile, where: str, error: type[CodewellError],
                  limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Refuse an archive whose declared sizes exceed ``limits``; nothing is inflated."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > limits.max_members:
        raise error(f"{where}: {len(members):,} entries is more than the limit of "
                    f"{limits.max_members:,}; refusing a possible zip bomb")
    total = 0
    for info in members:
        size = info.file_size
        total += size
        if size > limits.max_member_bytes:
            raise error(f"{where}: entry '{info.filename}' unpacks to {size:,} bytes, more than "
                        f"the limit of {limits.max_member_bytes:,}; refusing a possible zip bomb")
        ratio = size / max(info.compress_size, 1)
        if size > limits.ratio_from and ratio > limits.max_ratio:
            raise error(f"{where}: entry '{info.filename}' is compressed {ratio:,.0f} times "
                        f"(more than {limits.max_ratio}); refusing a possible zip bomb")
    if total > limits.max_total_bytes:
        raise error(f"{where}: unpacks to {total:,} bytes, more than the limit of "
                    f"{limits.max_total_bytes:,}; refusing a possible zip bomb")


def scan_xml_members(archive: zipfile.ZipFile, where: str, error: type[CodewellError],
                     limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Stream every XML member once: no DTD, no text run longer than ``limits.max_text_run``.

    Call after :func:`check_members`. A member that inflates to something else than its header
    says is reported as damaged (``zipfile`` checks the CRC at the end of each member).
    """
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        member = f"{where}:{info.filename}"
        try:
            with archive.open(info) as handle:
                size = min(_CHUNK, limits.max_text_run)
                _scan_stream(iter(lambda: handle.read(size), b""), member, error, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
                EOFError) as exc:
            raise error(f"{member}: the entry is damaged or unreadable ({exc})") from None


def check_xml_bytes(data: bytes, where: str, error: type[CodewellError],
                    limits: ArchiveLimits = ArchiveLimits()) -> None:
    """The same checks for an XML document already in memory (a ``.qdc`` or ``project.qde``)."""
    size = min(_CHUNK, limits.max_text_run)
    _scan_stream((data[i:i + size] for i in range(0, len(data), size)), where, error, limits)


def _scan_stream(chunks: Iterable[bytes], where: str, error: type[CodewellError],
                 limits: ArchiveLimits) -> None:
    head = b""
    prolog_checked = False
    run = 0  # bytes since the last '<' or '>': the text run (or tag) being read
    for chunk in chunks:
        if not prolog_checked:
            head += chunk
            if len(head) >= PROLOG_BYTES:
                check_prolog(head, where, error)
                prolog_checked = True
        first = _first_delimiter(chunk)
        if first < 0:
            run += len(chunk)
        else:
            run += first
            if run > limits.max_text_run:
                break
            run = len(chunk) - _last_delimiter(chunk) - 1
        if run > limits.max_text_run:
            break
    if run > limits.max_text_run:
        raise error(f"{where}: holds a cell or value of more than {limits.max_text_run:,} bytes; "
                    "refusing it (a spreadsheet cell holds at most 32,767 characters)")
    if not prolog_checked:
        check_prolog(head, where, error)


def _first_delimiter(chunk: bytes) -> int:
    found = [p for p in (chunk.find(b"<"), chunk.find(b">")) if p >= 0]
    return min(found) if found else -1


def _last_delimiter(chunk: bytes) -> int:
    return max(chunk.rfind(b"<"), chunk.rfind(b">"))


def check_prolog(head: bytes, where: str, error: type[CodewellError]) -> None:
    """Refuse a document type declaration (DTD) or entity declaration before the root element.

    XML allows a DTD only before the root element, after the declaration, comments and
    processing instructions, so walking those is enough to know there is none. The walk ignores
    NUL bytes and byte-order marks, which is how UTF-16 and UTF-32 spell ASCII markup.
    """
    text = head[:PROLOG_BYTES].replace(b"\x00", b"")
    text = text.lstrip(b"\xef\xbb\xbf\xff\xfe")
    whole = len(head) < PROLOG_BYTES  # the head is the whole document
    position = 0
    while True:
        while text[position:position + 1] in (b" ", b"\t", b"\r", b"\n"):
            position += 1
        rest = text[position:position + 9]
        if rest.startswith(b"<?"):
            end, skip = text.find(b"?>", position + 2), 2
        elif rest.startswith(b"<!--"):
            end, skip = text.find(b"-->", position + 4), 3
        elif rest.upper().startswith((b"<!DOCTYPE", b"<!ENTITY")):
            raise error(f"{where}: declares a DTD (<!DOCTYPE>), which spreadsheets and REFI-QDA "
                        "files never need and entity attacks rely on; refusing it")
        elif _ROOT_START.match(rest) or whole or rest and not rest.startswith(b"<!"):
            return  # the root element starts, or the parser will say what is wrong
        else:
            end, skip = -1, 0
        if end < 0:
            if whole:
                return
            raise error(f"{where}: the XML prolog runs past {PROLOG_BYTES:,} bytes without a root "
                        "element; refusing it")
        position = end + skip
