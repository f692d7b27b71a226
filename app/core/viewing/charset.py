"""Which charset a text body is in, and decoding it line by line for display.

The line index and search work on bytes where ``\\n`` is 0x0A; that holds for
UTF-8, Latin-1, windows-1252 and the other ASCII-compatible charsets, not for
UTF-16/32.  Those are re-encoded as UTF-8 into an unlinked temporary file by
``TranscodedSource`` (incrementally, within a time budget), so one index and
one view serve every body.

Display decoding uses ``surrogateescape``: each undecodable byte becomes one
lone surrogate, so a character column maps back to an exact byte offset
(selection, copy) and the painter shows those surrogates as U+FFFD.
"""

from __future__ import annotations

import codecs
import os
import tempfile
import time
from dataclasses import dataclass

from app.core.viewing.source import ByteSource, pread_into

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

FALLBACK = "cp1252"
"""windows-1252 (what browsers read for "latin-1"); bytes it leaves undefined become U+FFFD."""


@dataclass(frozen=True)
class Charset:
    name: str
    """Python codec name (``codecs.lookup(...).name``)."""
    bom: int = 0
    """Length of the byte order mark at the start of the body (0 if none)."""
    ascii_compatible: bool = True
    """``\\n`` is the single byte 0x0A and ASCII is itself: index the bytes directly."""
    source: str = "default"
    """Why: "bom", "declared", "detected" or "default"."""


def codec_name(name: str | None) -> str | None:
    """Python's name for a charset label, or None if Python has no such codec."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip('"').strip("'")).name
    except (LookupError, ValueError):
        return None


def is_ascii_compatible(name: str) -> bool:
    try:
        return "\nAz ~".encode(name) == b"\nAz ~"
    except (LookupError, UnicodeError):
        return False


def detect_charset(head: bytes, declared: str | None, *, whole: bool = False) -> Charset:
    """The charset of a body starting with ``head``; ``declared`` from Content-Type.

    BOM first, then the declared charset if Python knows it, then UTF-8 if the
    head is valid UTF-8 (a multi-byte character cut by the end of the head is
    fine unless ``whole``: the head is the entire body), else windows-1252.
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return Charset(name, len(bom), name == "utf-8", "bom")
    declared_name = codec_name(declared)
    if declared_name is not None:
        return Charset(declared_name, 0, is_ascii_compatible(declared_name), "declared")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return Charset(FALLBACK, 0, True, "detected")
    return Charset("utf-8", 0, True, "detected" if head else "default")


def decode_for_display(data: bytes, encoding: str) -> str:
    """Bytes of (part of) a line as text; undecodable bytes stay as lone surrogates."""
    return data.decode(encoding, errors="surrogateescape")


def char_boundary(data: bytes, pos: int, encoding: str) -> int:
    """``pos`` moved back (by at most 3 bytes) so it does not split a character.

    ``data`` is the bytes around the cut, ``pos`` an index into it.  UTF-8:
    step back over continuation bytes.  Single-byte charsets: any position.
    Other multi-byte charsets: the largest cut whose prefix decodes cleanly.
    """
    if pos <= 0 or pos >= len(data):
        return max(0, min(pos, len(data)))
    enc = codec_name(encoding) or "utf-8"
    if enc == "utf-8":
        back = pos
        while back > 0 and pos - back < 3 and 0x80 <= data[back] < 0xC0:
            back -= 1
        # back on a lead byte: cut before it; otherwise the bytes are not valid
        # UTF-8 here and any cut is as good as another
        return back if data[back] >= 0xC0 else pos
    if _single_byte(enc):
        return pos
    for back in range(pos, max(0, pos - 4), -1):
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
        try:
            decoder.decode(data[max(0, back - 16) : back], final=False)
        except UnicodeDecodeError:
            continue
        if decoder.getstate()[0] == b"":
            return back
    return pos


def _single_byte(enc: str) -> bool:
    try:
        return all(len(chr(c).encode(enc)) == 1 for c in (0x41, 0xE9)) and enc not in {
            "utf-8",
            "utf-8-sig",
        }
    except UnicodeError:
        # no é in it (e.g. ascii, koi8-r): single-byte if every byte decodes to one char
        try:
            return len(bytes(range(0x80, 0x100)).decode(enc, errors="replace")) == 128
        except LookupError:
            return False


class TranscodedSource:
    """A ByteSource of another source's body re-encoded as UTF-8 (for UTF-16/32).

    ``pump(budget_s)`` decodes what is new in the underlying source into an
    unlinked temporary file; offsets in this source are offsets in the UTF-8
    text, so the line index, view and search need no special case.  The BOM
    is dropped.  ``close()`` frees the file.
    """

    BLOCK = 1024 * 1024

    def __init__(self, source: ByteSource, encoding: str, *, bom: int = 0) -> None:
        self._source = source
        self._encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._read_pos = bom
        self._written = 0
        self._flushed = False
        with tempfile.TemporaryFile(prefix="courier-view-") as file:
            self._fd = os.dup(file.fileno())

    @property
    def encoding(self) -> str:
        return self._encoding

    def pump(self, budget_s: float) -> bool:
        """Transcode more for about ``budget_s``; True when caught up with the source."""
        deadline = time.perf_counter() + budget_s
        while True:
            size = self._source.size()
            if self._read_pos < size:
                data = self._source.read(self._read_pos, min(self.BLOCK, size - self._read_pos))
                self._read_pos += len(data)
                self._write(self._decoder.decode(data, final=False))
            elif self._source.complete():
                if not self._flushed:
                    self._write(self._decoder.decode(b"", final=True))
                    self._flushed = True
                return True
            else:
                return True
            if time.perf_counter() >= deadline:
                return self._read_pos >= self._source.size() and (
                    self._flushed or not self._source.complete()
                )

    def caught_up(self) -> bool:
        """Everything the source has now is transcoded (and flushed, once it is complete)."""
        return self._read_pos >= self._source.size() and (
            self._flushed or not self._source.complete()
        )

    def _write(self, text: str) -> None:
        if not text or self._fd < 0:
            return
        data = text.encode("utf-8", errors="surrogatepass")
        view = memoryview(data)
        while view:
            n = os.pwrite(self._fd, view, self._written)
            self._written += n
            view = view[n:]

    def size(self) -> int:
        return self._written

    def read(self, offset: int, size: int) -> bytes:
        end = min(self._written, offset + size)
        if offset >= end or self._fd < 0:
            return b""
        return os.pread(self._fd, end - offset, offset)

    def read_into(self, offset: int, buffer: memoryview) -> int:
        end = min(self._written, offset + len(buffer))
        if offset >= end or self._fd < 0:
            return 0
        return pread_into(self._fd, offset, buffer[: end - offset])

    def shared_fd(self) -> int:
        return self._fd

    def complete(self) -> bool:
        return self._flushed

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
