"""Request bodies streamed from disk: one file, or multipart/form-data.

``prepare_upload`` (blocking: run it in a worker) checks every file before
anything is sent, so a missing or unreadable one is an error that names it,
and measures them, so the request carries a Content-Length instead of being
chunked.  ``UploadStream`` is the body httpx sends: it reads the files in
chunks in worker threads (a slow disk never stalls the event loop, which is
the GUI's) and reports the bytes handed to the connection.  It can be sent
again (a 307/308 redirect, a retry, a Digest challenge): each pass reopens
the files.

httpx's own multipart encoder is not used: it reads files on the event loop's
thread and guesses content types from the system's tables, and Courier needs
the per-part types and file names exactly as the user set them.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import httpx

from app.core.errors import Phase, UploadFileError
from app.core.resolved import Upload, UploadPart
from app.core.units import human_size

#: bytes read from a file at a time: large enough that a worker hop per chunk costs
#: nothing measurable, small enough that progress moves often on a slow link
CHUNK_SIZE = 512 * 1024

SentCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class FileSpan:
    """A file's bytes, sent as they are when the stream reaches them."""

    path: str
    size: int
    #: how errors name it: "the file of part “avatar”"
    what: str


Piece = bytes | FileSpan


@dataclass(frozen=True, slots=True)
class PreparedUpload:
    pieces: tuple[Piece, ...]
    size: int
    #: the request as sent shows this: "file report.pdf, 2.1 MiB", "multipart: 3 parts, 1.0 GiB"
    summary: str


def prepare_upload(upload: Upload) -> PreparedUpload:
    """Check and measure the files of ``upload`` (blocking; raises ``UploadFileError``)."""
    if not upload.multipart:
        span = _checked_file(upload.path, "the file to send")
        name = PurePath(upload.path).name
        return PreparedUpload((span,), span.size, f"file {name}, {human_size(span.size)}")
    pieces: list[Piece] = []
    boundary = upload.boundary.encode("ascii")
    for part in upload.parts:
        _add(pieces, b"--" + boundary + b"\r\n" + _part_head(part))
        if part.is_file:
            pieces.append(_checked_file(part.path, f"the file of part “{part.name}”"))
        else:
            _add(pieces, part.text.encode("utf-8"))
        _add(pieces, b"\r\n")
    _add(pieces, b"--" + boundary + b"--\r\n")
    size = sum(len(p) if isinstance(p, bytes) else p.size for p in pieces)
    count = len(upload.parts)
    noun = "part" if count == 1 else "parts"
    return PreparedUpload(tuple(pieces), size, f"multipart: {count} {noun}, {human_size(size)}")


def payload_sha256(prepared: PreparedUpload) -> str:
    """The SHA-256 of the body ``prepared`` sends, its files read in 1 MiB blocks
    (blocking: a worker thread's call; raises ``UploadFileError``)."""
    digest = hashlib.sha256()
    for piece in prepared.pieces:
        if isinstance(piece, bytes):
            digest.update(piece)
            continue
        try:
            with open(piece.path, "rb") as file:
                left = piece.size
                while left and (block := file.read(min(left, 1 << 20))):
                    digest.update(block)
                    left -= len(block)
        except OSError as exc:
            raise _unreadable(piece, exc) from exc
        if left:
            raise UploadFileError(
                f"Cannot send {piece.what}: {piece.path} became shorter since it was measured."
            )
    return digest.hexdigest()


def _add(pieces: list[Piece], data: bytes) -> None:
    """Append ``data``, joined to the bytes before it: fewer, larger writes."""
    if pieces and isinstance(pieces[-1], bytes):
        pieces[-1] += data
    else:
        pieces.append(data)


def _quoted(value: str) -> str:
    """A Content-Disposition parameter value as browsers write it (WHATWG HTML):
    quotes and line breaks percent-encoded, the rest UTF-8."""
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _one_line(value: str) -> str:
    """A header value with no line break (a typed content type cannot add headers)."""
    return " ".join(value.splitlines()).strip()


def _part_head(part: UploadPart) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{_quoted(part.name)}"'
    if part.file_name is not None:
        disposition += f'; filename="{_quoted(part.file_name)}"'
    lines = [disposition]
    if part.content_type:
        lines.append(f"Content-Type: {_one_line(part.content_type)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _checked_file(path: str, what: str) -> FileSpan:
    if not path:
        raise UploadFileError(f"No file is chosen for {what}.")
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise UploadFileError(f"Cannot send {what}: {path} is not a regular file.")
        with open(path, "rb"):  # readable now (a FIFO was refused above: opening it blocks)
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UploadFileError(f"Cannot read {what}: {path} ({reason}).", detail=repr(exc)) from exc
    return FileSpan(path, info.st_size, what)


class UploadStream(httpx.AsyncByteStream):
    """The body of a file or multipart request, read from disk as it is sent."""

    def __init__(self, prepared: PreparedUpload, on_sent: SentCallback | None = None) -> None:
        self.prepared = prepared
        self._on_sent = on_sent
        #: the SHA-256 of the whole body once something needed it (AWS SigV4 signs it)
        self.payload_sha256: str | None = None

    @property
    def size(self) -> int:
        return self.prepared.size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        total = self.prepared.size
        self._report(0, total)
        for piece in self.prepared.pieces:
            chunks = _file_chunks(piece) if isinstance(piece, FileSpan) else _just(piece)
            async for chunk in chunks:
                yield chunk
                # asked for the next chunk: the connection has taken this one
                sent += len(chunk)
                self._report(sent, total)

    def _report(self, sent: int, total: int) -> None:
        if self._on_sent is not None:
            self._on_sent(sent, total)


async def _just(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _file_chunks(span: FileSpan) -> AsyncIterator[bytes]:
    """``span``'s file in chunks read by worker threads; exactly ``span.size`` bytes, or
    ``UploadFileError`` when the file changed size since it was measured."""
    loop = asyncio.get_running_loop()
    try:
        file: BinaryIO = await loop.run_in_executor(None, open, span.path, "rb")
    except OSError as exc:
        raise _unreadable(span, exc) from exc
    try:
        left = span.size
        while left:
            try:
                chunk = await loop.run_in_executor(None, file.read, min(CHUNK_SIZE, left))
            except OSError as exc:
                raise _unreadable(span, exc) from exc
            if not chunk:
                raise _changed(span)
            left -= len(chunk)
            yield chunk
        if os.fstat(file.fileno()).st_size != span.size:
            raise _changed(span)
    finally:
        file.close()


def _unreadable(span: FileSpan, exc: OSError) -> UploadFileError:
    reason = exc.strerror or str(exc)
    return UploadFileError(
        f"Could not read {span.what} while sending it: {span.path} ({reason}).",
        detail=repr(exc),
        phase=Phase.SEND,
    )


def _changed(span: FileSpan) -> UploadFileError:
    return UploadFileError(
        f"{span.what[0].upper()}{span.what[1:]} changed size while it was being sent "
        f"({span.path}); Courier stopped rather than send something else than the file.",
        phase=Phase.SEND,
    )
