"""Content-Encoding decoded in bounded pieces.

httpx decodes a whole network read at once: a 1 MiB read of a gzip bomb
becomes one 1 GiB string.  Courier reads the raw stream and decodes it here,
never producing more than ``PIECE`` bytes at a time, so the body store's cap
and the event loop both get a say between pieces.

Supported: gzip (several members too), deflate (zlib-wrapped or raw, as
servers send both), Brotli (``output_buffer_limit``), zstd (several frames too,
``max_length``) and identity.  A body in an encoding Courier cannot decode is
kept as it arrived (``ContentDecoder.undecoded`` names the encoding).
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator

import brotli

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

#: the most decoded bytes one step produces
PIECE = 1024 * 1024
#: what Courier asks servers for: only what it decodes in bounded pieces
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
#: Brotli's limit is soft (its output buffer stops growing once it reaches the
#: limit, measured up to twice the limit): half a piece keeps its pieces within one
_BROTLI_LIMIT = PIECE // 2


class DecodingFailed(Exception):
    """The body is not valid in its declared Content-Encoding."""


class _Stage:
    def decode(self, data: bytes) -> Iterator[bytes]:
        raise NotImplementedError

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib(_Stage):
    """gzip or deflate through zlib, ``PIECE`` bytes of output at a time."""

    def __init__(self, wbits: int, *, multi_member: bool) -> None:
        self._wbits = wbits
        self._multi_member = multi_member
        self._inflater = zlib.decompressobj(wbits)
        #: deflate only: until the first bytes decode, a raw deflate stream is still possible
        self._may_be_raw = wbits == zlib.MAX_WBITS

    def decode(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            try:
                out = self._inflater.decompress(pending, PIECE)
            except zlib.error as exc:
                if not self._may_be_raw:
                    raise DecodingFailed(str(exc)) from exc
                # servers send raw deflate as often as zlib-wrapped: try raw once
                self._may_be_raw = False
                self._wbits = -zlib.MAX_WBITS
                self._inflater = zlib.decompressobj(self._wbits)
                continue
            if pending:
                self._may_be_raw = False
            if out:
                yield out
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if not (self._multi_member and rest.strip(b"\x00")):
                    return  # bytes after the stream are ignored, as curl does
                self._inflater = zlib.decompressobj(self._wbits)
                pending = rest
                continue
            pending = self._inflater.unconsumed_tail
            if not pending and len(out) < PIECE:
                return  # all input used and no output held back

    def flush(self) -> Iterator[bytes]:
        if self._inflater.eof:
            return
        yield from self.decode(b"")
        try:
            tail = self._inflater.flush()
        except zlib.error as exc:
            raise DecodingFailed(str(exc)) from exc
        for start in range(0, len(tail), PIECE):
            yield tail[start : start + PIECE]


def _pieces(data: bytes) -> Iterator[bytes]:
    """``data`` cut to ``PIECE`` bytes at most (a guard: the stages rarely need it)."""
    if len(data) <= PIECE:
        yield data
        return
    for start in range(0, len(data), PIECE):
        yield data[start : start + PIECE]


class _Brotli(_Stage):
    """Brotli, about half a ``PIECE`` of output at a time (never more than a piece)."""

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        decompressor = self._decompressor
        if decompressor.is_finished():
            if data:  # as Brotli's decoder says of such bytes in the same read
                raise DecodingFailed("Brotli: bytes after the end of the stream")
            return
        pending = data
        while True:
            try:
                out = decompressor.process(pending, output_buffer_limit=_BROTLI_LIMIT)
            except brotli.error as exc:  # bytes after the end of the stream too
                raise DecodingFailed(f"Brotli: {exc}") from exc
            pending = b""
            if out:
                yield from _pieces(out)
            if decompressor.is_finished():
                return
            # nothing more came out and the input is all taken: wait for more input
            if not out and decompressor.can_accept_more_data():
                return

    def flush(self) -> Iterator[bytes]:
        yield from self.decode(b"")


class _Zstd(_Stage):
    """Zstandard (every frame of the body), at most ``PIECE`` bytes of output at a time."""

    def __init__(self) -> None:
        self._decompressor = zstd.ZstdDecompressor()
        #: the current frame got input (a new frame's decompressor has seen nothing yet)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            decompressor = self._decompressor
            if pending:
                self._started = True
            try:
                out = decompressor.decompress(pending, PIECE)
            except zstd.ZstdError as exc:
                raise DecodingFailed(f"zstd: {exc}") from exc
            pending = b""
            if out:
                yield from _pieces(out)
            if decompressor.eof:
                rest = decompressor.unused_data
                self._decompressor = zstd.ZstdDecompressor()
                self._started = False
                if not rest.strip(b"\x00"):
                    return
                pending = rest  # the next frame
                continue
            if decompressor.needs_input:
                return

    def flush(self) -> Iterator[bytes]:
        if self._started:
            yield from self.decode(b"")


class ContentDecoder:
    """Decodes one response body; ``decode`` and ``flush`` yield bounded pieces."""

    def __init__(self, content_encoding: str) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        #: the encoding Courier could not decode ("" when it decodes the body)
        self.undecoded = ""
        self._stages: list[_Stage] = []
        for name in reversed(names):  # the last one applied is undone first
            if name in ("gzip", "x-gzip"):
                self._stages.append(_Zlib(16 + zlib.MAX_WBITS, multi_member=True))
            elif name == "deflate":
                self._stages.append(_Zlib(zlib.MAX_WBITS, multi_member=False))
            elif name == "br":
                self._stages.append(_Brotli())
            elif name == "zstd":
                self._stages.append(_Zstd())
            else:
                self.undecoded = name
                self._stages = []
                break

    @property
    def passthrough(self) -> bool:
        return not self._stages

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self._stages:
            if data:
                yield data
            return
        yield from self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            for piece in stage.flush():
                yield from self._through(index + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            yield data
            return
        for piece in self._stages[index].decode(data):
            yield from self._through(index + 1, piece)
