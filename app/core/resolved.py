"""What the engine sends: plain data derived from the model by ``app.core.inherit``.

``ClientProfile`` configures a collection's one long-lived ``httpx.AsyncClient``
(``app.net.clients.ClientPool``); ``ResolvedRequest`` is one send on it.  Both are
frozen so they can be compared (the pool rebuilds a client only when a
transport-level field of its profile changes) and handed across threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.proxy_url import masked

#: the pool key used for requests that belong to no collection (scratch requests)
SCRATCH_KEY = "scratch"
#: the body store's cap when no setting says otherwise: generous, but a bound
DEFAULT_BODY_CAP_MB = 2048
MIB = 1024 * 1024

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

    def __repr__(self) -> str:  # the proxy URL may carry a password
        return (
            f"TransportSettings(http2={self.http2!r}, verify={self.verify!r}, "
            f"ca_bundle={self.ca_bundle!r}, client_cert={self.client_cert!r}, "
            f"client_key={self.client_key!r}, proxy={masked(self.proxy)!r})"
        )


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
    """Shared configuration of one collection's client, for its active environment.

    Rendered from the collection and the environment only: what a folder or a
    request changes travels with that request (``ResolvedRequest``), so a client
    never needs to change while a send may be using it.  The pool builds a new
    client object when a profile differs; the clients of one ``key`` share
    their transports (connection pools).
    """

    #: the collection: its clients and transports are closed with it
    key: str = SCRATCH_KEY
    base_url: str = ""
    headers: Headers = ()
    transport: TransportSettings = TransportSettings()
    auth: ResolvedAuth | None = None
    #: whose cookie jar the client uses ("" = a jar for this session only)
    cookie_key: str = ""
    #: False: a client that neither sends nor stores cookies
    cookies: bool = True
    #: lower-case names of ``headers`` whose values came from secret variables
    secret_headers: frozenset[str] = frozenset()

    def __repr__(self) -> str:  # header values may be secrets
        return f"ClientProfile(key={self.key!r}, base_url={self.base_url!r}, ...)"


@dataclass(frozen=True, slots=True)
class UploadPart:
    """One part of a multipart body, variables substituted.

    A text part carries ``text``; a file part a ``path`` (absolute, or relative
    to the working directory when the request has no file) that the engine
    reads at send time.  ``file_name`` None: no ``filename`` parameter.
    """

    name: str
    text: str = ""
    path: str = ""
    content_type: str = ""
    file_name: str | None = None
    is_file: bool = False


@dataclass(frozen=True, slots=True)
class Upload:
    """A body streamed from disk when it is sent, never held in memory.

    Either one file (``path``) or multipart/form-data (``parts``, separated by
    ``boundary``, which the request's Content-Type names).
    """

    path: str = ""
    parts: tuple[UploadPart, ...] = ()
    boundary: str = ""

    @property
    def multipart(self) -> bool:
        return bool(self.boundary)


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """One request with variables substituted and folder headers merged.

    ``url`` may be relative: the client's ``base_url`` completes it.
    ``headers`` are the folder chain's and the request's own (the collection's
    live on the client), plus any collection header whose value differs for
    this request.  ``content`` is the encoded body, ``None`` for no body, or
    ``upload`` (then ``content`` is None): a file or multipart body the engine
    streams from disk.
    """

    method: str
    url: str
    headers: Headers = ()
    content: bytes | None = None
    upload: Upload | None = None
    #: connect / read / write timeout: how long any one step may stall
    timeout_s: float = 30.0
    follow_redirects: bool = True
    max_redirects: int = 20
    auth_mode: str = AUTH_FROM_CLIENT
    auth: ResolvedAuth | None = None
    #: the client's shared headers this request switched off
    drop_headers: tuple[str, ...] = ()
    #: the whole exchange, connect to last body byte, may take at most this (None: no limit)
    deadline_s: float | None = None
    #: the body store stops the exchange past this many bytes
    body_cap: int = DEFAULT_BODY_CAP_MB * MIB
    #: lower-case names of ``headers`` whose values came from secret variables
    secret_headers: frozenset[str] = frozenset()
    #: secret values this request may carry: masked out of every message and detail
    secrets: frozenset[str] = frozenset()

    @property
    def has_body(self) -> bool:
        return self.content is not None or self.upload is not None

    def __repr__(self) -> str:  # headers, body and credentials may hold secrets
        return f"ResolvedRequest(method={self.method!r}, url=..., headers={len(self.headers)})"
