"""Exceptions -> Courier's error tree, by type, as httpx maps httpcore's.

``to_request_error`` walks the exception's cause chain (and exception groups,
which anyio raises for failed connection attempts) and decides by the types it
finds: ``socket.gaierror`` is a name that does not resolve, an
``ssl.SSLCertVerificationError`` an untrusted certificate (its verify code says
why), ``ConnectionRefusedError`` nothing listening, an ``h2`` GOAWAY a server
that closed the connection.  The phase comes from where the request was
(``TimingRecorder.phase``); with a proxy, a connect failure names the proxy.
The original text stays in ``detail``; secrets are masked out of both.
"""

from __future__ import annotations

import socket
import ssl
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import httpcore
import httpx

from app.core.errors import (
    AuthFailure,
    ConnectionRefused,
    DNSFailure,
    InvalidURL,
    NetworkError,
    Phase,
    ProtocolViolation,
    ProxyFailure,
    RequestError,
    RequestTimeout,
    ServerDisconnected,
    TLSFailure,
    TooManyRedirects,
)

#: secrets shorter than this are not masked (they would mask ordinary text)
MASK_MIN_LENGTH = 4
MASK = "••••"

_E = TypeVar("_E", bound=BaseException)

#: OpenSSL X509_V_ERR_* codes worth their own words
_VERIFY_REASONS = {
    10: "the server's certificate has expired",
    9: "the server's certificate is not valid yet",
    18: "the server's certificate is self-signed",
    19: "the server's certificate chain ends in a self-signed CA that is not trusted",
    20: "the server's certificate is signed by an authority Courier does not trust",
    21: "the server's certificate is signed by an authority Courier does not trust",
    62: "the certificate is for another host name",
    64: "the certificate is for another IP address",
}


@dataclass(frozen=True, slots=True)
class Where:
    """What the engine knows about the failed request."""

    url: str
    phase: Phase = Phase.CONNECT
    received: int = 0
    #: the proxy in use ("" when none): connect failures are the proxy's
    proxy: str = ""
    #: the request cannot have been processed by the server
    not_processed: bool = False


