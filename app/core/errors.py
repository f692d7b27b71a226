"""One error tree: every failure a user can see is one of these.

    CourierError                  message: one sentence a user understands
    ├── StorageError              a collection file could not be read or written
    │   └── CollectionNotFound    the directory has no collection.yaml
    ├── TemplateError             a {{variable}} could not be resolved
    └── RequestError              sending failed (mapped from httpx in app.net.errors)
        ├── InvalidURL
        ├── DNSFailure
        ├── ConnectionRefused
        ├── TLSFailure
        ├── RequestTimeout
        ├── ServerDisconnected    the server closed the connection mid-request/body
        ├── ProtocolViolation     the peer spoke broken HTTP
        ├── TooManyRedirects
        ├── NetworkError          anything else on the wire
        └── AuthFailure           credentials could not be obtained (e.g. an OAuth 2.0 token)

``detail`` carries the technical text (the original exception) for a
"details" disclosure; ``message`` is what the response pane shows.
"""

from __future__ import annotations


class CourierError(Exception):
    """Base of every user-facing failure."""

    title = "Error"

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class StorageError(CourierError):
    title = "Could not read or write the collection"


class CollectionNotFound(StorageError):
    title = "Not a collection"


class TemplateError(CourierError):
    title = "Unresolved variable"


class RequestError(CourierError):
    title = "Request failed"


class InvalidURL(RequestError):
    title = "Invalid URL"


class DNSFailure(RequestError):
    title = "Host not found"


class ConnectionRefused(RequestError):
    title = "Connection refused"


class TLSFailure(RequestError):
    title = "TLS/SSL error"


class RequestTimeout(RequestError):
    title = "Timed out"


class ServerDisconnected(RequestError):
    title = "Server closed the connection"


class ProtocolViolation(RequestError):
    title = "Protocol error"


class TooManyRedirects(RequestError):
    title = "Too many redirects"


class NetworkError(RequestError):
    title = "Network error"


class AuthFailure(RequestError):
    title = "Sign-in failed"
