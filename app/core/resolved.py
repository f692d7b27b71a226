"""What the engine sends: plain data derived from the model by ``app.core.inherit``.

``ClientProfile`` configures a collection's one long-lived ``httpx.AsyncClient``
(``app.net.clients.ClientPool``); ``ResolvedRequest`` is one send on it.  Both are
frozen so they can be compared (the pool rebuilds a client only when a
transport-level field of its profile changes) and handed across threads.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the pool key used for requests that belong to no collection (scratch requests)
SCRATCH_KEY = "scratch"

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TransportSettings:
    """Settings that need a new connection pool when they change."""

    http2: bool = True
    verify: bool = True
    #: a PEM file of extra CA certificates to trust ("" = the system's)
    ca_bundle: str = ""


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """Shared configuration of one collection's client."""

    key: str = SCRATCH_KEY
    base_url: str = ""
    headers: Headers = ()
    transport: TransportSettings = TransportSettings()


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """One request with variables substituted and folder headers merged.

    ``url`` may be relative: the client's ``base_url`` completes it.
    ``headers`` are the folder chain's and the request's own (the collection's
    live on the client).  ``content`` is the encoded body, ``None`` for no body.
    """

    method: str
    url: str
    headers: Headers = ()
    content: bytes | None = None
    timeout_s: float = 30.0
    follow_redirects: bool = True
