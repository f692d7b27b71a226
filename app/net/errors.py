"""httpx exceptions -> Courier's error tree, with messages a user understands.

The original exception text stays in ``detail`` for the "details" disclosure.
"""

from __future__ import annotations

import socket
import ssl
import sys
from urllib.parse import urlsplit

import httpx

from app.core.errors import (
    AuthFailure,
    ConnectionRefused,
    DNSFailure,
    InvalidURL,
    NetworkError,
    ProtocolViolation,
    RequestError,
    RequestTimeout,
    ServerDisconnected,
    TLSFailure,
    TooManyRedirects,
)


def _host_port(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        host = parts.hostname or url
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return url, ""
    return host, str(port)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _text(exc: BaseException) -> str:
    return " | ".join(f"{type(e).__name__}: {e}" for e in _chain(exc))


def _h2_error(chain: list[BaseException]) -> BaseException | None:
    """An HTTP/2 protocol error that httpcore let through unwrapped (or None).

    h2 is only consulted once loaded: if it never was, no h2 error can exist.
    """
    h2_exceptions = sys.modules.get("h2.exceptions")
    if h2_exceptions is None:
        return None
    protocol_error: type[BaseException] = h2_exceptions.ProtocolError
    return next((e for e in chain if isinstance(e, protocol_error)), None)


def to_request_error(exc: BaseException, url: str, received: int = 0) -> RequestError:
    """Map an exception raised while sending ``url`` to a user-facing error."""
    detail = _text(exc)
    host, port = _host_port(url)
    chain = _chain(exc)
    lowered = detail.lower()

    from app.net.oauth2 import OAuth2Error

    if isinstance(exc, RequestError):
        return exc  # already a user-facing error (e.g. raised while building auth)
    if isinstance(exc, OAuth2Error):
        return AuthFailure(str(exc), detail=detail)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol) or (
        isinstance(exc, ValueError) and not isinstance(exc, httpx.HTTPError)
    ):
        reason = str(exc) or "it cannot be parsed"
        if isinstance(exc, httpx.UnsupportedProtocol):
            reason = "only http:// and https:// URLs can be sent"
        return InvalidURL(f"The URL “{url}” is not valid: {reason}.", detail=detail)
    if isinstance(exc, httpx.TooManyRedirects):
        return TooManyRedirects(
            f"{url} redirected too many times; Courier stopped following.", detail=detail
        )
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting to",
            httpx.ReadTimeout: "waiting for data from",
            httpx.WriteTimeout: "sending data to",
            httpx.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "talking to")
        return RequestTimeout(f"Timed out {phase} {host}.", detail=detail)
    if (
        any(isinstance(e, ssl.SSLError) for e in chain)
        or "certificate" in lowered
        or ("ssl" in lowered and isinstance(exc, httpx.ConnectError))
    ):
        reason = "the server's certificate is not trusted"
        if "hostname mismatch" in lowered or "doesn't match" in lowered:
            reason = "the certificate is for another host name"
        elif "expired" in lowered:
            reason = "the server's certificate has expired"
        elif "wrong version number" in lowered or "record layer" in lowered:
            reason = "the server does not speak TLS on this port (try http://)"
        elif "certificate" not in lowered:
            reason = "the TLS handshake failed"
        return TLSFailure(f"Could not open a secure connection to {host}: {reason}.", detail=detail)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, socket.gaierror) for e in chain) or (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or "temporary failure in name resolution" in lowered
            or "no address associated" in lowered
        ):
            return DNSFailure(
                f"Could not find the server “{host}”: the name does not resolve.", detail=detail
            )
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in lowered:
            return ConnectionRefused(
                f"Nothing is listening on {host}:{port} (connection refused).", detail=detail
            )
        return NetworkError(f"Could not connect to {host}:{port}.", detail=detail)
    h2_error = _h2_error(chain)
    if h2_error is not None:
        if type(h2_error).__name__ == "InvalidBodyLengthError":  # stream ended short
            got = f" ({received:,} bytes of the body had arrived)" if received else ""
            return ServerDisconnected(
                f"{host} ended the response before the body was complete{got}.", detail=detail
            )
        return ProtocolViolation(f"{host} broke the HTTP/2 protocol: {h2_error}", detail=detail)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError) and (
        "disconnect" in lowered
        or "peer closed" in lowered
        or "reset" in lowered
        or "incomplete" in lowered
        or "closed" in lowered
        or isinstance(exc, httpx.ReadError | httpx.WriteError)
    ):
        got = f" ({received:,} bytes of the body had arrived)" if received else ""
        return ServerDisconnected(
            f"{host} closed the connection before the response was complete{got}.",
            detail=detail,
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return ProtocolViolation(f"{host} answered with broken HTTP: {exc}", detail=detail)
    if isinstance(exc, httpx.DecodingError):
        return ProtocolViolation(
            f"The response from {host} could not be decoded: {exc}", detail=detail
        )
    if isinstance(exc, OSError):
        return NetworkError(
            f"Network error talking to {host}: {exc.strerror or exc}", detail=detail
        )
    return NetworkError(f"Sending to {host} failed: {exc}", detail=detail)
