"""Exchange: one send, as it actually happened.

The request as sent (final URL, headers with secrets masked, a body summary),
every redirect hop with what was withheld on it, the response head, timings,
the error if any, and the body in a ``BodyStore``.  A tab, the history, a
viewer or a download hold exchanges; the body lives as long as something
holds the exchange (or until ``release()``).

The engine fills an exchange in on the event loop; readers on the GUI thread
look at its fields between events, and may read its body from any thread.
"""

from __future__ import annotations

import enum
import itertools
import time
from dataclasses import dataclass

from app.core.errors import RequestError
from app.net.arrivals import ArrivalLog
from app.net.body_store import BodyStore

Headers = tuple[tuple[str, str], ...]

_ids = itertools.count(1)


class ExchangeState(enum.StrEnum):
    PENDING = "pending"  # created, nothing sent yet (e.g. the demo server is starting)
    SENDING = "sending"  # connecting, writing the request, waiting for the head
    RECEIVING = "receiving"  # the head arrived, the body is coming in
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"


FINAL_STATES = frozenset({ExchangeState.DONE, ExchangeState.FAILED, ExchangeState.STOPPED})


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds, from httpcore's ``trace`` extension, for the final request.

    ``dns_s`` / ``connect_s`` / ``tls_s`` are None on a reused connection (TLS
    also for plain http).  ``dns_s``: looking up the host name (None too for an
    IP address, or through a proxy); ``connect_s``: the TCP connection, without
    the lookup when ``dns_s`` is known, with it otherwise (``connect_includes_dns``).
    ``send_s``: writing the request; ``wait_s``: from the request written to
    the response head; ``ttfb_s``: from the start of the exchange to the head
    (redirect hops included); ``download_s``: head to last byte.
    """

    reused_connection: bool = False
    dns_s: float | None = None
    connect_s: float | None = None
    tls_s: float | None = None
    send_s: float | None = None
    wait_s: float | None = None
    ttfb_s: float | None = None
    download_s: float | None = None
    total_s: float = 0.0
    #: time spent on redirect hops before the final request
    redirects_s: float = 0.0
    http_version: str = ""
    #: "host:port" the final request went to (a proxy's, when one is used)
    remote_address: str = ""
    #: ``connect_s`` covers a host name lookup (a proxy's, or one that could not be timed)
    connect_includes_dns: bool = False


@dataclass(frozen=True, slots=True)
class SentRequest:
    method: str
    url: str
    #: as sent, values of credentials and secret headers masked
    headers: Headers
    body_size: int
    content_type: str = ""
    #: a streamed body's description ("file report.pdf, 2.1 MiB"), "" for others
    body_description: str = ""

    @property
    def body_summary(self) -> str:
        if self.body_description:
            return self.body_description
        if not self.body_size:
            return "no body"
        kind = f", {self.content_type}" if self.content_type else ""
        return f"{self.body_size:,} bytes{kind}"


@dataclass(frozen=True, slots=True)
class Withheld:
    """A credential Courier did not send on a hop to another origin."""

    name: str
    #: where it came from: "Basic auth", "API key", "secret variable", "typed header"...
    source: str


@dataclass(frozen=True, slots=True)
class RedirectHop:
    """One redirect answer and the request that followed it."""

    method: str
    url: str
    status_code: int
    reason: str
    location: str
    headers: Headers
    elapsed_s: float
    #: the method and URL of the next request (303 and POST on 301/302 become GET)
    next_method: str
    next_url: str
    #: the next request goes to another origin than the first one (scheme, host, port)
    cross_origin: bool
    withheld: tuple[Withheld, ...] = ()


@dataclass(frozen=True, slots=True)
class ResponseHead:
    status_code: int
    reason: str
    http_version: str
    headers: Headers
    url: str
    #: Content-Length of the body as sent, if the server declared one
    expected_size: int | None = None
    content_encoding: str = ""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""


class Exchange:
    """One send: filled in by the engine, read by whoever shows it."""

    def __init__(self, method: str, url: str, body: BodyStore | None = None) -> None:
        self.id = next(_ids)
        self.created_at = time.time()
        #: what the user asked for (before the engine knows the final URL)
        self.method = method
        self.url = url
        self.state = ExchangeState.PENDING
        self.request: SentRequest | None = None
        self.hops: list[RedirectHop] = []
        self.response: ResponseHead | None = None
        self.timings: Timings | None = None
        self.error: RequestError | None = None
        self.body = body if body is not None else BodyStore()
        #: a streamed request body (file, multipart): bytes the connection took so far,
        #: of ``upload_size`` (None: the request has no such body)
        self.uploaded = 0
        self.upload_size: int | None = None
        #: body bytes as they came over the wire (before Content-Encoding was undone)
        self.wire_bytes = 0
        #: those bytes themselves, when a Content-Encoding was undone (None: the body is
        #: stored as it came); same cap as the body, released with it
        self.wire_body: BodyStore | None = None
        #: when the body's bytes arrived (see ``arrival_time``)
        self.arrivals = ArrivalLog()
        #: things worth telling the user: a retry, an encoding kept as is...
        self.notes: list[str] = []

    def __repr__(self) -> str:
        return f"<Exchange #{self.id} {self.method} {self.state.value} {self.body.size} B>"

    @property
    def received(self) -> int:
        """Body bytes stored so far (decoded)."""
        return self.body.size

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def expected_size(self) -> int | None:
        """The decoded size when it is known in advance (no Content-Encoding)."""
        head = self.response
        if head is None or head.content_encoding:
            return None
        return head.expected_size

    def withheld(self) -> list[Withheld]:
        return [w for hop in self.hops for w in hop.withheld]

    def arrival_time(self, offset: int) -> float | None:
        """When (``time.time()``) the stored body's byte at ``offset`` had arrived:
        None for a byte that has not arrived.  Pieces that arrived within a few
        milliseconds of each other share the later time (see ``ArrivalLog``)."""
        return self.arrivals.time_at(offset)

    def release(self) -> None:
        """Free the body now (it is also freed when nothing holds the exchange)."""
        self.body.release()
        if self.wire_body is not None:
            self.wire_body.release()
