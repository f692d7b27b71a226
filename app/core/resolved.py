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
    #: a PEM file of CA certificates to trust ("" = the system's)
    ca_bundle: str = ""
    #: client certificate (PEM) and its key ("" = none / in the certificate file)
    client_cert: str = ""
    client_key: str = ""
    #: proxy URL ("" = none): http(s):// or socks5://
    proxy: str = ""


@dataclass(frozen=True, slots=True)
class ResolvedAuth:
    """Credentials with variables substituted: what the engine turns into httpx auth."""

    kind: str  # "basic", "bearer", "apikey", "digest", "oauth2" or "aws-sigv4"
    username: str = ""
    password: str = ""
    token: str = ""
    key_name: str = ""
    key_value: str = ""
    key_in: str = "header"
    grant: str = ""
    token_url: str = ""
    auth_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scope: str = ""
    access_key: str = ""
    secret_key: str = ""
    session_token: str = ""
    region: str = ""
    service: str = ""

    def __repr__(self) -> str:  # never print credentials into logs or tracebacks
        return f"ResolvedAuth(kind={self.kind!r}, ...)"


#: ResolvedRequest.auth_mode values
AUTH_FROM_CLIENT = "client"  # the collection's auth, configured on its client
AUTH_NONE = "none"  # no auth for this request, whatever the client has
AUTH_OWN = "own"  # ResolvedRequest.auth, instead of the client's


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """Shared configuration of one collection's client."""

    key: str = SCRATCH_KEY
    base_url: str = ""
    headers: Headers = ()
    transport: TransportSettings = TransportSettings()
    auth: ResolvedAuth | None = None
    max_redirects: int = 20
    #: whose cookie jar the client uses ("" = a jar for this session only)
    cookie_key: str = ""
    #: False: a client that neither sends nor stores cookies
    cookies: bool = True


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
    auth_mode: str = AUTH_FROM_CLIENT
    auth: ResolvedAuth | None = None
    #: the client's shared headers this request switched off
    drop_headers: tuple[str, ...] = ()
