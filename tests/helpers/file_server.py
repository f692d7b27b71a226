"""A file server on 127.0.0.1 whose Range support and manners a test chooses.

Serves one blob at any path with ``ETag``/``Last-Modified``, honours ``Range``
and ``If-Range`` (unless ``ranges`` is off: then it always sends the whole
file with 200), answers ``416`` past the end, and records every request's
headers.  ``drops`` lists, per request in order, after how many body bytes it
hangs up (a drop mid-body); ``no_length`` sends the body without a length
(ended by closing the connection); ``replace()`` changes the file (new ETag).
"""

from __future__ import annotations

import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class FileServer:
    def __init__(
        self,
        data: bytes,
        *,
        ranges: bool = True,
        etag: str = '"v1"',
        last_modified: str = "Wed, 21 Oct 2026 07:28:00 GMT",
        content_disposition: str | None = None,
        no_length: bool = False,
    ) -> None:
        self.data = data
        self.ranges = ranges
        self.etag = etag
        self.last_modified = last_modified
        self.content_disposition = content_disposition
        self.no_length = no_length
        #: body bytes after which each coming request hangs up (None: sends it all)
        self.drops: list[int | None] = []
        #: headers of every request, lower-case names
        self.requests: list[dict[str, str]] = []
        #: set to make the body stall (after this many bytes) until ``release`` is set
        self.stall_at: int | None = None
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def replace(self, data: bytes, etag: str) -> None:
        with self._lock:
            self.data, self.etag = data, etag
            self.last_modified = "Thu, 22 Oct 2026 07:28:00 GMT"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.requests.append(headers)
                    data, etag, modified = server.data, server.etag, server.last_modified
                    drop = server.drops.pop(0) if server.drops else None
                start = 0
                status = 200
                wanted = headers.get("range", "")
                if_range = headers.get("if-range")
                valid = if_range is None or if_range in (etag, modified)
                if server.ranges and wanted.startswith("bytes=") and valid:
                    start = int(wanted[6:].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                body = data[start:]
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                if server.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                if server.content_disposition:
                    self.send_header("Content-Disposition", server.content_disposition)
                if server.no_length:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if server.stall_at is not None:
                        self.wfile.write(body[: server.stall_at])
                        self.wfile.flush()
                        server.release.wait(10)
                        body = body[server.stall_at :]
                    if drop is not None:
                        self.wfile.write(body[:drop])
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True

        return Handler

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