def chain(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes and contexts, and the members of exception groups."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        nxt = current.__cause__ or current.__context__
        if nxt is not None:
            todo.append(nxt)
    return seen


def _first(found: list[BaseException], kind: type[_E]) -> _E | None:
    return next((e for e in found if isinstance(e, kind)), None)


def _text(exc: BaseException) -> str:
    return " | ".join(f"{type(e).__name__}: {e}" for e in chain(exc))


def host_port(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or url
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return url
    return f"{host}:{port}"


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def mask(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MASK_MIN_LENGTH and secret in text:
            text = text.replace(secret, MASK)
    return text


def masked(error: RequestError, secrets: Iterable[str]) -> RequestError:
    """``error`` with every secret value replaced in its message and detail."""
    values = [s for s in secrets if len(s) >= MASK_MIN_LENGTH]
    if values:
        error.message = mask(error.message, values)
        error.detail = mask(error.detail, values)
        error.args = (error.message,)
    return error


def _h2_goaway(found: list[BaseException]) -> object | None:
    """The h2 ``ConnectionTerminated`` event httpcore raised (or None)."""
    events = sys.modules.get("h2.events")
    if events is None:  # h2 never loaded: no HTTP/2 connection existed
        return None
    terminated: type = events.ConnectionTerminated
    for exc in found:
        is_goaway = isinstance(exc, httpcore.RemoteProtocolError) and exc.args
        if is_goaway and isinstance(exc.args[0], terminated):
            return exc.args[0]
    return None


def _h2_error(found: list[BaseException]) -> BaseException | None:
    exceptions = sys.modules.get("h2.exceptions")
    if exceptions is None:
        return None
    return _first(found, exceptions.ProtocolError)


def _h2_short_body(error: BaseException) -> bool:
    exceptions = sys.modules.get("h2.exceptions")
    return exceptions is not None and isinstance(error, exceptions.InvalidBodyLengthError)


def goaway(exc: BaseException) -> tuple[int, int] | None:
    """(last stream id the server may have processed, error code) of the GOAWAY that
    ended the connection ``exc`` failed on; None when no GOAWAY was involved."""
    event = _h2_goaway(chain(exc))
    if event is None:
        return None
    last = getattr(event, "last_stream_id", None)
    code = getattr(event, "error_code", None)
    return (last if isinstance(last, int) else 0, int(code) if code is not None else -1)


def to_request_error(exc: BaseException, where: Where) -> RequestError:
    """A user-facing error for ``exc``, raised while sending ``where.url``."""
    error = _map(exc, where)
    if not error.received:
        error.received = where.received
    if where.not_processed:
        error.retry_safe = True
    return error


def _map(exc: BaseException, where: Where) -> RequestError:
    from app.net.oauth2 import OAuth2Error

    found = chain(exc)
    detail = _text(exc)
    host = _host(where.url)
    phase = where.phase
    got = f" ({where.received:,} bytes of the body had arrived)" if where.received else ""

    if isinstance(exc, RequestError):
        return exc  # already a user-facing error (e.g. raised while building auth)
    if isinstance(exc, OAuth2Error):
        return AuthFailure(str(exc), detail=detail, phase=Phase.PREPARE)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return InvalidURL(
            f"The URL “{where.url}” is not valid: only http:// and https:// URLs can be sent.",
            detail=detail,
            phase=Phase.PREPARE,
        )
    if isinstance(exc, httpx.InvalidURL):
        return InvalidURL(
            f"The URL “{where.url}” is not valid: {exc or 'it cannot be parsed'}.",
            detail=detail,
            phase=Phase.PREPARE,
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return TooManyRedirects(
            f"{where.url} redirected too many times; Courier stopped following.", detail=detail
        )
    if isinstance(exc, httpx.TimeoutException):
        return _timeout(exc, where, host, detail, got)
    if isinstance(exc, httpx.ProxyError):
        return ProxyFailure(
            f"The proxy {host_port(where.proxy)} refused to connect Courier to {host}: {exc}.",
            detail=detail,
            phase=Phase.CONNECT,
        )
    cert = _first(found, ssl.SSLCertVerificationError)
    if cert is not None:
        reason = _VERIFY_REASONS.get(cert.verify_code, "the server's certificate is not trusted")
        return TLSFailure(
            f"Could not open a secure connection to {host}: {reason}.",
            detail=detail,
            phase=Phase.TLS,
        )
    tls = _first(found, ssl.SSLError)
    if tls is not None:
        reason = "the TLS handshake failed"
        if tls.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
            reason = "the server does not speak TLS on this port (try http://)"
        return TLSFailure(
            f"Could not open a secure connection to {host}: {reason}.",
            detail=detail,
            phase=Phase.TLS,
        )
    if isinstance(exc, httpx.ConnectError):
        return _connect(found, where, host, detail)
    goaway = _h2_goaway(found)
    if goaway is not None:
        return ServerDisconnected(
            f"{host} closed the HTTP/2 connection (GOAWAY) before answering{got}.",
            detail=detail,
            phase=phase,
        )
    h2_error = _h2_error(found)
    if h2_error is not None:
        if _h2_short_body(h2_error):
            return ServerDisconnected(
                f"{host} ended the response before the body was complete{got}.",
                detail=detail,
                phase=Phase.RECEIVE,
            )
        return ProtocolViolation(
            f"{host} broke the HTTP/2 protocol: {h2_error}", detail=detail, phase=phase
        )
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return ServerDisconnected(
            f"{host} closed the connection before the response was complete{got}.",
            detail=detail,
            phase=phase,
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return _remote_protocol(exc, where, host, detail, got)
    if isinstance(exc, httpx.LocalProtocolError):
        return ProtocolViolation(
            f"Courier could not write this request as valid HTTP: {exc}",
            detail=detail,
            phase=Phase.PREPARE,
        )
    if isinstance(exc, httpx.DecodingError):
        return ProtocolViolation(
            f"The response from {host} could not be decoded: {exc}", detail=detail, phase=phase
        )
    if isinstance(exc, OSError):
        return NetworkError(
            f"Network error talking to {host}: {exc.strerror or exc}", detail=detail, phase=phase
        )
    return NetworkError(f"Sending to {host} failed: {exc}", detail=detail, phase=phase)


def _timeout(
    exc: httpx.TimeoutException, where: Where, host: str, detail: str, got: str
) -> RequestError:
    if isinstance(exc, httpx.ConnectTimeout):
        target = f"the proxy {host_port(where.proxy)}" if where.proxy else host
        phase = Phase.TLS if where.phase is Phase.TLS else Phase.CONNECT
        text = f"Timed out connecting to {target}."
    elif isinstance(exc, httpx.WriteTimeout):
        phase, text = Phase.SEND, f"Timed out sending the request to {host}."
    elif isinstance(exc, httpx.PoolTimeout):
        phase, text = Phase.CONNECT, f"Timed out waiting for a free connection to {host}."
    elif where.phase is Phase.RECEIVE:
        phase, text = Phase.RECEIVE, f"{host} stopped sending the body{got}: timed out."
    else:
        phase, text = Phase.WAIT, f"Timed out waiting for {host} to answer."
    return RequestTimeout(text, detail=detail, phase=phase)


def _connect(found: list[BaseException], where: Where, host: str, detail: str) -> RequestError:
    cls: type[RequestError]
    target = host_port(where.proxy) if where.proxy else host_port(where.url)
    who = f"the proxy {target}" if where.proxy else target
    if _first(found, socket.gaierror) is not None:
        name = _host(where.proxy) if where.proxy else host
        cls = ProxyFailure if where.proxy else DNSFailure
        what = "the proxy" if where.proxy else "the server"
        return cls(
            f"Could not find {what} “{name}”: the name does not resolve.",
            detail=detail,
            phase=Phase.RESOLVE,
        )
    if _first(found, ConnectionRefusedError) is not None:
        cls = ProxyFailure if where.proxy else ConnectionRefused
        return cls(
            f"Nothing is listening on {who} (connection refused).",
            detail=detail,
            phase=Phase.CONNECT,
        )
    os_error = _first(found, OSError)
    reason = f": {os_error.strerror}" if os_error is not None and os_error.strerror else ""
    cls = ProxyFailure if where.proxy else NetworkError
    return cls(f"Could not connect to {who}{reason}.", detail=detail, phase=Phase.CONNECT)


def _remote_protocol(
    exc: httpx.RemoteProtocolError, where: Where, host: str, detail: str, got: str
) -> RequestError:
    # httpcore has no type of its own for "the peer closed the connection": it
    # raises RemoteProtocolError for that and for malformed HTTP alike.  A
    # closed connection is the one case with these fixed texts (httpcore, h11).
    text = str(exc).lower()
    closed = "disconnected" in text or "peer closed" in text or "incomplete" in text
    if closed and where.phase in (Phase.SEND, Phase.WAIT, Phase.CONNECT, Phase.TLS):
        return ServerDisconnected(
            f"{host} closed the connection without answering.", detail=detail, phase=Phase.WAIT
        )
    if closed:
        return ServerDisconnected(
            f"{host} closed the connection before the response was complete{got}.",
            detail=detail,
            phase=Phase.RECEIVE,
        )
    return ProtocolViolation(
        f"{host} answered with broken HTTP: {exc}", detail=detail, phase=where.phase
    )
