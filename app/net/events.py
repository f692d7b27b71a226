"""Events yielded by ``app.net.engine.send``: the engine streams, callers react.

A send yields ``Started``, then ``ResponseHead``, zero or more ``BodyChunk``,
then exactly one of ``Finished`` or ``Failed`` (``Failed`` may come at any
point, e.g. a server that resets mid-body).  Cancellation is by cancelling the
task that iterates; nothing is yielded after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import RequestError
from app.net.spool import ResponseSpool


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds, measured from httpcore's ``trace`` extension.

    ``connect_s`` / ``tls_s`` are None when the connection was reused (or, for
    TLS, when the URL is plain http).  ``ttfb_s`` is send start to response
    head; ``total_s`` is send start to last body byte.
    """

    reused_connection: bool = False
    connect_s: float | None = None
    tls_s: float | None = None
    ttfb_s: float | None = None
    total_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Started:
    method: str
    url: str


@dataclass(frozen=True, slots=True)
class ResponseHead:
    status_code: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    url: str
    #: the request headers as actually sent (client + request), for the UI
    request_headers: tuple[tuple[str, str], ...] = ()
    #: Content-Length if the server sent one
    expected_size: int | None = None


@dataclass(frozen=True, slots=True)
class BodyChunk:
    data: bytes
    #: bytes received so far, this chunk included (decoded size)
    received: int


@dataclass(frozen=True, slots=True)
class Finished:
    size: int
    timings: Timings
    spool: ResponseSpool = field(repr=False)


@dataclass(frozen=True, slots=True)
class Failed:
    error: RequestError
    timings: Timings | None = None


Event = Started | ResponseHead | BodyChunk | Finished | Failed
