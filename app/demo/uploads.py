"""The demo server's upload routes: what arrived, measured as it streams in.

``/upload`` answers with the body's size and SHA-256; ``/upload/multipart`` with
each part's name, file name, content type, size and SHA-256.  Neither keeps a
body in memory (a several-hundred-MB upload costs the server a few chunks), so
tests and users can check that an upload arrived byte for byte.  The multipart
parser is python-multipart's, not Courier's: the encoder is checked against an
independent reading of the format.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:  # a typing-only name in python-multipart
    from python_multipart.multipart import MultipartCallbacks

UPLOAD_METHODS = ["POST", "PUT", "PATCH"]


async def upload(request: Request) -> Response:
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
    return JSONResponse(
        {
            "size": size,
            "sha256": digest.hexdigest(),
            "content_type": request.headers.get("content-type", ""),
            "content_length": request.headers.get("content-length"),
            "transfer_encoding": request.headers.get("transfer-encoding"),
        }
    )


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    def summary(self) -> dict[str, Any]:
        _kind, options = parse_options_header(self.headers.get("content-disposition", ""))
        name = options.get(b"name")
        filename = options.get(b"filename")
        return {
            "name": name.decode("utf-8", "replace") if name is not None else None,
            "filename": filename.decode("utf-8", "replace") if filename is not None else None,
            "content_type": self.headers.get("content-type"),
            "size": self.size,
            "sha256": self.digest.hexdigest(),
        }


class _PartCollector:
    """python-multipart's callbacks: each part's headers, size and digest."""

    def __init__(self) -> None:
        self.parts: list[_Part] = []
        self._field = bytearray()
        self._value = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_part_data": self._data,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
        }

    def _begin(self) -> None:
        self.parts.append(_Part())

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self.parts[-1]
        part.digest.update(data[start:end])
        part.size += end - start

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        name = self._field.decode("latin-1").lower()
        self.parts[-1].headers[name] = self._value.decode("utf-8", "replace")
        self._field.clear()
        self._value.clear()


async def upload_multipart(request: Request) -> Response:
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        return JSONResponse({"error": "send multipart/form-data with a boundary"}, status_code=400)
    collector = _PartCollector()
    parser = MultipartParser(boundary, collector.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except Exception as exc:  # python-multipart's errors: malformed input
        return JSONResponse({"error": f"not valid multipart: {exc}"}, status_code=400)
    return JSONResponse(
        {
            "parts": [part.summary() for part in collector.parts],
            "content_length": request.headers.get("content-length"),
        }
    )


def routes() -> list[Route]:
    return [
        Route("/upload", upload, methods=UPLOAD_METHODS),
        Route("/upload/multipart", upload_multipart, methods=UPLOAD_METHODS),
    ]
